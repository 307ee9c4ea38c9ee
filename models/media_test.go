package models_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"sessiongraph/models"
)

// mediaFixtureRun returns a run of testdata/media.json, whose runs Agno v3's
// own to_dict wrote (testdata/media.py).
func mediaFixtureRun(t *testing.T, sessionID, runID string) *models.RunCore {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "media.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		SessionID string          `json:"session_id"`
		Type      string          `json:"session_type"`
		Runs      json.RawMessage `json:"runs"`
	}
	if err := json.Unmarshal(data, &rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.SessionID == sessionID {
			run := models.NewSession("default", models.SessionRow{SessionID: r.SessionID, SessionType: r.Type, Runs: r.Runs}).Core().FindRun(runID)
			if run == nil {
				t.Fatalf("no run %s in %s", runID, sessionID)
			}
			return run.Core()
		}
	}
	t.Fatalf("no session %s in media.json", sessionID)
	return nil
}

// runOf returns the run of a session holding the one stored run doc.
func runOf(t *testing.T, sessionType, doc string) *models.RunCore {
	t.Helper()
	s := models.NewSession("default", models.SessionRow{SessionID: "s-1", SessionType: sessionType, Runs: json.RawMessage("[" + doc + "]")})
	runs, err := s.Core().Runs()
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %v: %v", runs, err)
	}
	return runs[0].Core()
}

// message returns the message with id of run.
func message(t *testing.T, run *models.RunCore, id string) *models.Message {
	t.Helper()
	msgs, err := run.Messages(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.ID() != nil && *m.ID() == id {
			return m
		}
	}
	t.Fatalf("no message %s", id)
	return nil
}

// mediaView is what the API shows of a media object, absent fields left out.
func mediaView(t *testing.T, m *models.Media) map[string]any {
	t.Helper()
	v := map[string]any{"kind": string(m.Kind()), "hasInlineContent": m.HasInlineContent()}
	put := func(key string, p any) {
		if rv := reflect.ValueOf(p); !rv.IsNil() {
			v[key] = rv.Elem().Interface()
		}
	}
	put("id", m.ID())
	put("url", m.URL())
	put("filePath", m.FilePath())
	put("mimeType", m.MimeType())
	put("format", m.Format())
	put("fileName", m.FileName())
	put("size", m.Size())
	put("durationSeconds", m.DurationSeconds())
	put("width", m.Width())
	put("height", m.Height())
	put("transcript", m.Transcript())
	put("altText", m.AltText())
	if md := m.Metadata(); md != nil {
		v["metadata"] = compact(t, md)
	}
	ref, err := m.Reference()
	if err != nil {
		t.Errorf("reference of %v: %v", v["id"], err)
	}
	if ref != nil {
		r := map[string]any{}
		v["reference"] = r
		for key, p := range map[string]*string{"mediaId": ref.MediaID(), "storageKey": ref.StorageKey(), "storageBackend": ref.StorageBackend(),
			"sessionId": ref.SessionID(), "bucket": ref.Bucket(), "region": ref.Region(), "url": ref.URL(), "mimeType": ref.MimeType(),
			"fileName": ref.FileName(), "contentHash": ref.ContentHash(), "mediaType": ref.MediaType()} {
			if p != nil {
				r[key] = *p
			}
		}
		if n := ref.Size(); n != nil {
			r["size"] = *n
		}
		if md := ref.Metadata(); md != nil {
			r["metadata"] = compact(t, md)
		}
	}
	return v
}

func compact(t *testing.T, raw []byte) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func mediaViews(t *testing.T, ms []*models.Media) []map[string]any {
	t.Helper()
	out := []map[string]any{}
	for _, m := range ms {
		out = append(out, mediaView(t, m))
	}
	return out
}

func wantViews(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("%s:\n got  %s\n want %s", what, g, w)
	}
}

var (
	chartView = map[string]any{"kind": "IMAGE", "hasInlineContent": false, "id": "img-chart-1", "mimeType": "image/png", "format": "png",
		"fileName": "q3-chart.png", "size": 48213, "reference": map[string]any{
			"mediaId": "img-chart-1", "storageKey": "sessions/s-media/img-chart-1.png", "storageBackend": "s3", "sessionId": "s-media",
			"bucket": "acme-agno-media", "region": "eu-west-1", "mimeType": "image/png", "fileName": "q3-chart.png", "size": 48213,
			"contentHash": "c870730637d3c353ae36c2b088827265e3d691de98a3e767e642a65a7eacda3f", "mediaType": "image",
			"metadata": `{"uploaded_by":"u-media"}`}}
	questionView = map[string]any{"kind": "AUDIO", "hasInlineContent": true, "id": "aud-question-1", "mimeType": "audio/wav", "format": "wav", "durationSeconds": 2.5}
	reportView   = map[string]any{"kind": "FILE", "hasInlineContent": false, "id": "file-report-1", "filePath": "/srv/uploads/q3-report.pdf",
		"mimeType": "application/pdf", "fileName": "q3-report.pdf", "size": 182233}
	annotatedView = map[string]any{"kind": "IMAGE", "hasInlineContent": false, "id": "img-annotated-1",
		"url": "https://cdn.example.com/generated/q3-annotated.png", "altText": "Q3 revenue by region, annotated"}
	walkthroughView = map[string]any{"kind": "VIDEO", "hasInlineContent": false, "id": "vid-walkthrough-1", "url": "https://cdn.example.com/generated/q3.mp4",
		"mimeType": "video/mp4", "durationSeconds": 12.0, "width": 1280, "height": 720}
	stockView  = map[string]any{"kind": "FILE", "hasInlineContent": true, "id": "file-stock-1", "mimeType": "text/csv", "format": "csv", "fileName": "stock.csv"}
	answerView = map[string]any{"kind": "AUDIO", "hasInlineContent": true, "id": "aud-answer-1", "mimeType": "audio/wav", "transcript": "North is low on widgets."}
)

func TestMediaIsReadAsAgnoStoresIt(t *testing.T) {
	run := mediaFixtureRun(t, "s-media", "r-media-1")
	t.Run("the run's output media are its images, videos, audio and files in that order", func(t *testing.T) {
		ms, err := run.Media()
		if err != nil {
			t.Fatal(err)
		}
		wantViews(t, "media", mediaViews(t, ms), []map[string]any{annotatedView, walkthroughView, stockView})
	})
	t.Run("the run's input media come from RunInput, an offloaded image with its media_reference", func(t *testing.T) {
		ms, err := run.InputMedia()
		if err != nil {
			t.Fatal(err)
		}
		wantViews(t, "inputMedia", mediaViews(t, ms), []map[string]any{chartView, questionView, reportView})
	})
	t.Run("response_audio is the model's audio response", func(t *testing.T) {
		m, err := run.ResponseAudio()
		if err != nil || m == nil {
			t.Fatalf("%v, %v", m, err)
		}
		wantViews(t, "responseAudio", mediaView(t, m), answerView)
	})
	t.Run("a message's media are its images, videos, audio and files", func(t *testing.T) {
		ms, err := message(t, run, "m-question").Media()
		if err != nil {
			t.Fatal(err)
		}
		wantViews(t, "media", mediaViews(t, ms), []map[string]any{chartView, questionView, reportView})
	})
	t.Run("audio_output is the model's audio output", func(t *testing.T) {
		m := message(t, run, "m-answer")
		out, err := m.AudioOutput()
		if err != nil || out == nil {
			t.Fatalf("%v, %v", out, err)
		}
		wantViews(t, "audioOutput", mediaView(t, out), answerView)
		ms, err := m.Media()
		if err != nil {
			t.Fatal(err)
		}
		wantViews(t, "media", mediaViews(t, ms), []map[string]any{annotatedView})
	})
	t.Run("a message without media has none", func(t *testing.T) {
		m := message(t, run, "m-system")
		ms, err := m.Media()
		if err != nil || len(ms) != 0 {
			t.Errorf("media %v, %v", ms, err)
		}
		if out, err := m.AudioOutput(); out != nil || err != nil {
			t.Errorf("audioOutput %v, %v", out, err)
		}
	})
}

func TestCorruptMediaFailsOnlyItsField(t *testing.T) {
	run := mediaFixtureRun(t, "s-media-corrupt", "r-media-corrupt")
	wantCorrupt := func(t *testing.T, err error) {
		t.Helper()
		if models.ErrorCode(err) != models.DataCorrupt {
			t.Errorf("error %v, want %s", err, models.DataCorrupt)
		}
	}
	t.Run("media keeps the entries that are objects", func(t *testing.T) {
		ms, err := run.Media()
		wantCorrupt(t, err)
		if len(ms) != 2 || *ms[0].ID() != "img-annotated-1" || *ms[1].ID() != "img-badref" {
			t.Fatalf("media %v", mediaViews(t, ms))
		}
		ref, err := ms[1].Reference()
		wantCorrupt(t, err)
		if ref != nil {
			t.Errorf("reference %v", ref)
		}
		if u := ms[0].URL(); u == nil || *u != "https://cdn.example.com/generated/q3-annotated.png" {
			t.Errorf("the good image's url is %v", u)
		}
	})
	t.Run("inputMedia keeps the entries that are objects", func(t *testing.T) {
		ms, err := run.InputMedia()
		wantCorrupt(t, err)
		wantViews(t, "inputMedia", mediaViews(t, ms), []map[string]any{reportView})
	})
	t.Run("responseAudio that is not an object is an error", func(t *testing.T) {
		m, err := run.ResponseAudio()
		wantCorrupt(t, err)
		if m != nil {
			t.Errorf("responseAudio %v", m)
		}
	})
	t.Run("a message's media keep the entries that are objects", func(t *testing.T) {
		msgs, _ := run.Messages(nil, nil)
		ms, err := msgs[0].Media()
		wantCorrupt(t, err)
		wantViews(t, "media", mediaViews(t, ms), []map[string]any{annotatedView})
		out, err := msgs[0].AudioOutput()
		wantCorrupt(t, err)
		if out != nil {
			t.Errorf("audioOutput %v", out)
		}
	})
	t.Run("the run's other fields still read", func(t *testing.T) {
		if st, err := run.Status(); err != nil || st == nil || *st != models.RunStatusCompleted {
			t.Errorf("status %v, %v", st, err)
		}
	})
}

func TestInputMediaOfAWorkflowRunIsEmpty(t *testing.T) {
	// A workflow stores its caller's input as is: an "images" key there is the caller's.
	run := runOf(t, "workflow", `{"run_id": "w-1", "workflow_id": "wf", "input": {"images": ["a.png"]}, "images": [{"id": "i-1", "url": "https://x/i.png"}]}`)
	ms, err := run.InputMedia()
	if err != nil || len(ms) != 0 {
		t.Errorf("inputMedia %v, %v", ms, err)
	}
	out, err := run.Media()
	if err != nil || len(out) != 1 {
		t.Errorf("media %v, %v", out, err)
	}
}

func TestMediaFieldsFallBackToTheReference(t *testing.T) {
	run := runOf(t, "agent", `{"run_id": "r-1", "agent_id": "a", "files": [
		{"id": "f-1", "name": "bedrock.pdf"},
		{"id": "f-2", "media_reference": {"media_id": "f-2", "storage_key": "k", "storage_backend": "local", "url": "https://signed/x", "mime_type": "application/pdf", "filename": "ref.pdf", "size": 9}},
		{"id": "f-3", "url": "https://own/x", "mime_type": "text/plain", "filename": "own.txt", "size": 3, "media_reference": {"media_id": "f-3", "storage_key": "k3", "storage_backend": "gcs", "url": "https://signed/y", "mime_type": "application/pdf", "filename": "ref.pdf", "size": 9}}]}`)
	ms, err := run.Media()
	if err != nil {
		t.Fatal(err)
	}
	got := mediaViews(t, ms)
	for _, v := range got {
		delete(v, "reference")
	}
	wantViews(t, "media", got, []map[string]any{
		{"kind": "FILE", "hasInlineContent": false, "id": "f-1", "fileName": "bedrock.pdf"},
		{"kind": "FILE", "hasInlineContent": false, "id": "f-2", "url": "https://signed/x", "mimeType": "application/pdf", "fileName": "ref.pdf", "size": 9},
		{"kind": "FILE", "hasInlineContent": false, "id": "f-3", "url": "https://own/x", "mimeType": "text/plain", "fileName": "own.txt", "size": 3},
	})
}

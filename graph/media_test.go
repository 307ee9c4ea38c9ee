package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

const mediaFields = `kind id url filePath mimeType format fileName size hasInlineContent durationSeconds width height
	transcript altText metadata reference { mediaId storageKey storageBackend sessionId bucket region url mimeType fileName
	size contentHash mediaType metadata }`

const offloadedFields = `resultId toolName lines size stored reason preview fullContent
	record { resultId sessionId runId toolCallId toolName contentType sizeBytes lineCount userId createdAt expiresAt namespace path }`

// transcriptQuery reads every media and envelope field of a session's runs.
var transcriptQuery = `query($id: String!) { session(sessionId: $id) { runs { nodes { runId status
	media { ` + mediaFields + ` } inputMedia { ` + mediaFields + ` } responseAudio { ` + mediaFields + ` }
	messages { id media { ` + mediaFields + ` } audioOutput { ` + mediaFields + ` } offloadedResult { ` + offloadedFields + ` } }
	tools { toolCallId offloadedResult { ` + offloadedFields + ` } } } } } }`

// mediaBackends serves testdata/media.json, whose runs Agno v3 wrote, on
// every backend and in every layout of the runs.
func mediaBackends(t *testing.T) []servedBackend {
	t.Helper()
	return serveBackends(agnotest.EveryLayout(t, agnotest.LoadRows(t, "media.json")))
}

func TestMediaAndOffloadedResultsOfATranscript(t *testing.T) {
	eachBackend(t, mediaBackends(t), func(t *testing.T, b servedBackend) {
		results := agnotest.AddToolResults(t, b.store, "media-tool-results.json")
		data := mustQuery(t, b.h, transcriptQuery, map[string]any{"id": "s-media"})
		run := jsonAt(data, "session", "runs", "nodes", 0)

		t.Run("media are listed with their kinds and never their bytes", func(t *testing.T) {
			wantEqual(t, "media ids", idsAt(t, run, "media"), []string{"IMAGE img-annotated-1", "VIDEO vid-walkthrough-1", "FILE file-stock-1"})
			wantEqual(t, "inputMedia ids", idsAt(t, run, "inputMedia"), []string{"IMAGE img-chart-1", "AUDIO aud-question-1", "FILE file-report-1"})
			wantEqual(t, "the offloaded image", jsonAt(run, "inputMedia", 0), map[string]any{
				"kind": "IMAGE", "id": "img-chart-1", "url": nil, "filePath": nil, "mimeType": "image/png", "format": "png",
				"fileName": "q3-chart.png", "size": 48213, "hasInlineContent": false, "durationSeconds": nil, "width": nil,
				"height": nil, "transcript": nil, "altText": nil, "metadata": nil,
				"reference": map[string]any{"mediaId": "img-chart-1", "storageKey": "sessions/s-media/img-chart-1.png",
					"storageBackend": "s3", "sessionId": "s-media", "bucket": "acme-agno-media", "region": "eu-west-1", "url": nil,
					"mimeType": "image/png", "fileName": "q3-chart.png", "size": 48213,
					"contentHash": "c870730637d3c353ae36c2b088827265e3d691de98a3e767e642a65a7eacda3f", "mediaType": "image",
					"metadata": map[string]any{"uploaded_by": "u-media"}},
			})
			wantEqual(t, "the inline audio's flag", jsonAt(run, "inputMedia", 1, "hasInlineContent"), true)
			wantEqual(t, "responseAudio", []any{jsonAt(run, "responseAudio", "id"), jsonAt(run, "responseAudio", "transcript")},
				[]any{"aud-answer-1", "North is low on widgets."})
			wantEqual(t, "the question's media", idsAt(t, messageAt(t, run, "m-question"), "media"),
				[]string{"IMAGE img-chart-1", "AUDIO aud-question-1", "FILE file-report-1"})
			wantEqual(t, "the answer's audioOutput", jsonAt(messageAt(t, run, "m-answer"), "audioOutput", "id"), "aud-answer-1")
			if body := jsonText(data); strings.Contains(body, "UklGR") {
				t.Errorf("the answer carries base64 content: %s", body)
			}
		})

		payload := *results[0].Content
		t.Run("a stored result reads its record and its whole text from the database", func(t *testing.T) {
			for _, o := range []any{jsonAt(messageAt(t, run, "m-call_fetch"), "offloadedResult"), jsonAt(toolAt(t, run, "call_fetch"), "offloadedResult")} {
				wantEqual(t, "envelope", pick(o, "resultId", "toolName", "lines", "size", "stored", "reason"),
					map[string]any{"resultId": "res_9e9a2b01e7", "toolName": "fetch_inventory", "lines": 450, "size": "29.7KB", "stored": true, "reason": nil})
				wantEqual(t, "record", jsonAt(o, "record"), map[string]any{"resultId": "res_9e9a2b01e7", "sessionId": "s-media",
					"runId": "r-media-1", "toolCallId": "call_fetch", "toolName": "fetch_inventory", "contentType": "text",
					"sizeBytes": 30390, "lineCount": 450, "userId": "u-media", "createdAt": rfc3339(1757500005), "expiresAt": nil,
					"namespace": "tool-results/s-media-6ab4294a", "path": "results/r-media-1/res_9e9a2b01e7.txt"})
				if got, _ := jsonAt(o, "fullContent").(string); got != payload {
					t.Errorf("fullContent is %d bytes, not the %d of the payload", len(got), len(payload))
				}
				if preview, _ := jsonAt(o, "preview").(string); !strings.HasPrefix(payload, preview[:200]) {
					t.Errorf("preview %q", preview[:200])
				}
			}
		})
		t.Run("a result whose row is gone has neither record nor text, and no error", func(t *testing.T) {
			o := jsonAt(messageAt(t, run, "m-call_gone"), "offloadedResult")
			wantEqual(t, "envelope", pick(o, "resultId", "stored", "record", "fullContent"),
				map[string]any{"resultId": "res_625893dfc3", "stored": true, "record": nil, "fullContent": nil})
		})
		t.Run("a result kept outside the database has a record and no text", func(t *testing.T) {
			o := jsonAt(messageAt(t, run, "m-call_local"), "offloadedResult")
			wantEqual(t, "record id", jsonAt(o, "record", "resultId"), "res_8fce8c6474")
			wantEqual(t, "fullContent", jsonAt(o, "fullContent"), nil)
		})
		t.Run("a refused result says why and reads nothing", func(t *testing.T) {
			o := jsonAt(toolAt(t, run, "call_big"), "offloadedResult")
			wantEqual(t, "envelope", pick(o, "resultId", "stored", "reason", "lines", "record", "fullContent"),
				map[string]any{"resultId": nil, "stored": false, "lines": 1200, "record": nil, "fullContent": nil,
					"reason": `session storage is full (200000000 of 200000000 bytes) in "tool-results"`})
		})
		t.Run("messages that are not envelopes have no offloadedResult", func(t *testing.T) {
			for _, id := range []string{"m-system", "m-question", "m-calls", "m-answer"} {
				wantEqual(t, id, jsonAt(messageAt(t, run, id), "offloadedResult"), nil)
			}
		})
		t.Run("the session's own user reads its results", func(t *testing.T) {
			h := withAuth(t, b.h)
			resp := queryAs(t, h, token(t, "u-media", nil), `query($id: String!) { session(sessionId: $id) { runs { nodes {
				tools { offloadedResult { record { resultId } fullContent } } } } } }`, map[string]any{"id": "s-media"})
			var got map[string]any
			resp.decode(t, &got)
			o := jsonAt(got, "session", "runs", "nodes", 0, "tools", 0, "offloadedResult")
			if jsonAt(o, "record", "resultId") != "res_9e9a2b01e7" || jsonAt(o, "fullContent") != payload {
				t.Errorf("offloadedResult %.300s", jsonText(o))
			}
		})
	})
}

func TestOffloadedResultsWithoutAgnosTables(t *testing.T) {
	eachBackend(t, mediaBackends(t), func(t *testing.T, b servedBackend) {
		data := mustQuery(t, b.h, transcriptQuery, map[string]any{"id": "s-media"})
		o := jsonAt(toolAt(t, jsonAt(data, "session", "runs", "nodes", 0), "call_fetch"), "offloadedResult")
		wantEqual(t, "envelope", pick(o, "resultId", "record", "fullContent"),
			map[string]any{"resultId": "res_9e9a2b01e7", "record": nil, "fullContent": nil})
	})
}

func TestCorruptMediaFailOnlyTheirOwnFields(t *testing.T) {
	eachBackend(t, mediaBackends(t), func(t *testing.T, b servedBackend) {
		resp := query(t, b.h, `{ session(sessionId: "s-media-corrupt") { runs { nodes { runId status
			media { id reference { storageKey } } inputMedia { id } responseAudio { id }
			messages { role media { id } audioOutput { id } } } } } }`, nil)
		var data map[string]any
		if err := json.Unmarshal(resp.Data, &data); err != nil {
			t.Fatal(err)
		}
		run := jsonAt(data, "session", "runs", "nodes", 0)
		wantEqual(t, "the run", pick(run, "runId", "status", "media", "inputMedia", "responseAudio"), map[string]any{
			"runId": "r-media-corrupt", "status": "COMPLETED",
			"media":      []any{map[string]any{"id": "img-annotated-1", "reference": nil}, map[string]any{"id": "img-badref", "reference": nil}},
			"inputMedia": []any{map[string]any{"id": "file-report-1"}}, "responseAudio": nil,
		})
		wantEqual(t, "the message", jsonAt(run, "messages", 0), map[string]any{"role": "user",
			"media": []any{map[string]any{"id": "img-annotated-1"}}, "audioOutput": nil})
		var paths []string
		for _, e := range resp.Errors {
			if e.Extensions["code"] != string(models.DataCorrupt) {
				t.Errorf("error %+v", e)
			}
			paths = append(paths, pathText(e.Path))
		}
		wantEqual(t, "error paths", sortedCopy(paths), []string{
			"session.runs.nodes.0.inputMedia",
			"session.runs.nodes.0.media",
			"session.runs.nodes.0.media.1.reference",
			"session.runs.nodes.0.messages.0.audioOutput",
			"session.runs.nodes.0.messages.0.media",
			"session.runs.nodes.0.responseAudio",
		})
	})
}

func TestAnOperationReadsABoundedNumberOfOffloadedResults(t *testing.T) {
	// 101 envelopes of results that were never stored: each costs a lookup.
	var msgs []string
	for i := range 101 {
		msgs = append(msgs, fmt.Sprintf(`{"role": "tool", "content": %q}`,
			fmt.Sprintf("<result id=\"res_%03d\" tool=\"t\" lines=\"1\" size=\"1B\">\nx\n</result>\nFull result stored; read with read_result(\"res_%03d\").", i, i)))
	}
	row := models.SessionRow{SessionID: "s-many", SessionType: "agent", CreatedAt: 1757500000,
		Runs: rawJSON(`[{"run_id": "r-many", "agent_id": "a", "messages": [` + strings.Join(msgs, ", ") + `]}]`)}
	eachBackend(t, serveBackends(agnotest.Backends(t, []models.SessionRow{row})), func(t *testing.T, b servedBackend) {
		agnotest.CreateToolResultTables(t, b.store)
		resp := query(t, b.h, `{ session(sessionId: "s-many") { runs { nodes { messages { offloadedResult { resultId record { resultId } } } } } } }`, nil)
		wantCodes(t, resp, string(models.ComplexityLimitExceeded))
		if resp.Status != http.StatusOK {
			t.Errorf("status %d: a limit met while executing is answered with the data", resp.Status)
		}
		// The last message asked, which is the 101st unless gqlgen's own
		// executor resolves the messages concurrently (SESSIONGRAPH_GQLGEN_PASSES=none).
		if len(resp.Errors) == 1 && !regexp.MustCompile(`^session\.runs\.nodes\.0\.messages\.\d+\.offloadedResult\.record$`).MatchString(pathText(resp.Errors[0].Path)) {
			t.Errorf("error path %s", pathText(resp.Errors[0].Path))
		}
	})
}

func TestAnOperationReadsABoundedAmountOfOffloadedText(t *testing.T) {
	eachBackend(t, mediaBackends(t), func(t *testing.T, b servedBackend) {
		agnotest.AddToolResults(t, b.store, "media-tool-results.json")
		// The rows say each result is 20 MiB: the second is more than an operation may read.
		if _, err := b.store.Pool().ExecContext(context.Background(), "UPDATE "+toolResultsTable(b)+" SET size_bytes = $1", 20<<20); err != nil {
			t.Fatal(err)
		}
		resp := query(t, b.h, `{ session(sessionId: "s-media") { runs { nodes { tools { offloadedResult { fullContent } } } } } }`, nil)
		wantCodes(t, resp, string(models.ComplexityLimitExceeded))
		var data map[string]any
		if err := json.Unmarshal(resp.Data, &data); err != nil {
			t.Fatal(err)
		}
		// tools 0 and 2 have rows; the first asked reads, the other is refused
		// (tool 2's payload is outside the database, but the row says its size).
		content := func(i int) any {
			return jsonAt(data, "session", "runs", "nodes", 0, "tools", i, "offloadedResult", "fullContent")
		}
		if len(resp.Errors) == 1 {
			switch path := pathText(resp.Errors[0].Path); path {
			case "session.runs.nodes.0.tools.2.offloadedResult.fullContent":
				if got, _ := content(0).(string); len(got) != 30390 {
					t.Errorf("the first result's fullContent is %d bytes", len(got))
				}
			case "session.runs.nodes.0.tools.0.offloadedResult.fullContent":
				wantEqual(t, "the refused fullContent", content(0), nil)
			default:
				t.Errorf("error path %s", path)
			}
		}
	})
}

// toolResultsTable names agno_tool_results of b for SQL.
func toolResultsTable(b servedBackend) string {
	if schema, _, ok := strings.Cut(b.store.Describe().SessionTable, "."); ok {
		return schema + ".agno_tool_results"
	}
	return "agno_tool_results"
}

// idsAt lists "KIND id" of the media at key of v.
func idsAt(t *testing.T, v any, key string) []string {
	t.Helper()
	var out []string
	for _, m := range listAt(t, v, key) {
		out = append(out, fmt.Sprint(jsonAt(m, "kind"), " ", jsonAt(m, "id")))
	}
	return out
}

// messageAt returns the message with id of a run.
func messageAt(t *testing.T, run any, id string) any {
	t.Helper()
	for _, m := range listAt(t, run, "messages") {
		if jsonAt(m, "id") == id {
			return m
		}
	}
	t.Fatalf("no message %s", id)
	return nil
}

// toolAt returns the tool execution with toolCallId of a run.
func toolAt(t *testing.T, run any, id string) any {
	t.Helper()
	for _, tool := range listAt(t, run, "tools") {
		if jsonAt(tool, "toolCallId") == id {
			return tool
		}
	}
	t.Fatalf("no tool %s", id)
	return nil
}

// pick returns the keys of the object v.
func pick(v any, keys ...string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		out[k] = jsonAt(v, k)
	}
	return out
}

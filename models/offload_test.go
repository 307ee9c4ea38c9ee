package models_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"sessiongraph/models"
)

func TestOffloadedResultsAreReadFromAgnosEnvelopes(t *testing.T) {
	run := mediaFixtureRun(t, "s-media", "r-media-1")
	stored := func(id, tool string, lines int, size string) models.OffloadedResult {
		return models.OffloadedResult{ResultID: &id, ToolName: tool, Lines: lines, Size: size, Stored: true}
	}
	reason := `session storage is full (200000000 of 200000000 bytes) in "tool-results"`
	want := map[string]models.OffloadedResult{
		"call_fetch": stored("res_9e9a2b01e7", "fetch_inventory", 450, "29.7KB"),
		"call_gone":  stored("res_625893dfc3", "fetch_inventory", 420, "27.7KB"),
		"call_local": stored("res_8fce8c6474", "export_report", 400, "26.4KB"),
		"call_big":   {ToolName: "fetch_inventory", Lines: 1200, Size: "79.9KB", Reason: &reason},
	}
	tools, err := run.Tools()
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range tools {
		id := *tool.ToolCallID()
		t.Run("the tool message and the tool execution of "+id+" hold the same envelope", func(t *testing.T) {
			fromMessage := message(t, run, "m-"+id).OffloadedResult()
			fromTool := tool.OffloadedResult()
			if fromMessage == nil || fromTool == nil {
				t.Fatalf("no envelope: message %v, tool %v", fromMessage, fromTool)
			}
			for _, got := range []*models.OffloadedResult{fromMessage, fromTool} {
				envelope, _ := json.Marshal(got) // the fields the API shows
				w := want[id]
				w.Preview = got.Preview
				wantEnvelope, _ := json.Marshal(w)
				if string(envelope) != string(wantEnvelope) {
					t.Errorf("envelope\n got  %s\n want %s", envelope, wantEnvelope)
				}
				// The preview is the head of the result, the omission marker and the tail.
				if !strings.HasPrefix(got.Preview, `{"row": 0, "sku": "SKU-00000"`) || !strings.Contains(got.Preview, " lines omitted ...]\n") ||
					!strings.HasSuffix(got.Preview, `"stock": `+tail(want[id].Lines)+`}`) {
					t.Errorf("preview %s", models.Abbrev(got.Preview))
				}
			}
			if db, session := fromTool.Location(); db != "default" || session != "s-media" {
				t.Errorf("location %s, %s", db, session)
			}
		})
	}
	t.Run("other messages hold none", func(t *testing.T) {
		for _, id := range []string{"m-system", "m-question", "m-calls", "m-answer"} {
			if got := message(t, run, id).OffloadedResult(); got != nil {
				t.Errorf("%s: %+v", id, *got)
			}
		}
	})
}

// tail is the stock of the last payload row written by testdata/media.py.
func tail(lines int) string { return strconv.Itoa((lines - 1) * 7 % 113) }

func TestTextThatOnlyLooksLikeAnEnvelopeIsNotOne(t *testing.T) {
	const hint = "\nFull result stored; read with read_result(\"res_1\") or search_result(\"res_1\", pattern)."
	for _, tc := range []struct {
		name    string
		content string
		want    bool
	}{
		{"an envelope", "<result id=\"res_1\" tool=\"t\" lines=\"2\" size=\"20B\">\na\nb\n</result>" + hint, true},
		{"an envelope with an empty preview", "<result id=\"res_1\" tool=\"t\" lines=\"1\" size=\"0B\">\n\n</result>" + hint, true},
		{"a refused envelope", "<result tool=\"t\" lines=\"2\" size=\"20B\" stored=\"false\" reason=\"x\">\na\n</result>\nFull result was NOT stored.", true},
		{"a result tag without the hint", "<result id=\"res_1\" tool=\"t\" lines=\"2\" size=\"20B\">\na\n</result>\n", false},
		{"a result tag followed by other text", "<result id=\"res_1\" tool=\"t\" lines=\"2\" size=\"20B\">\na\n</result>\nThe end.", false},
		{"a tag with other attributes", "<result id=\"res_1\" kind=\"x\">\na\n</result>" + hint, false},
		{"a line count that is not a number", "<result id=\"res_1\" tool=\"t\" lines=\"many\" size=\"20B\">\na\n</result>" + hint, false},
		{"text that mentions an envelope", "See <result id=\"res_1\" tool=\"t\" lines=\"2\" size=\"20B\">\na\n</result>" + hint, false},
		{"an unclosed tag", "<result id=\"res_1\" tool=\"t\" lines=\"2\" size=\"20B\"", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			content, _ := json.Marshal(tc.content) // Go writes < as \u003c, Python as is: both are read
			for _, raw := range []string{string(content), strings.ReplaceAll(string(content), `\u003c`, "<")} {
				run := runOf(t, "agent", `{"run_id": "r-1", "agent_id": "a", "messages": [{"role": "tool", "content": `+raw+`}], "tools": [{"result": `+raw+`}]}`)
				msgs, _ := run.Messages(nil, nil)
				tools, _ := run.Tools()
				for _, got := range []*models.OffloadedResult{msgs[0].OffloadedResult(), tools[0].OffloadedResult()} {
					if (got != nil) != tc.want {
						t.Errorf("%s: envelope %+v, want one: %v", raw, got, tc.want)
					}
				}
			}
		})
	}
	t.Run("content that is not a string", func(t *testing.T) {
		run := runOf(t, "agent", `{"run_id": "r-1", "agent_id": "a", "messages": [{"role": "user", "content": [{"type": "text", "text": "<result "}]}]}`)
		msgs, _ := run.Messages(nil, nil)
		if got := msgs[0].OffloadedResult(); got != nil {
			t.Errorf("envelope %+v", got)
		}
	})
}

func TestPayloadPathIsNormalisedAsAgnosFileSystemWritesIt(t *testing.T) {
	for path, want := range map[string]string{
		"results/r-1/res_1.txt":         "results/r-1/res_1.txt",
		"results/cafe\u0301/res_1.json": "results/caf\u00e9/res_1.json",
		"/results//r-1///res_1.txt":     "results/r-1/res_1.txt",
	} {
		if got := (&models.StoredToolResult{Path: path}).PayloadPath(); got != want {
			t.Errorf("PayloadPath(%q) = %q, want %q", path, got, want)
		}
	}
}

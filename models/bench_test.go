package models_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"sessiongraph/models"
)

// bigRun is an Agno agent run of about 76 kB: 40 messages of ~1.8 kB.
func bigRun(id string) map[string]any {
	msgs := make([]map[string]any, 40)
	for i := range msgs {
		role := []string{"user", "assistant"}[i%2]
		msgs[i] = map[string]any{"id": fmt.Sprint("m", i), "role": role, "content": strings.Repeat("All work and no play. ", 80),
			"from_history": false, "stop_after_tool_call": false, "created_at": 1757346730 + i}
	}
	return map[string]any{"run_id": id, "agent_id": "support", "session_id": "s", "status": "COMPLETED",
		"input": map[string]any{"input_content": "hello"}, "content": "done", "content_type": "str",
		"created_at": 1757346730, "messages": msgs}
}

func sessionWithRuns(n int) models.SessionRow {
	runs := make([]any, n)
	for i := range runs {
		runs[i] = bigRun(fmt.Sprint("r-", i))
	}
	raw, _ := json.Marshal(runs)
	return models.SessionRow{SessionID: "s", SessionType: "agent", SessionData: json.RawMessage(`{"session_name":"x"}`), Runs: raw, CreatedAt: 1}
}

// BenchmarkRunIDs measures reading only the run ids of a session's runs,
// from SQLite text (validated) and from PostgreSQL jsonb (valid by construction).
func BenchmarkRunIDs(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchmarkRunIDs(b, false) })
	b.Run("postgres", func(b *testing.B) { benchmarkRunIDs(b, true) })
}

func benchmarkRunIDs(b *testing.B, validJSON bool) {
	row := sessionWithRuns(5)
	row.ValidJSON = validJSON
	b.SetBytes(int64(len(row.Runs)))
	b.ReportAllocs()
	for b.Loop() {
		s := models.NewSession("default", row)
		runs, _ := s.Core().Runs()
		for _, r := range runs {
			_ = r.Core().RunID()
		}
	}
}

// BenchmarkRunMessages measures reading every message's role and content.
func BenchmarkRunMessages(b *testing.B) {
	row := sessionWithRuns(5)
	b.SetBytes(int64(len(row.Runs)))
	b.ReportAllocs()
	for b.Loop() {
		s := models.NewSession("default", row)
		runs, _ := s.Core().Runs()
		for _, r := range runs {
			msgs, _ := r.Core().Messages(nil, nil)
			for _, m := range msgs {
				_, _ = m.Role(), m.Content()
			}
		}
	}
}

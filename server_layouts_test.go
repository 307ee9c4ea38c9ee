package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sessiongraph/internal/agnotest"
	"sessiongraph/internal/testpg"
)

// TestServesEveryStateRealAgnoLeaves starts the server as users do (flags,
// a database URL) on each database real Agno wrote — Agno 2.9 alone, Agno 3
// alone, Agno 2.9 continued by Agno 3, and the same after Agno's migration —
// on SQLite and PostgreSQL, and checks that it starts, reports the layout it
// found and serves every session with its runs.
func TestServesEveryStateRealAgnoLeaves(t *testing.T) {
	wantLayout := map[string]string{
		"v2":       `"runsTable":null,"legacyRunsColumn":true`,
		"v3":       `"runsTable":"%sagno_runs","legacyRunsColumn":false`,
		"mixed":    `"runsTable":"%sagno_runs","legacyRunsColumn":true`,
		"migrated": `"runsTable":"%sagno_runs","legacyRunsColumn":true`,
	}
	for _, fixture := range agnotest.RealAgnoFixtures {
		for _, backend := range []string{"sqlite", "postgres"} {
			t.Run(fixture+"/"+backend, func(t *testing.T) {
				var url, schema string
				if backend == "sqlite" {
					data, err := os.ReadFile(agnotest.RealAgnoPath(fixture, "agno.db"))
					if err != nil {
						t.Fatal(err)
					}
					url = filepath.Join(t.TempDir(), "agno.db")
					if err := os.WriteFile(url, data, 0o600); err != nil {
						t.Fatal(err)
					}
				} else {
					url, schema = testpg.NewDatabase(t), "ai."
					agnotest.LoadPostgresDump(t, url, agnotest.RealAgnoPath(fixture, "pg-dump.sql"))
				}
				a, err := newApp(context.Background(), loadOptions(t, []string{"--db", url}, nil, io.Discard))
				if err != nil {
					t.Fatalf("the server does not start on %s: %v", fixture, err)
				}
				t.Cleanup(a.Close)
				srv := httptest.NewServer(a.handler)
				t.Cleanup(srv.Close)
				_, body := fetch(t, "POST", srv.URL+"/graphql",
					`{"query":"{ databases { runsTable legacyRunsColumn } sessions(first: 50) { totalCount nodes { sessionId name runs(first: 50) { totalCount nodes { runId } } } } }"}`,
					map[string]string{"Content-Type": "application/json"})
				want := wantLayout[fixture]
				if strings.Contains(want, "%s") {
					want = fmt.Sprintf(want, schema)
				}
				if !strings.Contains(body, want) {
					t.Errorf("databases: want %s in %s", want, body)
				}
				var out struct {
					Data struct {
						Sessions struct {
							TotalCount int
							Nodes      []struct {
								SessionID string
								Runs      struct{ TotalCount int }
							}
						}
					}
					Errors []any
				}
				if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.Errors) > 0 {
					t.Fatalf("%v %s", err, body)
				}
				index := readTruthIndex(t, fixture, backend)
				runs := 0
				for _, n := range out.Data.Sessions.Nodes {
					runs += n.Runs.TotalCount
				}
				if out.Data.Sessions.TotalCount != len(index.Sessions) || len(out.Data.Sessions.Nodes) != len(index.Sessions) || runs == 0 {
					t.Errorf("served %d sessions (%d listed, %d runs), Agno's REST listed %d", out.Data.Sessions.TotalCount, len(out.Data.Sessions.Nodes), runs, len(index.Sessions))
				}
			})
		}
	}
}

// readTruthIndex reads what AgentOS was asked over a fixture (its index.json).
func readTruthIndex(t *testing.T, fixture, backend string) (index struct{ Sessions map[string]any }) {
	t.Helper()
	data, err := os.ReadFile(agnotest.RealAgnoPath(fixture, filepath.Join("truth-"+map[string]string{"sqlite": "sqlite", "postgres": "pg"}[backend], "index.json")))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &index); err != nil {
		t.Fatal(err)
	}
	return index
}

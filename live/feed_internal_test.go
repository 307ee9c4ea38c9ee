package live

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"sessiongraph/db"
	"sessiongraph/models"
)

// TestARunWrittenWhileItsSessionIsDeliveredComesAsCreated: on Agno 3's
// layout, the watcher reads a session's runs after the session's events
// have gone out, so a run the writer adds meanwhile is among them before
// its own change is read; its event must still say CREATED (it said
// UPDATED, now and then, in TestOutsideWritesArriveOnceInOrder).
func TestARunWrittenWhileItsSessionIsDeliveredComesAsCreated(t *testing.T) {
	store, err := db.Open(t.Context(), db.Options{URL: filepath.Join(t.TempDir(), "agno.db"), CreateLayout: db.LayoutV3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	f := &feed{store: store, prints: map[string]map[string]uint64{"s1": {}}} // a runEvents subscriber saw s1 without runs
	row := models.SessionRow{SessionID: "s1", SessionType: "agent", CreatedAt: 1757000000,
		Runs: json.RawMessage(`[{"run_id": "r1", "agent_id": "a", "status": "RUNNING", "created_at": 1757000001}]`)}
	runs, err := models.NewSession(store.ID(), row).Core().Runs()
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %v, %v", runs, err)
	}
	// The batch of a rename of s1, delivered after r1 was written.
	if got := f.changedRuns(&sessionChange{id: "s1", session: true}, runs, true); len(got) != 0 {
		t.Fatalf("a change of the session row alone told of runs: %+v", got)
	}
	// The batch of r1's own change.
	got := f.changedRuns(&sessionChange{id: "s1", runs: []string{"r1"}}, runs, true)
	if len(got) != 1 || got[0] != (changedRun{id: "r1", kind: models.ChangeKindCreated}) {
		t.Fatalf("r1's first change came as %+v, want CREATED", got)
	}
	// Its next change, the same run written again, is an update.
	got = f.changedRuns(&sessionChange{id: "s1", runs: []string{"r1"}}, runs, true)
	if len(got) != 1 || got[0].kind != models.ChangeKindUpdated {
		t.Fatalf("r1's second change came as %+v, want UPDATED", got)
	}
}

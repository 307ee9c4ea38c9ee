package db_test

import (
	"testing"
	"time"

	"sessiongraph/db"
	"sessiongraph/demo"
	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

func TestListSessionsReadsOnlyTheColumnsAskedFor(t *testing.T) {
	rows := demo.Generate(3, 200, time.Unix(1760000000, 0))
	names := models.SessionColumns{SessionData: true, WorkflowData: true, NameRuns: true}
	first := 100
	for _, b := range agnotest.Backends(t, rows) {
		t.Run(b.Name, func(t *testing.T) {
			var full, projected, nameRuns int
			var derived int
			for _, cols := range []models.SessionColumns{models.AllColumns, names} {
				var after *string
				for {
					page, err := b.Store.ListSessions(ctx, nil, models.DefaultSessionOrder, models.PageArgs{First: &first, After: after}, cols)
					if err != nil {
						t.Fatal(err)
					}
					for _, r := range page.Rows {
						if cols == models.AllColumns {
							full += len(r.Runs)
							continue
						}
						projected += len(r.Runs) + len(r.Metadata) + len(r.AgentData) + len(r.Summary)
						nameRuns += len(r.NameRuns)
						stored := models.NewSession(b.Store.ID(), r).Core().StoredName() != nil
						if stored && r.NameRuns != nil {
							t.Errorf("%s has a stored name but its runs were read", r.SessionID)
						}
						if !stored {
							derived++
						}
					}
					if !page.HasNextPage {
						break
					}
					after = ptr(page.Keys[len(page.Keys)-1].Encode())
				}
			}
			if projected != 0 {
				t.Errorf("a names-only page read %d bytes of runs, metadata, agent_data and summary", projected)
			}
			t.Logf("runs bytes read: all columns %d, names only %d (%d sessions with a derived name)", full, nameRuns, derived)
			if b.Store.Dialect() == db.Postgres && nameRuns*10 > full {
				t.Errorf("PostgreSQL shipped %d bytes for names, over a tenth of the %d bytes of runs", nameRuns, full)
			}
		})
	}
}

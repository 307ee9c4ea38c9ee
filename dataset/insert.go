package dataset

import (
	"context"
	"time"

	"sessiongraph/db"
	"sessiongraph/models"
)

// Insert writes sessions through store as Agno writes them, into the layout
// its database has: with a runs table (Agno 3), the session rows and then
// their runs as rows of it (a runs column beside it is left SQL NULL, as
// Agno 3 leaves it); without one (Agno 2), the runs in the sessions table's
// runs column. On SQLite the session columns are written in enc (the runs
// table's run_data is plain JSON whatever enc says, as Agno 3 writes it).
// Sessions and runs are each one transaction.
func Insert(ctx context.Context, store *db.Store, sessions []Session, enc db.SQLiteEncoding) error {
	runsTable := store.Describe().RunsTable != nil
	rows := make([]models.SessionRow, len(sessions))
	var runs []models.RunRow
	for i, s := range sessions {
		rows[i] = s.Row
		if runsTable {
			rows[i].Runs = nil
			runs = append(runs, s.Runs...)
		}
	}
	if err := store.InsertRows(ctx, rows, enc); err != nil {
		return err
	}
	if len(runs) == 0 {
		return nil
	}
	return store.InsertRuns(ctx, runs)
}

// InsertDemo writes what `--demo` serves: the sessions, the first half
// with SQLite's session columns double-encoded as Agno up to 2.9 wrote them
// and the rest plain, as later Agno does, then their traces, spans and
// daily metrics in Agno's tables (see InsertObservability) as of now.
func InsertDemo(ctx context.Context, store *db.Store, sessions []Session, now time.Time) error {
	half := len(sessions) / 2
	if err := Insert(ctx, store, sessions[:half], db.DoubleEncoded); err != nil {
		return err
	}
	if err := Insert(ctx, store, sessions[half:], db.PlainJSON); err != nil {
		return err
	}
	return InsertObservability(ctx, store, sessions, now)
}

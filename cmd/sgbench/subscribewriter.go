package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	data "sessiongraph/dataset"
	"sessiongraph/db"
	"sessiongraph/models"
)

// agnoWriter changes sessions in a database from outside the server, as
// Agno does, each change in one transaction: a session created with its
// first run (the session row; on Agno 3's layout its run in a row of the
// runs table, in the same transaction), and later the session's next run
// (Agno 3: a row of the runs table, which Agno writes without the session
// row; Agno 2: the runs column rewritten, with updated_at). The sessions
// and runs are dataset.Exact's, in Agno's shapes; only their timestamps are
// set to now, which is what the change feed orders on.
type agnoWriter struct {
	store     *db.Store
	profile   data.Exact
	runsTable bool   // Agno 3's layout
	sessions  string // the sessions table, quoted, for Agno 2's runs column
	next      int    // the profile's next session
}

// writerSessions is how many sessions a writer's profile has: more than
// any load writes.
const writerSessions = 1 << 30

// newAgnoWriter writes into store sessions of 4 runs (4 turns of an agent
// session, 2 of a team's) of messages each, generated from seed.
func newAgnoWriter(store *db.Store, schema, table string, messages int, seed int64) *agnoWriter {
	w := &agnoWriter{store: store, runsTable: store.Describe().RunsTable != nil,
		profile: data.Exact{Sessions: writerSessions, Runs: 4, Messages: messages, Seed: seed}}
	if store.Dialect() == db.Postgres {
		w.sessions = pgx.Identifier{schema, table}.Sanitize()
	} else {
		w.sessions = pgx.Identifier{table}.Sanitize()
	}
	return w
}

// writtenSession is a session the writer created: all its runs, as
// generated, and how many of them are written.
type writtenSession struct {
	data.Session
	written int
}

// nextTurn returns the end of the turn that starts at runs[from]: its team
// members' runs (which have a parent) and the run that ends it.
func nextTurn(runs []models.RunRow, from int) int {
	for i := from; i < len(runs); i++ {
		if runs[i].ParentRunID == nil {
			return i + 1
		}
	}
	return len(runs)
}

// generate returns the next session, not yet written.
func (w *agnoWriter) generate() *writtenSession {
	s := &writtenSession{Session: w.profile.Session(w.next)}
	w.next++
	return s
}

// create writes the session's row with its first turn, created and
// updated at now (epoch seconds), as Agno's first save of a session.
func (w *agnoWriter) create(ctx context.Context, s *writtenSession, now int64) error {
	s.written = nextTurn(s.Runs, 0)
	row := s.Row
	row.CreatedAt, row.UpdatedAt = now, &now
	row.Runs = models.RunsArray(s.Runs[:s.written])
	return w.store.InsertRows(ctx, []models.SessionRow{row}, db.PlainJSON)
}

// addTurn writes the session's next turn at now (Exact's 4 runs are at
// least two turns).
func (w *agnoWriter) addTurn(ctx context.Context, s *writtenSession, now int64) error {
	from := s.written
	s.written = nextTurn(s.Runs, from)
	if w.runsTable {
		runs := slices.Clone(s.Runs[from:s.written])
		for i := range runs {
			runs[i].CreatedAt, runs[i].UpdatedAt = now, &now
		}
		return w.store.InsertRuns(ctx, runs)
	}
	// Agno 2's upsert_session rewrites the whole row; the Store has no
	// write of the runs column (the server never writes runs), so this is
	// the one statement sgbench writes itself: the runs and updated_at.
	query := "UPDATE " + w.sessions + " SET runs = $1, updated_at = $2 WHERE session_id = $3"
	if w.store.Dialect() == db.Postgres {
		query = "UPDATE " + w.sessions + " SET runs = CAST($1 AS jsonb), updated_at = $2 WHERE session_id = $3"
	}
	res, err := w.store.Pool().ExecContext(ctx, query, string(models.RunsArray(s.Runs[:s.written])), now, s.Row.SessionID)
	if err != nil {
		return fmt.Errorf("adding a run to session %s: %w", s.Row.SessionID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("adding a run to session %s: %d rows updated", s.Row.SessionID, n)
	}
	return nil
}

// remove deletes the sessions the writer wrote (with their runs).
func (w *agnoWriter) remove(ctx context.Context, ids []string) error {
	for chunk := range slices.Chunk(ids, models.MaxBatchDelete) {
		if _, _, err := w.store.DeleteSessions(ctx, chunk, nil); err != nil {
			return err
		}
	}
	return nil
}

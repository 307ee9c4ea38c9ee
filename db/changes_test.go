package db_test

// The change feed (Store.Changes) against writes made as Agno makes them:
// a session upsert, then, on Agno 3's layout, the run's own upsert, each in
// its own statement; status-only run updates that leave the session row
// alone; several writes in one second; a write committed after a newer one
// was read; deletes. An oracle (agnoFeed) knows which rows each write
// changed, so each read is checked to return exactly those rows, once, in
// their current state and in order.

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"sessiongraph/dataset"
	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

// t0 is the second the scenarios start at (Agno's clock, epoch seconds).
const t0 = 1760000000

// agnoFeed writes into one backend as Agno does, at the seconds a test
// gives, and knows what the change feed must return next.
type agnoFeed struct {
	t         *testing.T
	s         *db.Store
	sessions  string // the sessions table, qualified
	runs      string // the runs table, "" without one
	legacyRun bool   // runs are kept in the sessions table's runs column (Agno 2)
	cursor    models.ChangeCursor
	// The oracle: the runs of each session, the rows written since the last
	// read, and the rows delivered at least once.
	runsOf    map[string][]feedRun
	dirty     map[string]feedRow
	delivered map[string]bool
	// got are the changes read so far, in order.
	got []models.Change
}

type feedRun struct {
	id, status string
	created    int64
}

// feedRow is a row the next read must return, as the oracle sees it.
type feedRow struct {
	run           bool
	id, user      string
	at            int64
	status        string // a run's
	name          string // a session's
	sessionStatus string // a session's runs, as Agno 2 stores them
}

func (r feedRow) key() string { return fmt.Sprintf("%v/%s", r.run, r.id) }

func newAgnoFeed(t *testing.T, s *db.Store) *agnoFeed {
	t.Helper()
	d := s.Describe()
	f := &agnoFeed{t: t, s: s, sessions: d.SessionTable, runsOf: map[string][]feedRun{},
		dirty: map[string]feedRow{}, delivered: map[string]bool{}}
	if d.RunsTable != nil {
		f.runs = *d.RunsTable
	} else {
		f.legacyRun = true
	}
	var err error
	if f.cursor, err = s.ChangeCursorNow(ctx); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *agnoFeed) doc(n int) string {
	if f.s.Dialect() == db.Postgres {
		return fmt.Sprintf("CAST($%d AS jsonb)", n)
	}
	return fmt.Sprintf("$%d", n)
}

func (f *agnoFeed) exec(query string, args ...any) {
	f.t.Helper()
	if _, err := f.s.Pool().ExecContext(ctx, query, args...); err != nil {
		f.t.Fatalf("%s: %v", query, err)
	}
}

// upsertSession is Agno's upsert_session: a new row gets created_at and
// updated_at both the session's created_at (when its first run started);
// an existing one keeps created_at and gets updated_at = at. Agno 2 writes
// the runs column too; Agno 3 leaves it alone.
func (f *agnoFeed) upsertSession(id, user, name string, created, at int64) {
	f.t.Helper()
	data, _ := json.Marshal(map[string]any{"session_name": name})
	cols, vals, set := "session_id, session_type, agent_id, user_id, session_data, created_at, updated_at",
		"$1, 'agent', 'agent-1', $2, "+f.doc(3)+", $4, $4", "session_data = excluded.session_data, updated_at = $5"
	args := []any{id, user, string(data), created, at}
	status := ""
	if f.legacyRun && f.runs == "" {
		var runs []map[string]any
		for _, r := range f.runsOf[id] {
			runs = append(runs, map[string]any{"run_id": r.id, "agent_id": "agent-1", "session_id": id, "status": r.status, "created_at": r.created})
			status += r.id + ":" + r.status + " "
		}
		doc, _ := json.Marshal(runs)
		cols, vals, set = cols+", runs", vals+", "+f.doc(6), set+", runs = excluded.runs"
		args = append(args, string(doc))
	}
	f.exec("INSERT INTO "+f.sessions+" AS t ("+cols+") VALUES ("+vals+") ON CONFLICT (session_id) DO UPDATE SET "+set+
		" WHERE t.user_id = excluded.user_id OR t.user_id IS NULL", args...)
	var stored int64
	if err := f.s.Pool().QueryRowContext(ctx, "SELECT COALESCE(updated_at, created_at) FROM "+f.sessions+" WHERE session_id = $1", id).Scan(&stored); err != nil {
		f.t.Fatal(err)
	}
	f.dirty[(feedRow{id: id}).key()] = feedRow{id: id, user: user, at: stored, name: name, sessionStatus: status}
}

// saveRun is Agno saving a session after (or during) one of its runs: the
// session row, then on Agno 3 the run's own row.
func (f *agnoFeed) saveRun(sessionID, user, runID, status string, sessionCreated, runCreated, at int64) {
	f.t.Helper()
	runs := f.runsOf[sessionID]
	i := slices.IndexFunc(runs, func(r feedRun) bool { return r.id == runID })
	if i < 0 {
		runs = append(runs, feedRun{id: runID, created: runCreated})
		i = len(runs) - 1
	}
	runs[i].status = status
	f.runsOf[sessionID] = runs
	f.upsertSession(sessionID, user, "name of "+sessionID, sessionCreated, at)
	if f.runs != "" {
		f.upsertRun(sessionID, user, runs[i], i, at)
	}
}

// upsertRun is Agno 3's upsert_run: status, run_data, user_id and
// updated_at change on conflict, created_at never.
func (f *agnoFeed) upsertRun(sessionID, user string, r feedRun, index int, at int64) {
	f.t.Helper()
	data, _ := json.Marshal(map[string]any{"run_id": r.id, "agent_id": "agent-1", "session_id": sessionID, "status": r.status, "created_at": r.created})
	f.exec("INSERT INTO "+f.runs+" AS t (run_id, session_id, run_type, agent_id, user_id, status, run_index, run_data, created_at, updated_at) "+
		"VALUES ($1, $2, 'agent', 'agent-1', $3, $4, $5, "+f.doc(6)+", $7, $8) ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, "+
		"run_data = excluded.run_data, user_id = excluded.user_id, updated_at = excluded.updated_at, run_index = COALESCE(t.run_index, excluded.run_index)",
		r.id, sessionID, user, r.status, index, string(data), r.created, at)
	f.dirty[(feedRow{run: true, id: r.id}).key()] = feedRow{run: true, id: r.id, user: f.owner(sessionID), at: at, status: r.status}
}

// setRunStatus is a status-only run update: on Agno 3 the run row alone
// (update_run_in_session), on Agno 2 a save of the whole session.
func (f *agnoFeed) setRunStatus(sessionID, runID, status string, at int64) {
	f.t.Helper()
	runs := f.runsOf[sessionID]
	i := slices.IndexFunc(runs, func(r feedRun) bool { return r.id == runID })
	runs[i].status = status
	if f.runs == "" {
		f.upsertSession(sessionID, f.owner(sessionID), "name of "+sessionID, 0, at)
		return
	}
	data, _ := json.Marshal(map[string]any{"run_id": runID, "agent_id": "agent-1", "session_id": sessionID, "status": status, "created_at": runs[i].created})
	f.exec("UPDATE "+f.runs+" SET status = $1, run_data = "+f.doc(2)+", updated_at = $3 WHERE run_id = $4", status, string(data), at, runID)
	f.dirty[(feedRow{run: true, id: runID}).key()] = feedRow{run: true, id: runID, user: f.owner(sessionID), at: at, status: status}
}

// rename is a write of the session row alone (a rename, Agno's PATCH).
func (f *agnoFeed) rename(sessionID, name string, at int64) {
	f.t.Helper()
	f.upsertSession(sessionID, f.owner(sessionID), name, 0, at)
}

// deleteSession deletes a session and its runs as Agno 3 does.
func (f *agnoFeed) deleteSession(sessionID string) {
	f.t.Helper()
	if err := f.s.DeleteSession(ctx, sessionID, nil); err != nil {
		f.t.Fatal(err)
	}
	delete(f.dirty, (feedRow{id: sessionID}).key())
	for _, r := range f.runsOf[sessionID] {
		delete(f.dirty, (feedRow{run: true, id: r.id}).key())
	}
	delete(f.runsOf, sessionID)
}

func (f *agnoFeed) owner(sessionID string) string {
	var user string
	if err := f.s.Pool().QueryRowContext(ctx, "SELECT user_id FROM "+f.sessions+" WHERE session_id = $1", sessionID).Scan(&user); err != nil {
		f.t.Fatal(err)
	}
	return user
}

// read reads the feed until it has no more, limit changes at a time, and
// checks that it returned what was written since the last read, in order.
func (f *agnoFeed) read(limit int) []models.Change {
	f.t.Helper()
	var got []models.Change
	for range 100 {
		batch, err := f.s.Changes(ctx, f.cursor, limit)
		if err != nil {
			f.t.Fatal(err)
		}
		if len(batch.Changes) > limit {
			f.t.Fatalf("a batch of limit %d holds %d changes", limit, len(batch.Changes))
		}
		got = append(got, batch.Changes...)
		f.cursor = batch.Next
		if !batch.More {
			break
		}
	}
	want := make([]feedRow, 0, len(f.dirty))
	for _, r := range f.dirty {
		want = append(want, r)
	}
	slices.SortFunc(want, func(a, b feedRow) int {
		if a.at != b.at {
			return int(a.at - b.at)
		}
		if a.run != b.run {
			if a.run {
				return 1
			}
			return -1
		}
		return strings.Compare(a.id, b.id)
	})
	var wantLines, gotLines []string
	for _, r := range want {
		kind := models.ChangeKindCreated
		if f.delivered[r.key()] {
			kind = models.ChangeKindUpdated
		}
		f.delivered[r.key()] = true
		wantLines = append(wantLines, r.line(kind))
	}
	for _, ch := range got {
		gotLines = append(gotLines, f.lineOf(ch))
	}
	if !slices.Equal(gotLines, wantLines) {
		f.t.Errorf("the feed returned\n\t%s\nwant\n\t%s", strings.Join(gotLines, "\n\t"), strings.Join(wantLines, "\n\t"))
	}
	f.dirty = map[string]feedRow{}
	f.got = append(f.got, got...)
	return got
}

func (r feedRow) line(kind models.ChangeKind) string {
	if r.run {
		return fmt.Sprintf("%s run %s at %d of %s: %s", kind, r.id, r.at, r.user, r.status)
	}
	return fmt.Sprintf("%s session %s at %d of %s", kind, r.id, r.at, r.user)
}

// rowKey names the row a change is of.
func rowKey(ch models.Change) string {
	if ch.Run != nil {
		return "run/" + ch.Run.RunID
	}
	return "session/" + ch.Session.SessionID
}

func (f *agnoFeed) lineOf(ch models.Change) string {
	user := "<nil>"
	if u := ch.UserID(); u != nil {
		user = *u
	}
	if ch.Run != nil {
		status := "<nil>"
		if ch.Run.Status != nil {
			status = *ch.Run.Status
		}
		return fmt.Sprintf("%s run %s at %d of %s: %s", ch.Kind, ch.Run.RunID, ch.At, user, status)
	}
	return fmt.Sprintf("%s session %s at %d of %s", ch.Kind, ch.Session.SessionID, ch.At, user)
}

// scenario is the writes of one dashboard's minutes, with the feed read
// between them.
func scenario(f *agnoFeed, limit int) {
	f.t.Helper()
	f.saveRun("s-b", "ana", "r-b1", "RUNNING", t0, t0, t0)
	f.read(limit)
	// Same second as what was read: a new session whose id sorts first, and
	// a status change of a run already delivered in that state's second.
	f.saveRun("s-a", "bob", "r-a1", "COMPLETED", t0, t0, t0)
	f.setRunStatus("s-b", "r-b1", "COMPLETED", t0)
	f.read(limit)
	f.rename("s-a", "renamed", t0+1)
	f.saveRun("s-b", "ana", "r-b2", "RUNNING", t0, t0+1, t0+1)
	f.read(limit)
	// Committed after the second t0+1 was read, with an older timestamp.
	f.saveRun("s-c", "ana", "r-c1", "COMPLETED", t0, t0, t0)
	f.read(limit)
	f.read(limit) // nothing new
	f.setRunStatus("s-b", "r-b2", "COMPLETED", t0+2)
	f.deleteSession("s-a")
	f.read(limit)
	// Agno inserts a new session with the time its first run started.
	f.saveRun("s-d", "bob", "r-d1", "COMPLETED", t0+1, t0+1, t0+4)
	f.rename("s-c", "again", t0+4)
	f.setRunStatus("s-b", "r-b2", "ERROR", t0+4)
	f.setRunStatus("s-b", "r-b2", "COMPLETED", t0+4)
	f.read(limit)
}

func TestChangesDeliverEachWriteOnceInOrder(t *testing.T) {
	for _, b := range agnotest.EveryLayout(t, nil) {
		t.Run(b.Name, func(t *testing.T) {
			for _, limit := range []int{100, 1} {
				t.Run(fmt.Sprintf("%d at a time", limit), func(t *testing.T) {
					clearTables(t, b.Store)
					scenario(newAgnoFeed(t, b.Store), limit)
				})
			}
		})
	}
}

// clearTables empties a store's tables, so that one store serves several runs.
func clearTables(t *testing.T, s *db.Store) {
	t.Helper()
	d := s.Describe()
	for _, table := range []*string{d.RunsTable, &d.SessionTable} {
		if table != nil {
			if _, err := s.Pool().ExecContext(ctx, "DELETE FROM "+*table); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestChangesResumeFromEveryCursor resumes the feed from the cursor of each
// change (and from the zero cursor) and checks that it returns every row
// changed after that change, in its current state, and nothing else.
func TestChangesResumeFromEveryCursor(t *testing.T) {
	for _, b := range agnotest.EveryLayout(t, nil) {
		t.Run(b.Name, func(t *testing.T) {
			f := newAgnoFeed(t, b.Store)
			scenario(f, 100)
			deleted := func(ch models.Change) bool { _, live := f.runsOf[ch.SessionID()]; return !live }
			for i := -1; i < len(f.got); i++ {
				cursor := models.ChangeCursor{}
				if i >= 0 {
					var err error
					if cursor, err = models.DecodeChangeCursor(f.got[i].Cursor); err != nil {
						t.Fatal(err)
					}
				}
				// Every row changed after change i, as the last change says it is now.
				last := map[string]models.Change{}
				first := map[string]int{}
				for j, ch := range f.got {
					key := rowKey(ch)
					if _, ok := first[key]; !ok {
						first[key] = j
					}
					if j > i && !deleted(ch) {
						last[key] = ch
					}
				}
				var want []string
				for key, ch := range last {
					ch.Kind = models.ChangeKindUpdated
					if first[key] > i {
						ch.Kind = models.ChangeKindCreated
					}
					want = append(want, f.lineOf(ch))
					last[key] = ch
				}
				var got []string
				for range 20 {
					batch, err := b.Store.Changes(ctx, cursor, 2)
					if err != nil {
						t.Fatal(err)
					}
					for _, ch := range batch.Changes {
						got = append(got, f.lineOf(ch))
					}
					cursor = batch.Next
					if !batch.More {
						break
					}
				}
				sortedGot := slices.Clone(got)
				slices.Sort(sortedGot)
				slices.Sort(want)
				if !slices.Equal(sortedGot, want) {
					t.Errorf("resumed after change %d: got\n\t%s\nwant (in any order)\n\t%s", i, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
				}
			}
		})
	}
}

// now restarts the oracle's feed at ChangeCursorNow, as a watcher starts:
// what was written before is taken as delivered.
func (f *agnoFeed) now() {
	f.t.Helper()
	var err error
	if f.cursor, err = f.s.ChangeCursorNow(ctx); err != nil {
		f.t.Fatal(err)
	}
	for key := range f.dirty {
		f.delivered[key] = true
	}
	f.dirty = map[string]feedRow{}
}

func TestChangeCursorNowStartsAfterEveryRowButNotBeforeItsSecond(t *testing.T) {
	for _, memory := range []int{0, 2} {
		for _, b := range agnotest.EveryLayout(t, nil, func(o *db.Options) { o.ChangeMemory = memory }) {
			t.Run(fmt.Sprintf("%s remembering %d", b.Name, memory), func(t *testing.T) {
				f := newAgnoFeed(t, b.Store)
				f.saveRun("s-1", "ana", "r-1", "COMPLETED", t0, t0, t0)
				f.saveRun("s-3", "ana", "r-3", "RUNNING", t0+3, t0+3, t0+3)
				f.saveRun("s-4", "ana", "r-4", "RUNNING", t0+3, t0+3, t0+3)
				f.now()
				f.read(10) // nothing
				// In the newest second: a new session whose id sorts first, and
				// the status change of a run read in that second.
				f.saveRun("s-2", "bob", "r-2", "RUNNING", t0+3, t0+3, t0+3)
				f.setRunStatus("s-4", "r-4", "COMPLETED", t0+3)
				f.read(10)
			})
		}
	}
}

func TestChangesPageThroughASecondFullerThanTheCursorRemembers(t *testing.T) {
	for _, b := range agnotest.EveryLayout(t, nil, func(o *db.Options) { o.ChangeMemory = 3 }) {
		t.Run(b.Name, func(t *testing.T) {
			f := newAgnoFeed(t, b.Store)
			for i := 1; i <= 8; i++ {
				f.saveRun(fmt.Sprintf("s-%02d", i), "ana", fmt.Sprintf("r-%02d", i), "RUNNING", t0, t0, t0)
			}
			f.read(2)
			f.saveRun("s-09", "ana", "r-09", "RUNNING", t0, t0, t0)
			f.read(2)
			f.setRunStatus("s-09", "r-09", "COMPLETED", t0+1)
			f.saveRun("s-10", "bob", "r-10", "RUNNING", t0+1, t0+1, t0+1)
			f.read(2)
		})
	}
}

func TestChangesLookBackAsFarAsTheWindow(t *testing.T) {
	for _, window := range []time.Duration{0, 2 * time.Second} {
		for _, b := range agnotest.EveryLayout(t, nil, func(o *db.Options) { o.ChangeWindow = window }) {
			t.Run(fmt.Sprintf("%s, window %s", b.Name, window), func(t *testing.T) {
				f := newAgnoFeed(t, b.Store)
				f.saveRun("s-new", "ana", "r-new", "COMPLETED", t0+10, t0+10, t0+10)
				f.read(10)
				// Committed late: two and three seconds older than the newest read.
				f.saveRun("s-late2", "ana", "r-late2", "COMPLETED", t0+8, t0+8, t0+8)
				f.saveRun("s-late3", "ana", "r-late3", "COMPLETED", t0+7, t0+7, t0+7)
				if window > 0 { // past the window: missed
					delete(f.dirty, "false/s-late3")
					delete(f.dirty, "true/r-late3")
				}
				f.read(10)
			})
		}
	}
}

func TestChangesCarryTheOwnerOfTheSessionAndHonourScopes(t *testing.T) {
	for _, b := range agnotest.EveryLayout(t, nil) {
		t.Run(b.Name, func(t *testing.T) {
			f := newAgnoFeed(t, b.Store)
			f.saveRun("s-ana", "ana", "r-ana", "COMPLETED", t0, t0, t0)
			f.saveRun("s-bob", "bob", "r-bob", "COMPLETED", t0, t0, t0)
			if f.runs != "" { // the runs table's copy of the owner says otherwise
				f.exec("UPDATE " + f.runs + " SET user_id = 'bob' WHERE run_id = 'r-ana'")
			}
			f.read(10)
			for _, scoped := range []struct {
				name string
				ctx  context.Context
			}{{"an owner", db.WithOwner(ctx, "bob")}, {"a user asked for", db.WithUser(ctx, "bob")}} {
				batch, err := b.Store.Changes(scoped.ctx, models.ChangeCursor{}, 10)
				if err != nil {
					t.Fatal(err)
				}
				for _, ch := range batch.Changes {
					if u := ch.UserID(); u == nil || *u != "bob" || ch.SessionID() != "s-bob" {
						t.Errorf("restricted to %s, the feed returned %s", scoped.name, f.lineOf(ch))
					}
				}
				if want := 1 + len(f.runsOfTable()); len(batch.Changes) != want {
					t.Errorf("restricted to %s, the feed returned %d changes, want %d", scoped.name, len(batch.Changes), want)
				}
				seen, err := b.Store.Existing(scoped.ctx, []string{"s-ana", "s-bob"})
				if err != nil || seen["s-ana"] || !seen["s-bob"] {
					t.Errorf("restricted to %s, Existing = %v, %v; want only s-bob", scoped.name, seen, err)
				}
			}
		})
	}
}

// runsOfTable is r-bob when the database has a runs table: the run changes
// bob's feed holds.
func (f *agnoFeed) runsOfTable() []string {
	if f.runs == "" {
		return nil
	}
	return []string{"r-bob"}
}

func TestExistingReportsDeletedSessions(t *testing.T) {
	for _, b := range agnotest.EveryLayout(t, nil) {
		t.Run(b.Name, func(t *testing.T) {
			f := newAgnoFeed(t, b.Store)
			f.saveRun("s-kept", "ana", "r-kept", "COMPLETED", t0, t0, t0)
			f.saveRun("s-gone", "ana", "r-gone", "COMPLETED", t0, t0, t0)
			f.read(10)
			f.deleteSession("s-gone")
			f.read(10) // a delete is not in the feed
			got, err := b.Store.Existing(ctx, []string{"s-kept", "s-gone", "s-never", "s-kept"})
			want := map[string]bool{"s-kept": true, "s-gone": false, "s-never": false}
			if err != nil || !maps.Equal(got, want) {
				t.Errorf("Existing = %v, %v; want %v", got, err, want)
			}
			if got, err := b.Store.Existing(ctx, nil); err != nil || len(got) != 0 {
				t.Errorf("Existing(nil) = %v, %v", got, err)
			}
			_, err = b.Store.Existing(ctx, make([]string, db.MaxExistingIDs+1))
			if models.ErrorCode(err) != models.BadUserInput {
				t.Errorf("Existing of %d ids: %v, want BAD_USER_INPUT", db.MaxExistingIDs+1, err)
			}
		})
	}
}

func TestChangesTakeOneStatement(t *testing.T) {
	for _, b := range agnotest.EveryLayout(t, nil) {
		t.Run(b.Name, func(t *testing.T) {
			f := newAgnoFeed(t, b.Store)
			f.saveRun("s-1", "ana", "r-1", "COMPLETED", t0, t0, t0)
			for _, call := range []struct {
				name string
				run  func(context.Context) error
			}{
				{"Changes", func(ctx context.Context) error { _, err := b.Store.Changes(ctx, f.cursor, 10); return err }},
				{"ChangeCursorNow", func(ctx context.Context) error { _, err := b.Store.ChangeCursorNow(ctx); return err }},
				{"Existing", func(ctx context.Context) error { _, err := b.Store.Existing(ctx, []string{"s-1", "s-2"}); return err }},
			} {
				counted, counter := db.WithStatementCounter(ctx)
				if err := call.run(counted); err != nil {
					t.Fatal(err)
				}
				if counter.Count() != 1 {
					t.Errorf("%s ran %d statements, want 1", call.name, counter.Count())
				}
			}
			for _, limit := range []int{0, db.MaxChangeBatch + 1} {
				if _, err := b.Store.Changes(ctx, f.cursor, limit); models.ErrorCode(err) != models.BadUserInput {
					t.Errorf("Changes with limit %d: %v, want BAD_USER_INPUT", limit, err)
				}
			}
		})
	}
}

// TestChangesReadTheUpdatedIndexes checks with the planner's own word
// (EXPLAIN) that the feed reads both tables from their sg_*_updated index
// on a few thousand sessions, never scanning a table whole.
func TestChangesReadTheUpdatedIndexes(t *testing.T) {
	rows := dataset.Rows(dataset.Realistic(7, 2000, time.Unix(t0, 0)))
	stores := map[string]*db.Store{"sqlite": agnotest.OpenSQLite(t, agnotest.V3), "postgres": agnotest.OpenPostgres(t, agnotest.V3)}
	for name, s := range stores {
		t.Run(name, func(t *testing.T) {
			if err := s.InsertRows(ctx, rows, db.PlainJSON); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateIndexes(ctx, func(db.Index, time.Duration, bool) {}); err != nil {
				t.Fatal(err)
			}
			now, err := s.ChangeCursorNow(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, from := range []struct {
				name   string
				cursor models.ChangeCursor
			}{{"from the start", models.ChangeCursor{}}, {"from now", now}} {
				plan := explain(t, s, func() {
					if _, err := s.Changes(ctx, from.cursor, 100); err != nil {
						t.Fatal(err)
					}
				})
				for _, index := range []string{"sg_agno_sessions_updated", "sg_agno_runs_updated"} {
					if !strings.Contains(plan, index) {
						t.Errorf("%s: the plan does not use %s:\n%s", from.name, index, plan)
					}
				}
				for _, line := range strings.Split(plan, "\n") {
					// PostgreSQL's "Seq Scan on agno_runs r"; SQLite's "SCAN r"
					// (f0 and f1 are the statement's own subqueries).
					table, _, _ := strings.Cut(strings.TrimPrefix(line, "SCAN "), " ")
					if strings.Contains(line, "Seq Scan") || (strings.HasPrefix(line, "SCAN ") && !strings.Contains(line, "USING") && table != "f0" && table != "f1") {
						t.Errorf("%s: the plan scans a table:\n%s", from.name, plan)
					}
				}
			}
		})
	}
}

func TestChangesFollowAnUpgradeToAgno3(t *testing.T) {
	for name, s := range map[string]*db.Store{"sqlite": agnotest.OpenSQLite(t), "postgres": agnotest.OpenPostgres(t)} {
		t.Run(name, func(t *testing.T) {
			f := newAgnoFeed(t, s)
			f.saveRun("s-old", "ana", "r-old", "COMPLETED", t0, t0, t0)
			f.read(10)
			// Agno 3's first save creates the runs table; its migration copies
			// the legacy runs in with their own (older) timestamps.
			if err := s.CreateRunsTable(ctx); err != nil {
				t.Fatal(err)
			}
			user, status, old := "ana", "COMPLETED", int64(t0-100)
			copied := models.RunRow{RunID: "r-old", SessionID: "s-old", RunType: "agent", UserID: &user, Status: &status,
				RunData: json.RawMessage(`{"run_id": "r-old", "status": "COMPLETED"}`), CreatedAt: old, UpdatedAt: &old}
			if err := s.InsertRuns(ctx, []models.RunRow{copied}); err != nil {
				t.Fatal(err)
			}
			f.runs = *s.Describe().RunsTable
			f.read(10) // the copies are not news
			f.saveRun("s-old", "ana", "r-new", "RUNNING", t0, t0+5, t0+5)
			f.setRunStatus("s-old", "r-new", "COMPLETED", t0+6)
			f.read(10)
		})
	}
}

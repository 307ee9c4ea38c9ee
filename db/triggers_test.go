package db_test

// The NOTIFY triggers (install-triggers) against a real PostgreSQL: Agno's
// writes made in plain SQL as Agno makes them, and the notices a listener
// hears of them.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

// listener is a running Store.ListenChanges.
type listener struct {
	t       *testing.T
	notices chan models.ChangeNotice
	done    chan error
	stop    context.CancelFunc
}

// listen starts ListenChanges and waits until it listens (its Resync notice).
func listen(t *testing.T, s *db.Store) *listener {
	t.Helper()
	lctx, stop := context.WithCancel(ctx)
	l := &listener{t: t, notices: make(chan models.ChangeNotice, 1000), done: make(chan error, 1), stop: stop}
	go func() { l.done <- s.ListenChanges(lctx, func(n models.ChangeNotice) { l.notices <- n }) }()
	t.Cleanup(func() {
		stop()
		<-l.done
	})
	if n := l.next(); !n.Resync || n.Op != "" {
		t.Fatalf("the first notice is %+v, want the Resync of a listener that starts", n)
	}
	return l
}

// next returns the next notice, failing when none comes within 10 s.
func (l *listener) next() models.ChangeNotice {
	l.t.Helper()
	select {
	case n := <-l.notices:
		return n
	case err := <-l.done:
		l.t.Fatalf("ListenChanges returned %v", err)
	case <-time.After(10 * time.Second):
		l.t.Fatal("no notice came within 10 s")
	}
	return models.ChangeNotice{}
}

// expect reads len(want) notices and compares them with want, in any order
// (the order of one transaction's notices is PostgreSQL's firing order).
func (l *listener) expect(step string, want ...models.ChangeNotice) {
	l.t.Helper()
	var got []models.ChangeNotice
	for range want {
		got = append(got, l.next())
	}
	key := func(n models.ChangeNotice) string {
		return fmt.Sprintf("%v %v %s %q", n.Run, n.Op, n.SessionID, n.RunID)
	}
	sortNotices := func(ns []models.ChangeNotice) {
		slices.SortFunc(ns, func(a, b models.ChangeNotice) int { return strings.Compare(key(a), key(b)) })
	}
	sortNotices(got)
	sortNotices(want)
	if !reflect.DeepEqual(got, want) {
		l.t.Errorf("%s: notices\n%s\nwant\n%s", step, describeNotices(got), describeNotices(want))
	}
}

// expectNothingMore writes a marker session and checks that its notice is
// the next: every notice of earlier commits came before it.
func (l *listener) expectNothingMore(w *agnoWriter) {
	l.t.Helper()
	id := fmt.Sprintf("marker-%d", time.Now().UnixNano())
	w.upsertSession(id, "u-marker", t0)
	l.expect("after the last write", models.ChangeNotice{Op: models.ChangeKindCreated, SessionID: id})
}

func describeNotices(ns []models.ChangeNotice) string {
	var b strings.Builder
	for _, n := range ns {
		fmt.Fprintf(&b, "\t%+v", n)
		if n.Session != nil {
			fmt.Fprintf(&b, " session %+v", *n.Session)
		}
		if n.UserID != nil {
			fmt.Fprintf(&b, " user %q", *n.UserID)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// agnoWriter writes into a PostgreSQL store's tables as Agno does.
type agnoWriter struct {
	t              testing.TB
	s              *db.Store
	sessions, runs string // qualified; runs "" without a runs table
}

func newAgnoWriter(t testing.TB, s *db.Store) *agnoWriter {
	d := s.Describe()
	w := &agnoWriter{t: t, s: s, sessions: d.SessionTable}
	if d.RunsTable != nil {
		w.runs = *d.RunsTable
	}
	return w
}

func (w *agnoWriter) exec(query string, args ...any) {
	w.t.Helper()
	if _, err := w.s.Pool().ExecContext(ctx, query, args...); err != nil {
		w.t.Fatalf("%s: %v", query, err)
	}
}

// upsertSession is Agno's upsert_session of an agent session (with the runs
// column on Agno 2's layout).
func (w *agnoWriter) upsertSession(id, user string, at int64) {
	w.t.Helper()
	w.exec("INSERT INTO "+w.sessions+" AS t (session_id, session_type, agent_id, user_id, session_data, created_at, updated_at) "+
		"VALUES ($1, 'agent', 'agent-1', $2, CAST($3 AS jsonb), $4, $4) ON CONFLICT (session_id) DO UPDATE SET "+
		"session_data = excluded.session_data, updated_at = $4 WHERE t.user_id = excluded.user_id OR t.user_id IS NULL",
		id, user, `{"session_name": "a session"}`, at)
}

// upsertRun is Agno 3's upsert of a run's row.
func (w *agnoWriter) upsertRun(sessionID, user, runID, status string, at int64) {
	w.t.Helper()
	data, _ := json.Marshal(map[string]any{"run_id": runID, "status": status})
	w.exec("INSERT INTO "+w.runs+" AS t (run_id, session_id, run_type, agent_id, user_id, status, run_index, run_data, created_at, updated_at) "+
		"VALUES ($1, $2, 'agent', 'agent-1', $3, $4, 0, CAST($5 AS jsonb), $6, $6) ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, "+
		"run_data = excluded.run_data, user_id = excluded.user_id, updated_at = excluded.updated_at, run_index = COALESCE(t.run_index, excluded.run_index)",
		runID, sessionID, user, status, string(data), at)
}

// deleteSession is Agno 3's delete_session: the session row, then its runs,
// in one transaction (the foreign key's cascade has deleted them already).
func (w *agnoWriter) deleteSession(id string) {
	w.t.Helper()
	tx, err := w.s.Pool().BeginTx(ctx, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	stmts := []string{"DELETE FROM " + w.sessions + " WHERE session_id = $1"}
	if w.runs != "" {
		stmts = append(stmts, "DELETE FROM "+w.runs+" WHERE session_id = $1")
	}
	for _, stmt := range stmts {
		if _, err := tx.ExecContext(ctx, stmt, id); err != nil {
			w.t.Fatalf("%s: %v", stmt, err)
		}
	}
	if err := tx.Commit(); err != nil {
		w.t.Fatal(err)
	}
}

// deletedSession is the notice of a deleted session that upsertSession wrote.
func deletedSession(id, user string, created, updated int64) models.ChangeNotice {
	return models.ChangeNotice{Op: models.ChangeKindDeleted, SessionID: id, UserID: ptr(user),
		Session: &models.SessionRow{SessionID: id, SessionType: "agent", AgentID: ptr("agent-1"), UserID: ptr(user),
			CreatedAt: created, UpdatedAt: ptr(updated), Loaded: &models.SessionColumns{}}}
}

func install(t testing.TB, s *db.Store) []db.TriggerObject {
	t.Helper()
	done, err := s.InstallTriggers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return done
}

func triggerState(t *testing.T, s *db.Store) db.TriggerState {
	t.Helper()
	state, err := s.TriggersInstalled(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return state
}

func TestNotifyTriggersTellEveryWriteAsAgnoMakesIt(t *testing.T) {
	for _, layout := range []struct {
		name string
		opts []agnotest.Option
	}{{"on Agno 3's layout", []agnotest.Option{agnotest.V3}}, {"on Agno 2's layout, without a runs table", nil}} {
		t.Run(layout.name, func(t *testing.T) {
			s := agnotest.OpenPostgres(t, layout.opts...)
			w := newAgnoWriter(t, s)
			v3 := w.runs != ""
			if state := triggerState(t, s); state != (db.TriggerState{RunsTable: v3}) {
				t.Fatalf("before install-triggers: %+v", state)
			}
			want := []db.TriggerObject{{"function ai.sg_notify_change()", "created"}, {"trigger sg_notify_change on ai.agno_sessions", "created"}}
			runs := db.TriggerObject{Name: "trigger sg_notify_change on ai.agno_runs", Action: "created"}
			if !v3 {
				runs.Action = "not created: the table does not exist yet (Agno 3 creates it on its first run); run install-triggers again then"
			}
			want = append(want, runs)
			if got := install(t, s); !reflect.DeepEqual(got, want) {
				t.Errorf("install-triggers did %+v, want %+v", got, want)
			}
			if state := triggerState(t, s); !state.Complete() || state != (db.TriggerState{Sessions: true, Runs: v3, RunsTable: v3}) {
				t.Errorf("after install-triggers: %+v", state)
			}
			l := listen(t, s)

			w.upsertSession("s1", "alice", t0)
			l.expect("a new session", models.ChangeNotice{Op: models.ChangeKindCreated, SessionID: "s1"})
			w.upsertSession("s1", "alice", t0+5)
			l.expect("an upsert of an existing session", models.ChangeNotice{Op: models.ChangeKindUpdated, SessionID: "s1"})
			if v3 {
				w.upsertRun("s1", "alice", "r1", "RUNNING", t0+5)
				l.expect("a new run", models.ChangeNotice{Run: true, Op: models.ChangeKindCreated, SessionID: "s1", RunID: "r1"})
				w.upsertRun("s1", "alice", "r1", "COMPLETED", t0+6)
				w.upsertRun("s1", "alice", "r2", "RUNNING", t0+7)
				l.expect("a run's status, then another run",
					models.ChangeNotice{Run: true, Op: models.ChangeKindUpdated, SessionID: "s1", RunID: "r1"},
					models.ChangeNotice{Run: true, Op: models.ChangeKindCreated, SessionID: "s1", RunID: "r2"})
				w.exec("DELETE FROM "+w.runs+" WHERE run_id = $1", "r2")
				l.expect("Agno's delete_run", models.ChangeNotice{Run: true, Op: models.ChangeKindDeleted, SessionID: "s1", RunID: "r2", UserID: ptr("alice")})
			}

			tx, err := s.Pool().BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.ExecContext(ctx, "UPDATE "+w.sessions+" SET updated_at = 1 WHERE session_id = 's1'"); err != nil {
				t.Fatal(err)
			}
			if err := tx.Rollback(); err != nil {
				t.Fatal(err)
			}

			w.deleteSession("s1")
			wantDelete := []models.ChangeNotice{deletedSession("s1", "alice", t0, t0+5)}
			if v3 {
				wantDelete = append(wantDelete, models.ChangeNotice{Run: true, Op: models.ChangeKindDeleted, SessionID: "s1", RunID: "r1", UserID: ptr("alice")})
			}
			l.expect("Agno's delete_session (a rolled-back write before it)", wantDelete...)

			w.exec("INSERT INTO "+w.sessions+" (session_id, session_type, team_id, created_at) VALUES ('s2', 'team', 'team-1', $1)", t0)
			w.exec("DELETE FROM " + w.sessions + " WHERE session_id = 's2'")
			l.expect("a session without owner or updated_at, deleted",
				models.ChangeNotice{Op: models.ChangeKindCreated, SessionID: "s2"},
				models.ChangeNotice{Op: models.ChangeKindDeleted, SessionID: "s2",
					Session: &models.SessionRow{SessionID: "s2", SessionType: "team", TeamID: ptr("team-1"), CreatedAt: t0, Loaded: &models.SessionColumns{}}})

			w.exec("SELECT pg_notify($1, $2)", db.NoticeChannel, `{"op": "forged"}`)
			l.expectNothingMore(w)
			if n := s.MalformedNotices(); n != 1 {
				t.Errorf("%d malformed notices counted, want 1", n)
			}
		})
	}
}

func TestNotifyTriggerNeverFailsAWriteWithLongValues(t *testing.T) {
	s := agnotest.OpenPostgres(t, agnotest.V3)
	install(t, s)
	w := newAgnoWriter(t, s)
	l := listen(t, s)
	escaped := strings.Repeat("\x01", 600) // 3,600 bytes in JSON: kept in a cut payload
	long := strings.Repeat("é", 20_000)    // 40,000 bytes: never kept

	w.upsertSession(long, "u", t0)
	l.expect("a session whose id is too long for a payload", models.ChangeNotice{Resync: true, Op: models.ChangeKindCreated})
	w.upsertSession(escaped, long, t0)
	w.deleteSession(escaped)
	l.expect("a deleted session whose owner is too long for a payload",
		models.ChangeNotice{Op: models.ChangeKindCreated, SessionID: escaped},
		models.ChangeNotice{Resync: true, Op: models.ChangeKindDeleted, SessionID: escaped})

	// Ids around the longest a cut payload keeps (634 bytes with 8 kB
	// blocks), escaped 6 bytes a byte, in the longest table names
	// PostgreSQL allows, and an owner that never fits.
	s2, err := db.Open(ctx, db.Options{URL: dbURL(t, s), Table: strings.Repeat("s", 63), RunsTable: strings.Repeat("r", 63), CreateLayout: db.LayoutV3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s2.Close() })
	install(t, s2)
	w2 := newAgnoWriter(t, s2)
	l2 := listen(t, s2)
	for _, n := range []int{600, 634, 635, 700} {
		sid, rid := strings.Repeat("\x01", n), strings.Repeat("\x02", n)
		w2.upsertSession(sid, long, t0)
		w2.upsertRun(sid, long, rid, "RUNNING", t0)
		w2.deleteSession(sid)
		var got []models.ChangeNotice
		for range 4 {
			got = append(got, l2.next())
		}
		slices.SortFunc(got, func(a, b models.ChangeNotice) int {
			return strings.Compare(fmt.Sprint(a.Op, a.Run), fmt.Sprint(b.Op, b.Run))
		})
		for i, want := range []models.ChangeNotice{{Op: models.ChangeKindCreated}, {Run: true, Op: models.ChangeKindCreated},
			{Op: models.ChangeKindDeleted}, {Run: true, Op: models.ChangeKindDeleted}} {
			n := got[i]
			wantSID, wantRID := sid, rid
			if n.Resync && len(sid) > 634 {
				wantSID, wantRID = "", ""
			}
			if !want.Run {
				wantRID = ""
			}
			if n.Run != want.Run || n.Op != want.Op || n.SessionID != wantSID || n.RunID != wantRID ||
				(want.Op == models.ChangeKindDeleted && !n.Resync) {
				t.Errorf("ids of %d bytes: notice %d: Resync %v, Run %v, Op %s, ids of %d and %d bytes", len(sid), i, n.Resync, n.Run, n.Op, len(n.SessionID), len(n.RunID))
			}
		}
	}
	l.expectNothingMore(w)
}

// dbURL is the URL of s's PostgreSQL database.
func dbURL(t *testing.T, s *db.Store) string {
	t.Helper()
	var name, port string
	if err := s.Pool().QueryRowContext(ctx, "SELECT current_database(), current_setting('port')").Scan(&name, &port); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%s/%s?sslmode=disable", port, name)
}

// catalogObjects lists sg_notify_change functions and triggers in the database.
func catalogObjects(t *testing.T, s *db.Store) []string {
	t.Helper()
	rows, err := s.Pool().QueryContext(ctx, `SELECT 'function ' || pronamespace::regnamespace || '.' || proname FROM pg_proc WHERE proname = 'sg_notify_change'
		UNION ALL SELECT 'trigger on ' || tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'sg_notify_change' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	return out
}

func actions(objs []db.TriggerObject) string {
	var out []string
	for _, o := range objs {
		out = append(out, o.Name+": "+o.Action)
	}
	return strings.Join(out, "; ")
}

func TestInstallTriggersIsIdempotentAndUninstallLeavesNothing(t *testing.T) {
	s := agnotest.OpenPostgres(t, agnotest.V3)
	install(t, s)
	const all = "function ai.sg_notify_change(): exists; trigger sg_notify_change on ai.agno_sessions: exists; trigger sg_notify_change on ai.agno_runs: exists"
	if got := actions(install(t, s)); got != all {
		t.Errorf("a second install-triggers did: %s", got)
	}

	t.Run("a disabled trigger is not installed, and is replaced", func(t *testing.T) {
		if err := s.GORM().Exec("ALTER TABLE ai.agno_runs DISABLE TRIGGER sg_notify_change").Error; err != nil {
			t.Fatal(err)
		}
		if state := triggerState(t, s); state.Complete() || state != (db.TriggerState{Sessions: true, RunsTable: true}) {
			t.Errorf("with the runs table's trigger disabled: %+v", state)
		}
		if got := actions(install(t, s)); got != strings.Replace(all, "agno_runs: exists", "agno_runs: replaced", 1) {
			t.Errorf("install-triggers did: %s", got)
		}
		if !triggerState(t, s).Complete() {
			t.Error("install-triggers did not enable it")
		}
	})
	t.Run("a function of another version is not installed, and is replaced", func(t *testing.T) {
		if err := s.GORM().Exec("CREATE OR REPLACE FUNCTION ai.sg_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$").Error; err != nil {
			t.Fatal(err)
		}
		if state := triggerState(t, s); state != (db.TriggerState{RunsTable: true}) {
			t.Errorf("with an old function: %+v", state)
		}
		if got := actions(install(t, s)); got != strings.Replace(all, "(): exists", "(): replaced", 1) {
			t.Errorf("install-triggers did: %s", got)
		}
		if !triggerState(t, s).Complete() {
			t.Error("install-triggers did not replace it")
		}
	})

	done, err := s.UninstallTriggers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(done); got != "trigger sg_notify_change on ai.agno_sessions: dropped; trigger sg_notify_change on ai.agno_runs: dropped; function ai.sg_notify_change(): dropped" {
		t.Errorf("uninstall-triggers did: %s", got)
	}
	if left := catalogObjects(t, s); len(left) > 0 {
		t.Errorf("uninstall-triggers left %v", left)
	}
	if state := triggerState(t, s); state != (db.TriggerState{RunsTable: true}) {
		t.Errorf("after uninstall-triggers: %+v", state)
	}
	w := newAgnoWriter(t, s)
	w.upsertSession("s1", "alice", t0)
	w.upsertRun("s1", "alice", "r1", "COMPLETED", t0)
	w.upsertSession("s1", "alice", t0+1)
	w.deleteSession("s1")
	done, err = s.UninstallTriggers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(done); got != "trigger sg_notify_change on ai.agno_sessions: absent; trigger sg_notify_change on ai.agno_runs: absent; function ai.sg_notify_change(): absent" {
		t.Errorf("a second uninstall-triggers did: %s", got)
	}

	other, err := db.New(db.Options{URL: dbURL(t, s), Table: "not_there"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.InstallTriggers(ctx); err == nil || !strings.Contains(err.Error(), "ai.not_there does not exist") {
		t.Errorf("install-triggers on a sessions table that does not exist: %v", err)
	}
}

func TestInstallTriggersAgainOnceAgno3CreatesTheRunsTable(t *testing.T) {
	s := agnotest.OpenPostgres(t)
	done, err := s.UninstallTriggers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(done); got != "trigger sg_notify_change on ai.agno_sessions: absent; trigger sg_notify_change on ai.agno_runs: absent: the table does not exist; function ai.sg_notify_change(): absent" {
		t.Errorf("uninstall-triggers on Agno 2's layout, before install-triggers, did: %s", got)
	}
	if got := actions(install(t, s)); got != "function ai.sg_notify_change(): created; trigger sg_notify_change on ai.agno_sessions: created; "+
		"trigger sg_notify_change on ai.agno_runs: not created: the table does not exist yet (Agno 3 creates it on its first run); run install-triggers again then" {
		t.Errorf("install-triggers on Agno 2's layout did: %s", got)
	}
	if state := triggerState(t, s); !state.Complete() {
		t.Errorf("on Agno 2's layout: %+v", state)
	}
	if err := s.CreateRunsTable(ctx); err != nil {
		t.Fatal(err)
	}
	if state := triggerState(t, s); state.Complete() || state != (db.TriggerState{Sessions: true, RunsTable: true}) {
		t.Errorf("once Agno 3 created the runs table: %+v", state)
	}
	if got := actions(install(t, s)); got != "function ai.sg_notify_change(): exists; trigger sg_notify_change on ai.agno_sessions: exists; trigger sg_notify_change on ai.agno_runs: created" {
		t.Errorf("install-triggers again did: %s", got)
	}
	if state := triggerState(t, s); !state.Complete() {
		t.Errorf("after install-triggers again: %+v", state)
	}
}

func TestNotifyTriggersOfTwoSessionTablesDoNotMix(t *testing.T) {
	a := agnotest.OpenPostgres(t, agnotest.V3)
	b, err := db.Open(ctx, db.Options{URL: dbURL(t, a), Table: "team_sessions", CreateLayout: db.LayoutV3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	install(t, a)
	install(t, b)
	la := listen(t, a)
	wa, wb := newAgnoWriter(t, a), newAgnoWriter(t, b)
	wb.upsertSession("b1", "bob", t0)
	wb.upsertRun("b1", "bob", "rb1", "RUNNING", t0)
	wa.upsertSession("a1", "alice", t0)
	la.expect("writes to both configurations' tables", models.ChangeNotice{Op: models.ChangeKindCreated, SessionID: "a1"})

	done, err := a.UninstallTriggers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := done[len(done)-1].Action; got != "kept: the triggers on ai.team_sessions, ai.team_sessions_runs still call it" {
		t.Errorf("uninstall-triggers of one configuration: the function %s", got)
	}
	if !triggerState(t, b).Complete() {
		t.Error("uninstalling one configuration's triggers removed the other's")
	}
	if _, err := b.UninstallTriggers(ctx); err != nil {
		t.Fatal(err)
	}
	if left := catalogObjects(t, a); len(left) > 0 {
		t.Errorf("uninstall-triggers of both left %v", left)
	}
}

func TestListenChangesReturns(t *testing.T) {
	s := agnotest.OpenPostgres(t)
	t.Run("nil when its context is done", func(t *testing.T) {
		lctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		listening := make(chan struct{})
		go func() {
			done <- s.ListenChanges(lctx, func(n models.ChangeNotice) {
				if n.Resync {
					close(listening)
				}
			})
		}()
		<-listening
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ListenChanges returned %v", err)
		}
	})
	t.Run("an error when its connection fails", func(t *testing.T) {
		done := make(chan error, 1)
		listening := make(chan struct{})
		go func() {
			done <- s.ListenChanges(ctx, func(n models.ChangeNotice) {
				if n.Resync {
					close(listening)
				}
			})
		}()
		<-listening
		var killed bool
		if err := s.Pool().QueryRowContext(ctx, "SELECT bool_or(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query = $1",
			"LISTEN "+db.NoticeChannel).Scan(&killed); err != nil || !killed {
			t.Fatalf("terminating the listener's connection: %v %v", killed, err)
		}
		select {
		case err := <-done:
			if err == nil {
				t.Error("ListenChanges returned nil")
			}
		case <-time.After(10 * time.Second):
			t.Error("ListenChanges did not return")
		}
	})
}

func TestNotifyTriggersAreRefusedOnSQLite(t *testing.T) {
	s := agnotest.OpenSQLite(t)
	var e *models.Error
	for name, call := range map[string]func() error{
		"install":   func() error { _, err := s.InstallTriggers(ctx); return err },
		"uninstall": func() error { _, err := s.UninstallTriggers(ctx); return err },
		"listen":    func() error { return s.ListenChanges(ctx, func(models.ChangeNotice) {}) },
	} {
		if err := call(); !errors.As(err, &e) || e.Code != models.BadUserInput || !strings.Contains(err.Error(), "PostgreSQL only") {
			t.Errorf("%s on SQLite: %v", name, err)
		}
	}
	if state, err := s.TriggersInstalled(ctx); err != nil || state != (db.TriggerState{}) {
		t.Errorf("TriggersInstalled on SQLite: %+v, %v", state, err)
	}
}

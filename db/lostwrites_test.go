package db_test

// No lost writes: what happens when our writes meet Agno's on the same rows.
//
// Agno 2.9 saves a session by read-modify-write of the whole row. It reads the
// row when a run starts (or reuses its in-memory copy for the agent's lifetime
// with cache_session=True), appends the run and updates session_data
// (session_metrics, session_state) in Python, and when the run ends upserts
// every column from that copy:
//
//	INSERT … ON CONFLICT (session_id) DO UPDATE SET agent_id, user_id,
//	agent_data, session_data, summary, metadata, runs = <the copy's values>,
//	updated_at = now WHERE existing.user_id = new.user_id OR existing.user_id IS NULL
//
// The conflict branch writes the copy's values, not the row it conflicts with,
// so nothing is merged: Agno's save replaces session_data as a whole.
//
// RenameSession is one UPDATE that sets session_name inside the session_data
// the row holds at that instant (jsonb_set / json_set) and sets updated_at; it
// never writes runs or any other column. What follows from the two:
//
//   - No run Agno saves is ever lost to a rename, whatever the interleaving:
//     the rename keeps the runs the row holds when it writes. On PostgreSQL an
//     UPDATE that waits for Agno's row lock is re-applied to the row Agno
//     committed; SQLite runs one writer at a time.
//   - A rename and an Agno save never touch "different keys", although one
//     changes session_name and the other appends to runs: Agno rewrites the
//     whole session_data column from its copy, session_name included. A rename
//     that commits between Agno's read and Agno's upsert is overwritten: the
//     name Agno read comes back (with Agno's view of every other session_data
//     key). A rename committed before Agno's read or after its upsert survives,
//     and Agno carries it forward. Nothing in SQL can prevent this short of
//     Agno merging session_data itself.
//   - A writer that updates only other columns in place (Agno 2.9 has none; a
//     run appended with jsonb || stands for one) and our renames lose nothing.
//   - A read-modify-write rename, as Agno's own rename does on SQLite, loses
//     every run Agno saves between its read and its write. The tests run such
//     a rename through the same schedules and load to show they catch it.

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

// agnoDB is a backend as an Agno process writes to it.
type agnoDB struct {
	s *db.Store
	// enc is how Agno writes JSON on SQLite: double-encoded up to 2.9, plain after.
	enc db.SQLiteEncoding
}

func agnoDBOf(b agnotest.Backend) agnoDB {
	if b.Name == "sqlite double-encoded" {
		return agnoDB{b.Store, db.DoubleEncoded}
	}
	return agnoDB{b.Store, db.PlainJSON}
}

// agnoCopy is a session as Agno holds it in memory between reading and saving it.
type agnoCopy struct {
	row         models.SessionRow
	sessionData map[string]any
	runs        []json.RawMessage
}

// agnoRead reads a session into memory as Agno's get_session does.
func agnoRead(a agnoDB, id string) (*agnoCopy, error) {
	row, err := a.s.GetSession(ctx, id, nil, models.AllColumns)
	if err != nil {
		return nil, err
	}
	if row == nil {
		return nil, fmt.Errorf("session %s not found", id)
	}
	c := &agnoCopy{row: *row}
	if err := json.Unmarshal(nullIfAbsent(row.SessionData), &c.sessionData); err != nil {
		return nil, fmt.Errorf("session %s: session_data: %w", id, err)
	}
	if err := json.Unmarshal(nullIfAbsent(row.Runs), &c.runs); err != nil {
		return nil, fmt.Errorf("session %s: runs: %w", id, err)
	}
	return c, nil
}

func nullIfAbsent(doc json.RawMessage) json.RawMessage {
	if doc == nil {
		return json.RawMessage("null")
	}
	return doc
}

// addRun does in memory what an Agno run does before it saves: it appends
// the run and updates the session metrics in session_data.
func (c *agnoCopy) addRun(runID string) {
	c.runs = append(c.runs, agnoRunJSON(c.row.SessionID, runID))
	if c.sessionData == nil {
		c.sessionData = map[string]any{}
	}
	c.sessionData["session_metrics"] = map[string]any{"total_tokens": 10 * len(c.runs)}
}

func agnoRunJSON(sessionID, runID string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"run_id": %q, "agent_id": "agent-1", "session_id": %q, "user_id": "u-1", "content": "answer", "content_type": "str", "status": "COMPLETED", "created_at": 1757000100}`,
		runID, sessionID))
}

// agnoUpsertSQL is the statement Agno 2.9's upsert_session sends for an agent
// session (db/postgres/postgres.py and db/sqlite/sqlite.py, as SQLAlchemy
// compiles on_conflict_do_update): the conflict branch sets each column to a
// parameter holding the in-memory copy's value, guarded by ownership.
const agnoUpsertSQL = `INSERT INTO %[1]s (session_id, session_type, agent_id, user_id, agent_data, session_data, metadata, runs, summary, created_at, updated_at)
VALUES (?, ?, ?, ?, %[2]s, %[2]s, %[2]s, %[2]s, %[2]s, ?, ?)
ON CONFLICT (session_id) DO UPDATE SET agent_id = ?, user_id = ?, agent_data = %[2]s, session_data = %[2]s, summary = %[2]s, metadata = %[2]s, runs = %[2]s, updated_at = ?
WHERE %[1]s.user_id = ? OR %[1]s.user_id IS NULL
RETURNING session_id`

// agnoUpsert saves a copy through g (the store's pool or a transaction) as
// Agno does. It fails when the ownership guard refuses the update.
func agnoUpsert(g *gorm.DB, a agnoDB, c *agnoCopy) error {
	table, param := `"agno_sessions"`, "?"
	if a.s.Dialect() == db.Postgres {
		table, param = `"ai"."agno_sessions"`, "CAST(? AS jsonb)"
	}
	sessionData, err := json.Marshal(c.sessionData)
	if err != nil {
		return err
	}
	runs := json.RawMessage("null") // Agno stores no runs as None
	if len(c.runs) > 0 {
		if runs, err = json.Marshal(c.runs); err != nil {
			return err
		}
	}
	var docs [5]string
	for i, doc := range []json.RawMessage{c.row.AgentData, sessionData, c.row.Metadata, runs, c.row.Summary} {
		if docs[i], err = agnoJSONParam(a, doc); err != nil {
			return err
		}
	}
	agentData, data, metadata, runsParam, summary := docs[0], docs[1], docs[2], docs[3], docs[4]
	r := c.row
	rows, err := g.Raw(fmt.Sprintf(agnoUpsertSQL, table, param),
		r.SessionID, "agent", r.AgentID, r.UserID, agentData, data, metadata, runsParam, summary, r.CreatedAt, r.CreatedAt,
		r.AgentID, r.UserID, agentData, data, summary, metadata, runsParam, time.Now().Unix(), r.UserID).Rows()
	if err != nil {
		return fmt.Errorf("Agno's upsert of %s: %w", r.SessionID, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return fmt.Errorf("Agno's upsert of %s: %w", r.SessionID, err)
		}
		return fmt.Errorf("Agno's upsert of %s: refused by the ownership guard", r.SessionID)
	}
	return nil
}

// agnoJSONParam is the parameter Agno binds for a JSON column: the document
// (None as JSON null) for jsonb; on SQLite the text SQLAlchemy's json.dumps
// makes of it, after Agno's own json.dumps up to 2.9 (double encoding).
func agnoJSONParam(a agnoDB, doc json.RawMessage) (string, error) {
	if doc == nil || string(doc) == "null" {
		return "null", nil
	}
	if a.s.Dialect() == db.Postgres {
		return string(doc), nil
	}
	dumped, err := models.PythonJSONDumps(doc, 0)
	if err != nil || a.enc == db.PlainJSON {
		return dumped, err
	}
	quoted, err := json.Marshal(dumped)
	if err != nil {
		return "", err
	}
	return models.PythonJSONDumps(quoted, 0)
}

// twoStep is a write that may read first: it does what comes before the
// write and returns the write, so that tests can put other writes between.
type twoStep func(a agnoDB, id, arg string) (write func() error, err error)

// agnoSavesRun is an Agno run: it reads the session, and its write (after
// the model call) appends run arg in memory and upserts the whole row.
func agnoSavesRun(a agnoDB, id, runID string) (func() error, error) {
	c, err := agnoRead(a, id)
	if err != nil {
		return nil, err
	}
	return func() error {
		c.addRun(runID)
		return agnoUpsert(a.s.GORM(), a, c)
	}, nil
}

// appendsRunInPlace is a writer that touches only runs (and updated_at):
// one UPDATE appending run arg to the stored array, in the row's encoding.
func appendsRunInPlace(a agnoDB, id, runID string) (func() error, error) {
	query := `UPDATE "ai"."agno_sessions" SET runs = runs || jsonb_build_array(CAST(? AS jsonb)), updated_at = ? WHERE session_id = ?`
	switch {
	case a.s.Dialect() == db.SQLite && a.enc == db.DoubleEncoded:
		query = `UPDATE "agno_sessions" SET runs = json_quote(json_insert(runs ->> '$', '$[#]', json(?)) || ''), updated_at = ? WHERE session_id = ?`
	case a.s.Dialect() == db.SQLite:
		query = `UPDATE "agno_sessions" SET runs = json_insert(runs, '$[#]', json(?)), updated_at = ? WHERE session_id = ?`
	}
	return func() error {
		res := a.s.GORM().Exec(query, string(agnoRunJSON(id, runID)), time.Now().Unix(), id)
		if res.Error == nil && res.RowsAffected != 1 {
			return fmt.Errorf("appending run %s to %s updated %d rows", runID, id, res.RowsAffected)
		}
		return res.Error
	}, nil
}

// ourRename is RenameSession: nothing before its single UPDATE.
func ourRename(a agnoDB, id, name string) (func() error, error) {
	return func() error {
		row, err := a.s.RenameSession(ctx, id, name, nil)
		if err != nil {
			return err
		}
		var data struct {
			SessionName string `json:"session_name"`
		}
		if err := json.Unmarshal(row.SessionData, &data); err != nil || data.SessionName != name {
			return fmt.Errorf("RenameSession(%s, %q) returned session_data %s", id, name, row.SessionData)
		}
		return nil
	}, nil
}

// readModifyWriteRename renames as Agno's SQLite backend does (rename_session
// = get_session, set session_name in memory, upsert_session): the naive
// rename these tests must catch losing runs.
func readModifyWriteRename(a agnoDB, id, name string) (func() error, error) {
	c, err := agnoRead(a, id)
	if err != nil {
		return nil, err
	}
	return func() error {
		if c.sessionData == nil {
			c.sessionData = map[string]any{}
		}
		c.sessionData["session_name"] = name
		return agnoUpsert(a.s.GORM(), a, c)
	}, nil
}

// raceSession is an agent session as Agno's first run leaves it: named,
// with state, metrics and one run (<id>-run-first).
func raceSession(id string) models.SessionRow {
	return models.SessionRow{SessionID: id, SessionType: "agent", AgentID: ptr("agent-1"), UserID: ptr("u-1"),
		SessionData: json.RawMessage(`{"session_name": "Initial", "session_state": {"cart": ["tea"]}, "session_metrics": {"total_tokens": 10}}`),
		AgentData:   json.RawMessage(`{"name": "Helper", "agent_id": "agent-1"}`),
		Metadata:    json.RawMessage(`{"env": "test"}`),
		Runs:        json.RawMessage(`[` + string(agnoRunJSON(id, id+"-run-first")) + `]`),
		CreatedAt:   1757000000, UpdatedAt: ptr(int64(1757000000))}
}

// stored returns a session's stored name and run ids, in order.
func stored(t *testing.T, s *db.Store, id string) (name string, runIDs []string) {
	t.Helper()
	row, err := s.GetSession(ctx, id, nil, models.AllColumns)
	if err != nil || row == nil {
		t.Fatalf("reading %s: %v (row %v)", id, err, row)
	}
	var data struct {
		SessionName string `json:"session_name"`
	}
	var runs []struct {
		RunID string `json:"run_id"`
	}
	if err := json.Unmarshal(nullIfAbsent(row.SessionData), &data); err != nil {
		t.Fatalf("%s session_data %s: %v", id, row.SessionData, err)
	}
	if err := json.Unmarshal(nullIfAbsent(row.Runs), &runs); err != nil {
		t.Fatalf("%s runs %s: %v", id, row.Runs, err)
	}
	for _, r := range runs {
		runIDs = append(runIDs, r.RunID)
	}
	return data.SessionName, runIDs
}

// TestRenameAgainstAgnoSaveOfTheSameRow runs every interleaving of a rename
// (its read, if it has one, and its write) with an Agno run (its read and
// its upsert) on one row, for RenameSession and for a read-modify-write
// rename. The name survives exactly when the rename's write is not between
// Agno's read and Agno's upsert, for both renames; RenameSession keeps
// Agno's run in every interleaving, the read-modify-write rename loses it
// whenever Agno's upsert falls between its read and its write.
func TestRenameAgainstAgnoSaveOfTheSameRow(t *testing.T) {
	type step int
	const (
		agnoReads step = iota
		agnoUpserts
		renameReads
		renameWrites
	)
	schedules := []struct {
		name         string
		steps        []step
		nameSurvives bool
		rmwKeepsRun  bool // the read-modify-write rename keeps Agno's run
	}{
		{"Agno reads, the rename writes, Agno upserts: Agno writes back the name it read",
			[]step{agnoReads, renameReads, renameWrites, agnoUpserts}, false, true},
		{"the rename reads, Agno reads, the rename writes, Agno upserts: Agno writes back the name it read",
			[]step{renameReads, agnoReads, renameWrites, agnoUpserts}, false, true},
		{"the rename writes before Agno reads: Agno carries the new name forward",
			[]step{renameReads, renameWrites, agnoReads, agnoUpserts}, true, true},
		{"the rename writes after Agno upserts: the name is set on Agno's row",
			[]step{agnoReads, agnoUpserts, renameReads, renameWrites}, true, true},
		{"Agno upserts between the rename's read and write: the name survives",
			[]step{renameReads, agnoReads, agnoUpserts, renameWrites}, true, false},
		{"Agno reads first and upserts between the rename's read and write: the name survives",
			[]step{agnoReads, renameReads, agnoUpserts, renameWrites}, true, false},
	}
	renamers := []struct {
		name   string
		rename twoStep
		rmw    bool
	}{{"RenameSession", ourRename, false}, {"a read-modify-write rename", readModifyWriteRename, true}}

	var rows []models.SessionRow
	sessionID := func(i, j int) string { return fmt.Sprintf("order-%d-%d", i, j) }
	for i := range schedules {
		for j := range renamers {
			rows = append(rows, raceSession(sessionID(i, j)))
		}
	}
	rows = append(rows, raceSession("waits"))
	for _, b := range agnotest.Backends(t, rows) {
		a := agnoDBOf(b)
		t.Run(b.Name, func(t *testing.T) {
			for i, sc := range schedules {
				for j, rn := range renamers {
					t.Run(rn.name+"/"+sc.name, func(t *testing.T) {
						id := sessionID(i, j)
						var agnoWrite, renameWrite func() error
						var err error
						for _, st := range sc.steps {
							switch st {
							case agnoReads:
								agnoWrite, err = agnoSavesRun(a, id, "run-new")
							case agnoUpserts:
								err = agnoWrite()
							case renameReads:
								renameWrite, err = rn.rename(a, id, "Ours")
							case renameWrites:
								err = renameWrite()
							}
							if err != nil {
								t.Fatal(err)
							}
						}
						name, runs := stored(t, a.s, id)
						wantName := "Initial"
						if sc.nameSurvives {
							wantName = "Ours"
						}
						if name != wantName {
							t.Errorf("stored name %q, want %q", name, wantName)
						}
						wantRuns := []string{id + "-run-first", "run-new"}
						if rn.rmw && !sc.rmwKeepsRun {
							wantRuns = wantRuns[:1] // the run Agno saved is lost
						}
						if !slices.Equal(runs, wantRuns) {
							t.Errorf("stored runs %v, want %v", runs, wantRuns)
						}
					})
				}
			}

			// Agno's upsert has taken the row's lock and not committed when
			// RenameSession starts: the rename waits (PostgreSQL's row lock,
			// SQLite's busy timeout) and then renames the row Agno committed.
			t.Run("RenameSession waiting for Agno's uncommitted upsert renames the row Agno commits", func(t *testing.T) {
				c, err := agnoRead(a, "waits")
				if err != nil {
					t.Fatal(err)
				}
				c.addRun("run-new")
				tx := a.s.GORM().Begin()
				if tx.Error != nil {
					t.Fatal(tx.Error)
				}
				defer tx.Rollback()
				if err := agnoUpsert(tx, a, c); err != nil {
					t.Fatal(err)
				}
				renamed := make(chan error, 1)
				go func() {
					write, _ := ourRename(a, "waits", "Ours")
					renamed <- write()
				}()
				waitForLockWait(t, a)
				select {
				case err := <-renamed:
					t.Fatalf("the rename returned (%v) while Agno's upsert was uncommitted", err)
				default:
				}
				if err := tx.Commit().Error; err != nil {
					t.Fatal(err)
				}
				if err := <-renamed; err != nil {
					t.Fatal(err)
				}
				name, runs := stored(t, a.s, "waits")
				if want := []string{"waits-run-first", "run-new"}; name != "Ours" || !slices.Equal(runs, want) {
					t.Errorf("stored name %q, runs %v; want Ours, %v", name, runs, want)
				}
			})
		})
	}
}

// waitForLockWait returns once a statement on PostgreSQL waits for a lock.
// SQLite cannot tell, so it gives the rename time to reach its busy wait; if
// it is slower, it renames after the commit and the outcome is the same.
func waitForLockWait(t *testing.T, a agnoDB) {
	t.Helper()
	if a.s.Dialect() != db.Postgres {
		time.Sleep(50 * time.Millisecond)
		return
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		var waiting int
		err := a.s.GORM().Raw(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting).Error
		if err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			return
		}
	}
	t.Fatal("the rename never waited for the row lock of Agno's upsert")
}

// TestRenamesRacingRunSaves puts load on the same rows. For each session one
// writer saves runs one after another (an Agno run pauses between its read
// and its upsert for the model call, and after it for the user's turn) while
// one renamer renames it; each rename waits between its read, if it has one,
// and its write until the writer has saved again. Afterwards every run saved
// must be stored, in order. Before each rename and at the end, the renamer
// checks that the name it wrote last is still stored: only the writer can
// have replaced it.
func TestRenamesRacingRunSaves(t *testing.T) {
	const sessions, rounds, modelCall, userTurn = 2, 20, time.Millisecond, time.Millisecond
	cases := []struct {
		name   string
		save   twoStep
		rename twoStep
		check  func(t *testing.T, lost []string, overwritten int64)
	}{
		{"Agno's run saves lose no run to RenameSession, but may write back an older name", agnoSavesRun, ourRename,
			func(t *testing.T, lost []string, overwritten int64) {
				if len(lost) > 0 {
					t.Errorf("runs lost: %v", lost)
				}
				t.Logf("Agno's upserts wrote back an older name over %d of %d renames", overwritten, sessions*rounds)
			}},
		{"in-place run appends and RenameSession lose neither runs nor names", appendsRunInPlace, ourRename,
			func(t *testing.T, lost []string, overwritten int64) {
				if len(lost) > 0 || overwritten > 0 {
					t.Errorf("runs lost: %v; renames overwritten: %d", lost, overwritten)
				}
			}},
		{"a read-modify-write rename would lose Agno's runs under the same load", agnoSavesRun, readModifyWriteRename,
			func(t *testing.T, lost []string, overwritten int64) {
				if len(lost) == 0 {
					t.Error("no run lost: this test cannot tell a rename that loses runs from one that does not")
				}
				t.Logf("%d of %d runs lost; Agno's upserts wrote back an older name over %d renames", len(lost), sessions*rounds, overwritten)
			}},
	}
	sessionID := func(c, i int) string { return fmt.Sprintf("race-%d-%d", c, i) }
	runID := func(id string, k int) string { return fmt.Sprintf("%s-run-%d", id, k) }
	var rows []models.SessionRow
	for c := range cases {
		for i := range sessions {
			rows = append(rows, raceSession(sessionID(c, i)))
		}
	}
	for _, b := range agnotest.Backends(t, rows) {
		a := agnoDBOf(b)
		t.Run(b.Name, func(t *testing.T) {
			for c, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					var overwritten atomic.Int64
					var wg sync.WaitGroup
					for i := range sessions {
						id := sessionID(c, i)
						var saves atomic.Int64
						var saving atomic.Bool
						saving.Store(true)
						wg.Go(func() {
							defer saving.Store(false)
							for k := range rounds {
								write, err := tc.save(a, id, runID(id, k))
								if err == nil {
									time.Sleep(modelCall)
									err = write()
								}
								if err != nil {
									t.Error(err)
									return
								}
								saves.Add(1)
								time.Sleep(userTurn)
							}
						})
						wg.Go(func() {
							written := "Initial"
							stillStored := func() error {
								c, err := agnoRead(a, id)
								if err == nil && c.sessionData["session_name"] != written {
									overwritten.Add(1)
								}
								return err
							}
							for k := range rounds {
								time.Sleep(rand.N(2 * modelCall))
								if err := stillStored(); err != nil {
									t.Error(err)
									return
								}
								name := fmt.Sprintf("%s-name-%d", id, k)
								write, err := tc.rename(a, id, name)
								if err == nil {
									before := saves.Load()
									for deadline := time.Now().Add(50 * time.Millisecond); saves.Load() == before && saving.Load() && time.Now().Before(deadline); {
										time.Sleep(100 * time.Microsecond)
									}
									err = write()
								}
								if err != nil {
									t.Error(err)
									return
								}
								written = name
							}
							for saving.Load() {
								time.Sleep(time.Millisecond)
							}
							if err := stillStored(); err != nil {
								t.Error(err)
							}
						})
					}
					wg.Wait()

					var lost []string
					for i := range sessions {
						id := sessionID(c, i)
						_, runs := stored(t, a.s, id)
						want := []string{id + "-run-first"}
						for k := range rounds {
							want = append(want, runID(id, k))
						}
						kept := slices.DeleteFunc(slices.Clone(want), func(r string) bool {
							if !slices.Contains(runs, r) {
								lost = append(lost, r)
								return true
							}
							return false
						})
						if !slices.Equal(runs, kept) {
							t.Errorf("%s: runs %v are not the runs saved, in order", id, runs)
						}
					}
					tc.check(t, lost, overwritten.Load())
				})
			}
		})
	}
}

// TestDeleteSessionsFailingPartWayDeletesNothing makes the database refuse
// one row in the middle of a batch: DeleteSessions must return the error
// (INTERNAL, not a panic) and leave every row of the batch in place, and
// leave its connection usable (no transaction left open on it).
func TestDeleteSessionsFailingPartWayDeletesNothing(t *testing.T) {
	ids := []string{"d-1", "d-2", "d-3", "d-4", "d-5"}
	var rows []models.SessionRow
	for _, id := range ids {
		rows = append(rows, raceSession(id))
	}
	// The trigger refuses d-3 only once another row of the batch is already
	// gone, so the failure is part-way by construction: if d-3 came first,
	// the batch would be deleted whole and the test would fail.
	const batchLeft = `(SELECT count(*) FROM %s WHERE session_id IN ('d-1', 'd-2', 'd-3', 'd-4', 'd-5')) < 5`
	triggers := map[db.Dialect][]string{
		db.Postgres: {
			`CREATE FUNCTION ai.refuse_d3() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF OLD.session_id = 'd-3' AND ` + fmt.Sprintf(batchLeft, "ai.agno_sessions") + ` THEN
		RAISE EXCEPTION 'refusing to delete %', OLD.session_id;
	END IF;
	RETURN OLD;
END $$`,
			`CREATE TRIGGER refuse_d3 BEFORE DELETE ON ai.agno_sessions FOR EACH ROW EXECUTE FUNCTION ai.refuse_d3()`,
		},
		db.SQLite: {
			`CREATE TRIGGER refuse_d3 BEFORE DELETE ON agno_sessions
WHEN OLD.session_id = 'd-3' AND ` + fmt.Sprintf(batchLeft, "agno_sessions") + `
BEGIN SELECT RAISE(ABORT, 'refusing to delete d-3'); END`,
		},
	}
	agent := models.SessionTypeAgent
	forms := []struct {
		name  string
		types []models.SessionType
	}{{"by id", nil}, {"by id and type", []models.SessionType{agent, agent, agent, agent, agent}}}

	for _, b := range agnotest.Backends(t, rows) {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Store
			for _, stmt := range triggers[s.Dialect()] {
				if err := s.GORM().Exec(stmt).Error; err != nil {
					t.Fatal(err)
				}
			}
			remaining := func() int {
				var n int
				table := "agno_sessions"
				if s.Dialect() == db.Postgres {
					table = "ai.agno_sessions"
				}
				if err := s.GORM().Raw("SELECT count(*) FROM "+table+" WHERE session_id IN ?", ids).Scan(&n).Error; err != nil {
					t.Fatal(err)
				}
				return n
			}
			for _, form := range forms {
				t.Run("a batch "+form.name+" is rolled back whole and its error returned", func(t *testing.T) {
					// More calls than the pool has connections: a transaction
					// left open would exhaust the pool or break the next call.
					for range db.DefaultMaxConns() + 5 {
						var deleted, notFound []string
						var err error
						func() {
							defer func() {
								if p := recover(); p != nil {
									t.Fatalf("DeleteSessions panicked: %v", p)
								}
							}()
							deleted, notFound, err = s.DeleteSessions(ctx, ids, form.types)
						}()
						if err == nil {
							t.Fatalf("DeleteSessions succeeded (deleted %v, not found %v); want the trigger's error", deleted, notFound)
						}
						if models.ErrorCode(err) != models.Internal || !strings.Contains(err.Error(), "refusing to delete d-3") {
							t.Fatalf("error %v, want INTERNAL wrapping the trigger's refusal", err)
						}
						if deleted != nil || notFound != nil {
							t.Errorf("a failed delete reported deleted %v, not found %v", deleted, notFound)
						}
						if n := remaining(); n != len(ids) {
							t.Fatalf("%d of %d rows left after a failed batch delete", n, len(ids))
						}
					}
				})
			}
			t.Run("once the database allows it, the same batch deletes every row", func(t *testing.T) {
				drop := "DROP TRIGGER refuse_d3"
				if s.Dialect() == db.Postgres {
					drop += " ON ai.agno_sessions"
				}
				if err := s.GORM().Exec(drop).Error; err != nil {
					t.Fatal(err)
				}
				deleted, notFound, err := s.DeleteSessions(ctx, ids, nil)
				if err != nil || !slices.Equal(deleted, ids) || len(notFound) != 0 {
					t.Errorf("deleted %v, not found %v, err %v", deleted, notFound, err)
				}
				if n := remaining(); n != 0 {
					t.Errorf("%d rows left", n)
				}
			})
		})
	}
}

package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strconv"

	"modernc.org/sqlite"

	"sessiongraph/models"
)

// MaxChangeBatch bounds the changes one Changes call returns.
const MaxChangeBatch = 1000

// MaxExistingIDs bounds the session ids one Existing call checks.
const MaxExistingIDs = 1000

// Changes returns the changes after a cursor (see models.ChangeCursor): the
// rows of the sessions table, and of Agno 3's runs table where the database
// has one, written since then, at most limit of them, oldest first, each
// with the cursor after it. It reads both tables in one statement (on
// PostgreSQL, one snapshot of both), each in the order of its sg_*_updated
// index (see RecommendedIndexes), from the cursor's window on. On Agno 2's layout, and for runs Agno 3 left in the
// legacy runs column, a run that is added or changes is a change of its
// session's row (UPDATED); with a runs table, Agno 3 changes a run without
// writing its session row, and the change is the run's.
//
// A row's version, which tells two writes in one second apart, is
// PostgreSQL's xmin (a new one on every write) and, on SQLite, which has no
// such thing, a hash of the row's columns (sg_row_version).
//
// The feed is meant to be read by one watcher per database for every user:
// each change carries the owner its session row names (for a run too, not
// the runs table's copy), for the watcher to filter on. A caller restricted
// to an owner (WithOwner, WithUser) gets that user's changes only.
// Deletions are not in the feed: see Existing. BAD_USER_INPUT unless
// 1 <= limit <= MaxChangeBatch.
func (s *Store) Changes(ctx context.Context, after models.ChangeCursor, limit int) (models.ChangeBatch, error) {
	if limit < 1 || limit > MaxChangeBatch {
		return models.ChangeBatch{}, models.Errorf(models.BadUserInput, "a change batch holds 1 to %d changes, not %d", MaxChangeBatch, limit)
	}
	release, err := s.enter(ctx)
	if err != nil {
		return models.ChangeBatch{}, err
	}
	defer release()
	l := s.lay()
	sessionsRange, runsRange := after.Ranges(s.feed, limit)
	tables := s.feedTables(ctx, l)
	query, args := tables[0].read(sessionsRange)
	if len(tables) > 1 {
		runsQuery, runsArgs := tables[1].read(runsRange)
		query, args = "SELECT * FROM ("+query+") f0 UNION ALL SELECT * FROM ("+runsQuery+") f1", append(args, runsArgs...)
	}
	read, err := s.readFeed(ctx, l, query, args)
	if err != nil {
		return models.ChangeBatch{}, internal("reading changes", err)
	}
	return after.Advance(read, s.feed, limit), nil
}

// ChangeCursorNow returns the cursor after every row written so far, from
// which Changes returns later writes only: it remembers the rows of each
// table within the window of the newest, so that a later write in those
// seconds is delivered and theirs are not. One statement.
func (s *Store) ChangeCursorNow(ctx context.Context) (models.ChangeCursor, error) {
	release, err := s.enter(ctx)
	if err != nil {
		return models.ChangeCursor{}, err
	}
	defer release()
	l := s.lay()
	var query string
	var args []any
	for i, t := range s.feedTables(ctx, l) {
		q, a := t.newest(s.feed)
		if i > 0 {
			query += " UNION ALL "
		}
		query += fmt.Sprintf("SELECT * FROM (%s) f%d", q, i)
		args = append(args, a...)
	}
	newest, err := s.readFeed(ctx, l, query, args)
	if err != nil {
		return models.ChangeCursor{}, internal("reading the newest changes", err)
	}
	return models.ChangeCursorAfter(newest, s.feed), nil
}

// Existing reports which of sessionIDs name a session row, in one
// statement: the watcher of a feed checks the sessions its subscribers
// watch, and one that is gone was deleted. Every id given is a key of the
// answer. Sessions a caller restricted to an owner does not see count as
// absent. BAD_USER_INPUT for more than MaxExistingIDs ids.
func (s *Store) Existing(ctx context.Context, sessionIDs []string) (map[string]bool, error) {
	if len(sessionIDs) > MaxExistingIDs {
		return nil, models.Errorf(models.BadUserInput, "at most %d session ids at a time, not %d", MaxExistingIDs, len(sessionIDs))
	}
	out := make(map[string]bool, len(sessionIDs))
	var ids []any
	for _, id := range sessionIDs {
		if _, dup := out[id]; !dup {
			out[id] = false
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	release, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	w := &where{}
	w.add("session_id IN ("+placeholders(len(ids), "?")+")", ids...)
	scope(ctx, w)
	err = s.queryRows(ctx, "SELECT session_id FROM "+s.from+w.sql(), w.args, func(sc scanner) error {
		var id string
		if err := sc.Scan(&id); err != nil {
			return err
		}
		out[id] = true
		return nil
	})
	if err != nil {
		return nil, internal("checking which sessions exist", err)
	}
	return out, nil
}

// feedTable is one table of the change feed as its statements read it.
type feedTable struct {
	// from is the FROM clause and its parameters: the runs table is joined
	// to its sessions' owners, restricted as the caller is.
	from     string
	fromArgs []any
	// cond restricts the rows (the caller's scope on the sessions table).
	cond *where
	// key is the row's timestamp and tie its id compared byte-wise, as the
	// table's sg_*_updated index has them.
	key, tie string
	// cols is the select list scanChange reads.
	cols string
}

// feedTables returns the sessions table, then the runs table when the
// database has one.
func (s *Store) feedTables(ctx context.Context, l *layout) []feedTable {
	owners := scope(ctx, &where{})
	version := "CAST(CAST(xmin AS text) AS bigint)"
	if s.dialect == SQLite {
		version = "sg_row_version(session_type, agent_id, team_id, workflow_id, user_id, session_data, agent_data, team_data, workflow_data, metadata, summary"
		if l.legacyRuns {
			version += ", runs"
		}
		version += ")"
	}
	key := s.orderKey(models.SessionOrderFieldUpdatedAt)
	sessions := feedTable{from: s.from, cond: owners, key: key, tie: l.sql.tieKey,
		cols: "0, session_id, session_id, session_type, agent_id, team_id, workflow_id, user_id, CAST(NULL AS VARCHAR), " +
			"CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS BIGINT), created_at, updated_at, " + key + ", " + version}
	if !l.runsTable {
		return []feedTable{sessions}
	}
	version = "CAST(CAST(r.xmin AS text) AS bigint)"
	if s.dialect == SQLite {
		version = "sg_row_version(r.run_type, r.agent_id, r.team_id, r.workflow_id, r.user_id, r.parent_run_id, r.status, r.run_index, r.run_data)"
	}
	key = "COALESCE(r.updated_at, r.created_at)"
	runs := feedTable{
		from:     s.runsFrom + " r JOIN (SELECT session_id, user_id FROM " + s.from + owners.sql() + ") o ON o.session_id = r.session_id",
		fromArgs: owners.args, cond: &where{}, key: key, tie: s.runTie(),
		cols: "1, r.run_id, r.session_id, CAST(NULL AS VARCHAR), r.agent_id, r.team_id, r.workflow_id, o.user_id, r.run_type, " +
			"r.parent_run_id, r.status, r.run_index, r.created_at, r.updated_at, " + key + ", " + version,
	}
	return []feedTable{sessions, runs}
}

// where returns a copy of the table's restriction, to add to.
func (t feedTable) where() *where {
	return &where{conds: slices.Clone(t.cond.conds), args: slices.Clone(t.cond.args)}
}

// read is the statement reading r of the table.
func (t feedTable) read(r models.FeedRange) (string, []any) {
	w := t.where()
	// The bound on the key alone lets the index seek; the row comparison is exact.
	w.add(t.key+" >= ?", r.From)
	if r.AfterID != "" {
		w.add("("+t.key+", "+t.tie+") > (?, ?)", r.From, r.AfterID)
	}
	return fmt.Sprintf("SELECT %s FROM %s%s ORDER BY %s, %s LIMIT %d", t.cols, t.from, w.sql(), t.key, t.tie, r.Limit),
		append(slices.Clone(t.fromArgs), w.args...)
}

// newest is the statement reading the table's newest rows, newest first:
// those within cfg.Window seconds of the newest, at most cfg.MaxSeen+1.
func (t feedTable) newest(cfg models.FeedConfig) (string, []any) {
	newest := fmt.Sprintf("SELECT %s FROM %s%s ORDER BY %s DESC, %s DESC LIMIT 1", t.key, t.from, t.cond.sql(), t.key, t.tie)
	w := t.where()
	w.add(t.key+" >= ("+newest+") - ?", append(append(slices.Clone(t.fromArgs), t.cond.args...), cfg.Window)...)
	return fmt.Sprintf("SELECT %s FROM %s%s ORDER BY %s DESC, %s DESC LIMIT %d", t.cols, t.from, w.sql(), t.key, t.tie, cfg.MaxSeen+1),
		append(slices.Clone(t.fromArgs), w.args...)
}

// readFeed runs a statement of feedTables' select lists and returns its
// rows by table, in the order read.
func (s *Store) readFeed(ctx context.Context, l *layout, query string, args []any) (models.FeedRead, error) {
	read := models.FeedRead{RunsTable: l.runsTable}
	err := s.queryRows(ctx, query, args, func(sc scanner) error {
		ch, err := scanChange(sc)
		if ch.Run != nil {
			read.Runs = append(read.Runs, ch)
		} else {
			read.Sessions = append(read.Sessions, ch)
		}
		return err
	})
	return read, err
}

// scanChange reads a row of feedTables' select lists.
func scanChange(sc scanner) (models.Change, error) {
	var (
		table                                    int
		id, sessionID                            string
		sessionType, agentID, teamID, workflowID sql.NullString
		userID, runType, parentRunID, status     sql.NullString
		runIndex, updatedAt                      sql.NullInt64
		createdAt, at, version                   int64
	)
	if err := sc.Scan(&table, &id, &sessionID, &sessionType, &agentID, &teamID, &workflowID, &userID, &runType,
		&parentRunID, &status, &runIndex, &createdAt, &updatedAt, &at, &version); err != nil {
		return models.Change{}, err
	}
	ch := models.Change{At: at, Version: uint32(version)}
	var updated *int64
	if updatedAt.Valid {
		updated = &updatedAt.Int64
	}
	if table == 0 {
		ch.Session = &models.SessionRow{SessionID: sessionID, SessionType: sessionType.String, AgentID: nullString(agentID),
			TeamID: nullString(teamID), WorkflowID: nullString(workflowID), UserID: nullString(userID),
			CreatedAt: createdAt, UpdatedAt: updated, Loaded: &models.SessionColumns{}}
		return ch, nil
	}
	ch.Run = &models.RunRow{RunID: id, SessionID: sessionID, RunType: runType.String, AgentID: nullString(agentID),
		TeamID: nullString(teamID), WorkflowID: nullString(workflowID), UserID: nullString(userID),
		ParentRunID: nullString(parentRunID), Status: nullString(status), CreatedAt: createdAt, UpdatedAt: updated}
	if runIndex.Valid {
		ch.Run.RunIndex = &runIndex.Int64
	}
	return ch, nil
}

// sqliteRowVersion is sg_row_version, registered on the SQLite driver: a
// hash of its arguments (each with its type), which changes when any of
// them does.
func sqliteRowVersion(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	h := fnv.New64a()
	var buf []byte
	for _, a := range args {
		buf = buf[:0]
		switch v := a.(type) {
		case nil:
			buf = append(buf, 0)
		case int64:
			buf = binary.BigEndian.AppendUint64(append(buf, 1), uint64(v))
		case float64:
			buf = binary.BigEndian.AppendUint64(append(buf, 2), math.Float64bits(v))
		case string:
			buf = append(binary.BigEndian.AppendUint64(append(buf, 3), uint64(len(v))), v...)
		case []byte:
			buf = append(binary.BigEndian.AppendUint64(append(buf, 4), uint64(len(v))), v...)
		default:
			buf = append(append(buf, 5), strconv.Quote(fmt.Sprint(v))...)
		}
		_, _ = h.Write(buf)
	}
	return int64(h.Sum64()), nil
}

func init() {
	sqlite.MustRegisterDeterministicScalarFunction("sg_row_version", -1, sqliteRowVersion)
}

package db

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/tidwall/gjson"

	"sessiongraph/models"
)

// A derived name (a session without a stored session_name) is read from the
// first runs of its session, up to the first that decides it (see the name
// branch of runsQuery). Reading them means detoasting and decompressing
// each of those runs' run_data: on a page of 20 sessions about a millisecond
// of PostgreSQL's time, most of what listing sessions costs. Yet Agno only
// appends runs, so once a run decides a name, the name stays as long as that
// run and the runs before it stay as they are.
//
// The names cache keeps, per session, what a name branch read (the reduced
// runs, already small) with each run's row version: run_id, xmin and ctid.
// The sessions statement reads, for each session whose name is derived, the
// versions of its first runs (nameVersionsRead of them, from the (session_id,
// run_index) index and the runs' heap tuples, without detoasting run_data);
// when they are those the cache holds, the name is derived from the cached
// runs, and the runs statement reads no run for it. Otherwise the runs
// statement reads them, and the cache keeps what it read. A cached name is
// never served stale: its versions are checked in the snapshot of the
// statement that read the session.
//
// A row's xmin is the transaction that wrote that version of it: any update
// (Agno's upsert of a run included) or a delete and insert gives a new one,
// and a version the cache saw committed cannot share it with a later one
// except after 2^32 transactions, when the ctid would have to match too.
// Only PostgreSQL has row versions; SQLite reads the runs every time.

// namesCacheSize is how many sessions' name runs the cache keeps (least
// recently used first out), and nameEntryMaxBytes the most bytes of reduced
// runs one may hold: at most about 32 MiB in all, typically a few hundred
// bytes an entry (the input and the user messages of one or two runs).
// nameVersionsRead is how many of a session's first runs the sessions
// statement reads the versions of: a name is usually decided by the first
// run, a team's by the first leader's run, which member runs may precede.
const (
	namesCacheSize    = 8192
	nameEntryMaxBytes = 4 << 10
	nameVersionsRead  = 4
)

// nameEntry is what one name branch read for a session.
type nameEntry struct {
	typ  models.SessionType // the session's effective type: it chooses the runs read and the deciding ones
	ids  []string           // the runs read, in Agno's order
	vers []string           // their row versions (nameVersion)
	// decided says that the last run read decides the name: the runs after
	// it do not matter. Otherwise the runs read were all of the session's,
	// and a new one could decide it.
	decided bool
	runs    json.RawMessage // the reduced runs, as the branch read them (NameRuns)
	// memo is the name derived from runs, once a read has derived it.
	memo models.NameMemo
	// current is the last NameVersions found current for the entry: the
	// check depends on nothing else, so the same bytes are current again
	// without parsing them.
	current atomic.Pointer[[]byte]
}

// namesCache maps session ids to their nameEntry; nil on SQLite.
type namesCache = lru.Cache[string, *nameEntry]

func newNamesCache(d Dialect) *namesCache {
	if d != Postgres {
		return nil
	}
	c, err := lru.New[string, *nameEntry](namesCacheSize)
	if err != nil { // only for a size below 1
		panic(err)
	}
	return c
}

// cachedNameRuns returns the cached name runs of a session row whose
// NameVersions the sessions statement read, and the memo of the name derived
// from them, when they are current: the session's first runs are those the
// cache holds, at the same versions.
func (s *Store) cachedNameRuns(r *models.SessionRow) (json.RawMessage, *models.NameMemo, bool) {
	if s.names == nil || len(r.NameVersions) == 0 {
		return nil, nil, false
	}
	e, ok := s.names.Get(r.SessionID)
	if !ok || e.typ != r.EffectiveType() {
		return nil, nil, false
	}
	if seen := e.current.Load(); seen != nil && bytes.Equal(*seen, r.NameVersions) {
		return e.runs, &e.memo, true
	}
	workflow := e.typ == models.SessionTypeWorkflow
	read, matched, current := 0, 0, true
	gjson.ParseBytes(r.NameVersions).ForEach(func(_, run gjson.Result) bool {
		read++
		id, typ, ver := run.Get("0").String(), run.Get("1").String(), run.Get("2").String()
		if workflow && typ != "workflow" { // as the name branch reads them
			return true
		}
		if matched == len(e.ids) { // a run after those cached
			current = e.decided
			return false
		}
		if id != e.ids[matched] || ver != e.vers[matched] {
			current = false
			return false
		}
		matched++
		return true
	})
	if !current || matched < len(e.ids) {
		return nil, nil, false
	}
	if !e.decided && read >= nameVersionsRead { // more runs may follow, unread
		return nil, nil, false
	}
	seen := bytes.Clone(r.NameVersions) // the row's bytes may be its scan buffer
	e.current.Store(&seen)
	return e.runs, &e.memo, true
}

// rememberName keeps what a name branch read for a session, when the runs
// statement returned each run's version and the whole fits the cache.
// lastDecides says whether the last run read decides the name. It returns
// the kept entry's name memo, nil when none is kept.
func (s *Store) rememberName(sessionID string, typ models.SessionType, runs []runRead, lastDecides bool, docs json.RawMessage) *models.NameMemo {
	if s.names == nil {
		return nil
	}
	// An entry the sessions statement's versions (of the first
	// nameVersionsRead runs) could never find current is not kept.
	if len(runs) == 0 || len(runs) > nameVersionsRead || (!lastDecides && len(runs) == nameVersionsRead) || len(docs) > nameEntryMaxBytes {
		s.names.Remove(sessionID)
		return nil
	}
	e := &nameEntry{typ: typ, ids: make([]string, len(runs)), vers: make([]string, len(runs)), decided: lastDecides, runs: docs}
	for i, rr := range runs {
		if rr.ver == "" {
			s.names.Remove(sessionID)
			return nil
		}
		e.ids[i], e.vers[i] = rr.id, rr.ver
	}
	s.names.Add(sessionID, e)
	return &e.memo
}

// nameVersion is a runs table row's version in SQL, as nameEntry.vers holds
// it; of the row of table (its name or alias) when table is not empty.
func nameVersion(table string) string {
	if table != "" {
		table += "."
	}
	return table + "xmin::text || ',' || " + table + "ctid::text"
}

// nameVersionsSQL is the sessions statement's column of NameVersions: for a
// session without a stored name, [run_id, run_type, version] of its first
// runs in Agno's order. The session's id comes in through a FROM-less
// subquery, where it can only be the sessions statement's column, whatever
// that statement calls its table.
func nameVersionsSQL(runsFrom string) string {
	return fmt.Sprintf(`CASE WHEN `+pgStoredName+` IS NULL THEN
		(SELECT jsonb_agg(jsonb_build_array(r.run_id, r.run_type, r.v) ORDER BY %[1]s)
		FROM (SELECT session_id AS sid) o CROSS JOIN LATERAL (SELECT run_id, run_type, %[2]s AS v, run_index, created_at
			FROM %[3]s WHERE session_id = o.sid ORDER BY %[4]s LIMIT %[5]d) r) END`,
		"r.run_index, r.created_at, r.run_id", nameVersion(""), runsFrom, runOrder, nameVersionsRead)
}

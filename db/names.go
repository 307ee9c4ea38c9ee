package db

import (
	"encoding/json"
	"fmt"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/jackc/pgx/v5/pgtype"

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
// A later runs statement checks those versions in SQL, from the (session_id,
// run_index) index and the runs' heap tuples without detoasting run_data,
// and reads the runs again, in the same statement, only when they differ.
// So a cached name is never served stale: the check runs in the snapshot
// of the statement that would otherwise have read the runs.
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
const (
	namesCacheSize    = 8192
	nameEntryMaxBytes = 4 << 10
)

// nameEntry is what one name branch read for a session.
type nameEntry struct {
	typ  models.SessionType // the session's effective type: it chooses the deciding runs
	ids  []string           // the runs read, in Agno's order
	vers []string           // their row versions, xmin,ctid
	// n is how many of the session's first runs the check reads: all of
	// ids when the last of them decides the name, one more otherwise (a
	// new run could decide it, and then must be read).
	n    int
	runs json.RawMessage // the reduced runs, as the branch read them (NameRuns)
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

// cachedName returns the cache entry of a session of type typ, or nil.
func (s *Store) cachedName(sessionID string, typ models.SessionType) *nameEntry {
	if s.names == nil {
		return nil
	}
	e, ok := s.names.Get(sessionID)
	if !ok || e.typ != typ {
		return nil
	}
	return e
}

// rememberName keeps what a name branch read for a session, when the runs
// statement returned each run's version and the whole fits the cache.
// lastDecides says whether the last run read decides the name.
func (s *Store) rememberName(sessionID string, typ models.SessionType, runs []runRead, lastDecides bool, docs json.RawMessage) {
	if s.names == nil {
		return
	}
	if len(runs) == 0 || len(docs) > nameEntryMaxBytes {
		s.names.Remove(sessionID)
		return
	}
	e := &nameEntry{typ: typ, ids: make([]string, len(runs)), vers: make([]string, len(runs)), n: len(runs), runs: docs}
	for i, rr := range runs {
		if rr.ver == "" {
			s.names.Remove(sessionID)
			return
		}
		e.ids[i], e.vers[i] = rr.id, rr.ver
	}
	if !lastDecides {
		e.n++
	}
	s.names.Add(sessionID, e)
}

// nameVersion is a runs table row's version in SQL, as nameEntry.vers holds it.
const nameVersion = "xmin::text || ',' || ctid::text"

// nameCheck is a condition, true when the first runs of a session (of only
// the workflow runs: only) are still those e holds, at the same versions,
// with its arguments. It reads the (session_id, run_index) index and the
// runs' heap tuples, not their run_data.
func (s *Store) nameCheck(e *nameEntry, only string, sessionID string) (string, []any) {
	q := fmt.Sprintf("COALESCE((SELECT array_agg(run_id::text ORDER BY %[1]s) = CAST(? AS text[]) AND array_agg(v ORDER BY %[1]s) = CAST(? AS text[]) "+
		"FROM (SELECT run_id, %[2]s AS v, run_index, created_at FROM %[3]s WHERE session_id = ?%[4]s ORDER BY %[1]s LIMIT %[5]d) f), false)",
		runOrder, nameVersion, s.runsFrom, only, e.n)
	return q, []any{textArray(e.ids), textArray(e.vers), sessionID}
}

// textArray is a text[] parameter: pgx encodes it, and GORM, which expands a
// slice into a list of parameters, passes it as one.
func textArray(v []string) pgtype.Array[string] {
	return pgtype.Array[string]{Elements: v, Dims: []pgtype.ArrayDimension{{Length: int32(len(v)), LowerBound: 1}}, Valid: true}
}

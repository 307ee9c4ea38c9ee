package db

import (
	"context"
	"fmt"

	"sessiongraph/models"
)

// Facet names what a facet counts.
type Facet int

const (
	// FacetUsers: the sessions' user_id (sessions without one left out), counting sessions.
	FacetUsers Facet = iota
	// FacetComponents: the sessions' type and component id (agent_id, team_id
	// or workflow_id per type; sessions without one left out), counting sessions.
	FacetComponents
	// FacetModels: the model of each run of the sessions (API.md "Which runs
	// count": every run stored, nested copies not), counting runs.
	FacetModels
)

// FacetValues returns the distinct values of facet over the sessions
// matching filter (nil for all), restricted as ctx is (see scope), most
// frequent first, ties by value byte-wise (then by session type), at most
// first of them: one statement. first outside 0..models.MaxFacetValues is
// BAD_USER_INPUT.
func (s *Store) FacetValues(ctx context.Context, facet Facet, filter *models.SessionFilter, first int) ([]*models.FacetValue, error) {
	if err := models.CheckPageSizeUpTo("first", int64(first), models.MaxFacetValues); err != nil {
		return nil, err
	}
	if first == 0 {
		return []*models.FacetValue{}, nil
	}
	release, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	w := scope(ctx, s.filterWhere(filter))
	var query string
	switch facet {
	case FacetUsers, FacetComponents:
		if len(w.conds) == 0 && s.usesFacetCounts(s.lay()) {
			// Every session's: the facet counts' rows, kept by their triggers.
			key, typ := facetKeyUser, "NULL"
			if facet == FacetComponents {
				key, typ = facetKeyComponent, "session_type"
			}
			query = "SELECT value AS v, " + typ + " AS t, n FROM " + s.qualify(s.facetsTableName()) + " WHERE facet = '" + key + "' AND n > 0"
		} else if facet == FacetUsers {
			query = "SELECT user_id AS v, NULL AS t, count(*) AS n FROM " + s.from + w.sql() + " GROUP BY user_id"
		} else {
			query = "SELECT v, t, count(*) AS n FROM (SELECT " + effectiveType + " AS t, " + componentOf + " AS v FROM " + s.from + w.sql() + ") c GROUP BY v, t"
		}
	case FacetModels:
		l := s.lay()
		switch {
		case s.usesUsageTable(l):
			// The usage table's model column, read from its index.
			sessions := ""
			if len(w.conds) > 0 {
				sessions = " WHERE r.session_id IN (SELECT session_id FROM " + s.from + w.sql() + ")"
			}
			query = "SELECT model AS v, NULL AS t, count(*) AS n FROM " + s.qualify(s.usageTableName()) + " r" + sessions + " GROUP BY model"
		case len(w.conds) == 0 && l.modelIndex && (!l.legacyRuns || l.migrated):
			// Every run, all in the runs table: the distinct models one index
			// lookup at a time, and each one's count from the index, never
			// reading a run's JSON (which GROUP BY would detoast for each run).
			query = "WITH RECURSIVE m(v) AS (SELECT min(" + runModel + ") FROM " + s.runsFrom +
				" UNION ALL SELECT (SELECT min(" + runModel + ") FROM " + s.runsFrom + " WHERE " + runModel + " > m.v) FROM m WHERE m.v IS NOT NULL)" +
				" SELECT v, NULL AS t, (SELECT count(*) FROM " + s.runsFrom + " WHERE " + runModel + " = m.v) AS n FROM m"
		default:
			// Runs of every session unless a condition picks some.
			sessions := ""
			if len(w.conds) > 0 {
				sessions = " WHERE r.session_id IN (SELECT session_id FROM " + s.from + w.sql() + ")"
			}
			query = "SELECT v, NULL AS t, count(*) AS n FROM (SELECT " + s.jsonText(s.runDataDoc("r.run_data"), "model") + " AS v FROM " +
				s.runsSource(l) + sessions + ") m GROUP BY v"
		}
	default:
		return nil, fmt.Errorf("unknown facet %d", facet)
	}
	query = "SELECT v, t, n FROM (" + query + ") f WHERE v IS NOT NULL ORDER BY n DESC, " + s.byteWise("v") + ", t LIMIT " + fmt.Sprint(first)
	out := []*models.FacetValue{}
	err = s.queryRows(ctx, query, w.args, func(sc scanner) error {
		var v models.FacetValue
		var typ *string
		var n int64
		if err := sc.Scan(&v.Value, &typ, &n); err != nil {
			return err
		}
		if typ != nil {
			t, _ := models.SessionTypeOfStored(*typ) // effectiveType: agent, team or workflow
			v.SessionType = &t
		}
		v.Count = int(n)
		out = append(out, &v)
		return nil
	})
	if err != nil {
		return nil, internal("counting facet values", err)
	}
	return out, nil
}

// componentOf is a session's component id by its effective type.
const componentOf = "CASE " + effectiveType + " WHEN 'agent' THEN agent_id WHEN 'team' THEN team_id ELSE workflow_id END"

// runModel is a runs-table row's model (NULL when run_data's model is not
// a string), as the index sg_<runs>_model holds it.
const runModel = "(CASE WHEN jsonb_typeof(run_data -> 'model') = 'string' THEN run_data ->> 'model' END)"

// byteWise is a text expression compared byte by byte (COLLATE "C" on
// PostgreSQL; SQLite's default BINARY collation).
func (s *Store) byteWise(expr string) string {
	if s.dialect == Postgres {
		return expr + ` COLLATE "C"`
	}
	return expr
}

package db

import (
	"context"

	"gorm.io/gorm"

	"sessiongraph/models"
)

// GORM returns the Store's GORM handle to the package's black-box tests
// (package db_test), which set up and inspect tables around the Store.
func (s *Store) GORM() *gorm.DB { return s.db }

// Fold returns the COLLATE clause under which the Store lower-cases text on
// PostgreSQL (see detectFold).
func (s *Store) Fold() string { return s.fold }

// AnalyticsDrift counts the rows in which the usage table and the facet
// counts (those above 0) differ from what they would be computed now from
// the runs and sessions tables (both ways); without a runs table, the
// facet counts' only.
func (s *Store) AnalyticsDrift() (int64, error) {
	type pair struct{ table, fresh string }
	pairs := []pair{{
		"SELECT facet, value, session_type, n FROM " + s.qualify(s.facetsTableName()) + " WHERE n <> 0",
		"SELECT facet, value, session_type, count(*) FROM (" + facetKeysOf(s.from) + ") k GROUP BY facet, value, session_type",
	}}
	if s.lay().runsTable {
		pairs = append(pairs, pair{"SELECT * FROM " + s.qualify(s.usageTableName()), "SELECT * FROM (" + usageRowsOf(s.runsFrom) + ") x"})
	}
	var all int64
	for _, p := range pairs {
		var n int64
		if err := s.Pool().QueryRow("SELECT count(*) FROM ((" + p.table + " EXCEPT ALL " + p.fresh + ") UNION ALL (" + p.fresh + " EXCEPT ALL " + p.table + ")) d").Scan(&n); err != nil {
			return 0, err
		}
		all += n
	}
	return all, nil
}

// UsesAnalyticsTables reports whether usage reads the usage table and
// facets the facet counts now.
func (s *Store) UsesAnalyticsTables() (usage, facets bool) {
	l := s.lay()
	return s.usesUsageTable(l), s.usesFacetCounts(l)
}

// ForgetNames empties the names cache, so that the next reads derive names
// from the runs.
func (s *Store) ForgetNames() {
	if s.names != nil {
		s.names.Purge()
	}
}

// GetSessionInTwo is GetSession reading the session's runs with a second
// statement (attachRuns), as it does where it cannot read them with the
// session's row, for tests to compare the two.
func (s *Store) GetSessionInTwo(ctx context.Context, sessionID string, cols models.SessionColumns) (*models.SessionRow, error) {
	l := s.lay()
	w := &where{}
	w.add("session_id = ?", sessionID)
	rows, err := s.sessionRows(ctx, l, w, cols, "reading a session")
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	rows = rows[:1]
	if err := s.attachRuns(ctx, l, rows, cols); err != nil {
		return nil, err
	}
	return &rows[0], nil
}

// CachedNames is how many sessions the names cache holds.
func (s *Store) CachedNames() int {
	if s.names == nil {
		return 0
	}
	return s.names.Len()
}

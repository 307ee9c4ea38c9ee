package db

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sessiongraph/models"
)

// layout is where a database keeps runs, as last detected: Agno 2 keeps
// them in the sessions table's runs column, Agno 3 in a runs table of its
// own, and a database Agno 3 upgraded keeps both (the column frozen, before
// and after Agno's own migration copied it into the table).
type layout struct {
	// legacyRuns: the sessions table has Agno 2's runs column.
	legacyRuns bool
	// runsTable: the runs table exists.
	runsTable bool
	// migrated: Agno 3's migration has copied the legacy column's runs into
	// the runs table (it records the sessions table as version 3.x).
	migrated bool
	// modelIndex: on PostgreSQL, migrate-indexes' index of the runs' model
	// exists, which facets { models } reads instead of every run's JSON.
	modelIndex bool
	// usageTable and facetCounts: on PostgreSQL, install-analytics-tables'
	// usage table (of the runs' numbers) and facet counts (of the sessions'
	// users and components) are installed and kept current by their
	// triggers (see usesUsageTable, usesFacetCounts).
	usageTable, facetCounts bool
	// sql holds the fragments for this layout.
	sql dialectSQL
	// selectLists caches selectColumns' column lists, by the mask of the
	// JSON columns read and whether session_data's name alone is.
	selectLists [1 << 8]atomic.Pointer[string]
	// withSession caches statements of sessionWithRuns (withSessionText, by
	// withSessionKey), at most maxWithSessionTexts of them (withSessionTexts).
	withSession      sync.Map
	withSessionTexts atomic.Int32
}

// Layout names where a database keeps runs.
type Layout string

// The layouts a Store creates when the sessions table is missing.
const (
	// LayoutV3 is Agno 3's: a sessions table without a runs column, and a runs table.
	LayoutV3 Layout = "v3"
	// LayoutV2 is Agno 2's: the runs of a session in the sessions table's runs column.
	LayoutV2 Layout = "v2"
)

// ParseLayout reads "v2" or "v3" ("" is v3, as current Agno creates).
func ParseLayout(s string) (Layout, error) {
	switch Layout(s) {
	case "", LayoutV3:
		return LayoutV3, nil
	case LayoutV2:
		return LayoutV2, nil
	}
	return "", fmt.Errorf("layout %q: want v2 or v3", s)
}

// relayoutEvery is how often the layout is detected again, so that a
// database Agno 3 upgrades (it creates the runs table on its first save)
// is served as upgraded without a restart.
const relayoutEvery = 2 * time.Second

// layoutState is a Store's current layout and when it was detected.
type layoutState struct {
	current  atomic.Pointer[layout]
	at       atomic.Int64 // unix nanoseconds of the last detection
	detectMu sync.Mutex
}

// lay returns the Store's current layout, detecting it again in the
// background when it is older than relayoutEvery (requests never wait for
// it, and its catalog queries are not theirs).
func (s *Store) lay() *layout {
	l := s.layoutState.current.Load()
	if time.Since(time.Unix(0, s.layoutState.at.Load())) > relayoutEvery && s.layoutState.detectMu.TryLock() {
		go func() {
			defer s.layoutState.detectMu.Unlock()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = s.detectLayout(ctx) // on failure the last layout stays, and is tried again
		}()
	}
	if l == nil { // before Init; Init always detects
		return &layout{legacyRuns: true, sql: dialectFor(s.dialect, true)}
	}
	return l
}

// sql returns the SQL fragments of the current layout.
func (s *Store) sql() *dialectSQL { return &s.lay().sql }

// detectLayout reads which of the runs column and the runs table exist.
func (s *Store) detectLayout(ctx context.Context) error {
	sessionCols, err := s.tableColumns(ctx, s.table)
	if err != nil {
		return err
	}
	runCols, err := s.tableColumns(ctx, s.runsTable)
	if err != nil {
		return err
	}
	legacy, table := sessionCols["runs"], len(runCols) > 0
	migrated := false
	if legacy && table {
		if migrated, err = s.migratedByAgno(ctx); err != nil {
			return err
		}
	}
	modelIndex := false
	if table && s.dialect == Postgres {
		valid, err := s.catalogStrings(ctx, `SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
			JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE ns.nspname = $1 AND c.relname = $2 AND i.indisvalid`, s.schema, "sg_"+s.runsTable+"_model")
		if err != nil {
			return fmt.Errorf("reading the indexes of %s: %w", s.runsTable, err)
		}
		modelIndex = len(valid) > 0
	}
	usageTable, facetCounts := false, false
	if s.dialect == Postgres {
		if table {
			if _, usageTable, err = s.usageTable().current(ctx, s, s.Pool()); err != nil {
				return err
			}
		}
		if _, facetCounts, err = s.facetCountsTable().current(ctx, s, s.Pool()); err != nil {
			return err
		}
	}
	s.layoutState.at.Store(time.Now().UnixNano())
	if old := s.layoutState.current.Load(); old != nil && old.legacyRuns == legacy && old.runsTable == table && old.migrated == migrated &&
		old.modelIndex == modelIndex && old.usageTable == usageTable && old.facetCounts == facetCounts {
		return nil
	}
	s.layoutState.current.Store(&layout{legacyRuns: legacy, runsTable: table, migrated: migrated, modelIndex: modelIndex, usageTable: usageTable, facetCounts: facetCounts, sql: dialectFor(s.dialect, legacy)})
	return nil
}

// migratedByAgno reports whether agno_schema_versions records the sessions
// table at version 3 or later, which Agno's MigrationManager does once it
// has copied every run of the legacy column into the runs table.
func (s *Store) migratedByAgno(ctx context.Context) (bool, error) {
	cols, err := s.tableColumns(ctx, "agno_schema_versions")
	if err != nil || !cols["version"] {
		return false, err
	}
	query := "SELECT version FROM " + s.qualify("agno_schema_versions") + " WHERE table_name = ?"
	if s.dialect == Postgres {
		query = strings.Replace(query, "?", "$1", 1)
	}
	versions, err := s.catalogStrings(ctx, query, s.table)
	if err != nil {
		return false, fmt.Errorf("reading agno_schema_versions: %w", err)
	}
	for _, v := range versions {
		major, _, _ := strings.Cut(v, ".")
		if n, err := strconv.Atoi(major); err == nil && n >= 3 {
			return true, nil
		}
	}
	return false, nil
}

// describeLayout adds the current layout to d: the runs table's name (with
// its schema on PostgreSQL) when the database has one, and whether the
// sessions table has the legacy runs column.
func (s *Store) describeLayout(d *models.Database) {
	l := s.lay()
	d.LegacyRunsColumn = l.legacyRuns
	if l.runsTable {
		name := s.qualifiedRunsName()
		d.RunsTable = &name
	}
}

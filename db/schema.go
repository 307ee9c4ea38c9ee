package db

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// The versions Agno records in agno_schema_versions for tables it creates:
// 2.9 stamps a sessions table 2.5.6; 3.x stamps every table it creates 3.0.0.
const (
	agnoV2SchemaVersion = "2.5.6"
	agnoV3SchemaVersion = "3.0.0"
)

// sessionColumns are the columns every Agno sessions table has, in Agno's
// order; Agno 2's tables also have runs (after metadata).
var sessionColumns = []string{"session_id", "session_type", "agent_id", "team_id", "workflow_id", "user_id",
	"session_data", "agent_data", "team_data", "workflow_data", "metadata", "summary", "created_at", "updated_at"}

// runColumns are the columns of Agno 3's runs table, in Agno's order.
var runColumns = []string{"run_id", "session_id", "run_type", "agent_id", "team_id", "workflow_id", "user_id",
	"parent_run_id", "status", "run_index", "run_data", "created_at", "updated_at"}

// agnoRunsTableName is Agno 3's name for the runs table of a sessions table
// (db/base.py): agno_runs beside agno_sessions, else <sessions>_runs.
func agnoRunsTableName(sessionTable string) string {
	if sessionTable == "agno_sessions" {
		return "agno_runs"
	}
	return sessionTable + "_runs"
}

// ensureTable creates the sessions table with Agno's exact DDL when it is
// missing, in the Store's CreateLayout (Agno 3's: with its runs table), and
// records the tables in agno_schema_versions as Agno does, so that Agno
// adopts them. Otherwise it checks that every column Agno writes exists (the
// runs column is optional: Agno 3 creates tables without it). It never
// alters an existing table.
func (s *Store) ensureTable(ctx context.Context) error {
	cols, err := s.tableColumns(ctx, s.table)
	if err != nil {
		return err
	}
	if len(cols) > 0 {
		if missing := missingColumns(cols, sessionColumns); len(missing) > 0 {
			return fmt.Errorf("table %s is not an Agno sessions table: missing columns %s", s.qualifiedName(), strings.Join(missing, ", "))
		}
		runCols, err := s.tableColumns(ctx, s.runsTable)
		if err != nil {
			return err
		}
		if missing := missingColumns(runCols, runColumns); len(runCols) > 0 && len(missing) > 0 {
			return fmt.Errorf("table %s is not an Agno runs table: missing columns %s", s.qualifiedRunsName(), strings.Join(missing, ", "))
		}
		return nil
	}
	jsonType := "JSONB"
	if s.dialect == SQLite {
		jsonType = "JSON"
	}
	runsColumn, version := "", agnoV3SchemaVersion
	if s.createLayout == LayoutV2 {
		runsColumn, version = "\n\truns "+jsonType+",", agnoV2SchemaVersion
	}
	stmts := []string{}
	if s.dialect == Postgres {
		stmts = append(stmts, "CREATE SCHEMA IF NOT EXISTS "+quoteIdent(s.schema))
	}
	index := func(table string, cols ...string) string {
		return fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (%s)",
			quoteIdent("idx_"+table+"_"+strings.Join(cols, "_")), s.qualify(table), strings.Join(cols, ", "))
	}
	stmts = append(stmts,
		fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	session_id VARCHAR NOT NULL,
	session_type VARCHAR NOT NULL,
	agent_id VARCHAR,
	team_id VARCHAR,
	workflow_id VARCHAR,
	user_id VARCHAR,
	session_data %[2]s,
	agent_data %[2]s,
	team_data %[2]s,
	workflow_data %[2]s,
	metadata %[2]s,%[3]s
	summary %[2]s,
	created_at BIGINT NOT NULL,
	updated_at BIGINT,
	PRIMARY KEY (session_id)
)`, s.from, jsonType, runsColumn),
		index(s.table, "session_type"),
		index(s.table, "created_at"),
		fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	table_name VARCHAR NOT NULL,
	version VARCHAR NOT NULL,
	created_at VARCHAR NOT NULL,
	updated_at VARCHAR,
	PRIMARY KEY (table_name)
)`, s.qualify("agno_schema_versions")),
		index("agno_schema_versions", "created_at"),
	)
	tables := []string{s.table}
	if s.createLayout == LayoutV3 {
		tables = append(tables, s.runsTable)
		stmts = append(stmts, s.runsTableDDL()...)
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, stmt := range stmts {
			if err := tx.Exec(stmt).Error; err != nil {
				return fmt.Errorf("creating %s: %w", s.qualifiedName(), err)
			}
		}
		// Agno writes naive local ISO times here; UTC with its offset reads the same.
		now := time.Now().UTC().Format("2006-01-02T15:04:05.000000+00:00")
		for _, t := range tables {
			if err := tx.Exec("INSERT INTO "+s.qualify("agno_schema_versions")+" (table_name, version, created_at) VALUES (?, ?, ?) ON CONFLICT (table_name) DO NOTHING",
				t, version, now).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// runsTableDDL is Agno 3's DDL of the runs table and its indexes.
func (s *Store) runsTableDDL() []string {
	jsonType := "JSONB"
	if s.dialect == SQLite {
		jsonType = "JSON"
	}
	index := func(cols ...string) string {
		return fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (%s)",
			quoteIdent("idx_"+s.runsTable+"_"+strings.Join(cols, "_")), s.runsFrom, strings.Join(cols, ", "))
	}
	return []string{fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	run_id VARCHAR NOT NULL,
	session_id VARCHAR NOT NULL,
	run_type VARCHAR NOT NULL,
	agent_id VARCHAR,
	team_id VARCHAR,
	workflow_id VARCHAR,
	user_id VARCHAR,
	parent_run_id VARCHAR,
	status VARCHAR,
	run_index BIGINT,
	run_data %[2]s NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT,
	PRIMARY KEY (run_id),
	FOREIGN KEY(session_id) REFERENCES %[3]s (session_id) ON DELETE CASCADE
)`, s.runsFrom, jsonType, s.from),
		index("session_id"),
		index("session_id", "run_index"),
		index("run_type"),
		index("agent_id"),
		index("team_id"),
		index("workflow_id"),
		index("user_id"),
		index("status"),
		index("created_at"),
	}
}

// CreateRunsTable creates Agno 3's runs table beside an existing sessions
// table, as Agno 3 does on its first run save into a database Agno 2 wrote
// (recorded as version 3.0.0). For tools and tests that lay out upgraded
// databases; the server itself never creates it beside Agno's tables.
func (s *Store) CreateRunsTable(ctx context.Context) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, stmt := range s.runsTableDDL() {
			if err := tx.Exec(stmt).Error; err != nil {
				return fmt.Errorf("creating %s: %w", s.qualifiedRunsName(), err)
			}
		}
		now := time.Now().UTC().Format("2006-01-02T15:04:05.000000+00:00")
		return tx.Exec("INSERT INTO "+s.qualify("agno_schema_versions")+" (table_name, version, created_at) VALUES (?, ?, ?) ON CONFLICT (table_name) DO NOTHING",
			s.runsTable, agnoV3SchemaVersion, now).Error
	})
	if err != nil {
		return err
	}
	return s.detectLayout(ctx)
}

// missingColumns returns the names in want that cols lacks.
func missingColumns(cols map[string]bool, want []string) []string {
	var missing []string
	for _, c := range want {
		if !cols[c] {
			missing = append(missing, c)
		}
	}
	return missing
}

// tableColumns returns the columns of a table, empty when it does not exist.
// Catalog reads go to the pool directly: they are the Store's own (layout
// detection runs in the background), not statements of a request, which
// observers count and trace.
func (s *Store) tableColumns(ctx context.Context, table string) (map[string]bool, error) {
	query, args := "SELECT name FROM pragma_table_info(?)", []any{table}
	if s.dialect == Postgres {
		query, args = "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2", []any{s.schema, table}
	}
	names, err := s.catalogStrings(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the columns of %s: %w", table, err)
	}
	cols := make(map[string]bool, len(names))
	for _, n := range names {
		cols[n] = true
	}
	return cols, nil
}

// catalogStrings runs a catalog query (in the dialect's placeholders) on the
// pool, outside the statement observers, and returns its one text column.
func (s *Store) catalogStrings(ctx context.Context, query string, args ...any) ([]string, error) {
	pool, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	rows, err := pool.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// quoteIdent quotes an SQL identifier for both dialects.
func quoteIdent(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// qualify returns a table name qualified with the schema on PostgreSQL.
func (s *Store) qualify(table string) string {
	if s.dialect == Postgres {
		return quoteIdent(s.schema) + "." + quoteIdent(table)
	}
	return quoteIdent(table)
}

// qualifiedRunsName is the runs table's name for people: ai.agno_runs.
func (s *Store) qualifiedRunsName() string {
	if s.dialect == Postgres {
		return s.schema + "." + s.runsTable
	}
	return s.runsTable
}

// qualifiedName is the sessions table's name for people: ai.agno_sessions.
func (s *Store) qualifiedName() string {
	if s.dialect == Postgres {
		return s.schema + "." + s.table
	}
	return s.table
}

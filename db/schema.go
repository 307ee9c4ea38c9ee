package db

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// agnoSchemaVersion is what Agno 2.9 records for a freshly created sessions table.
const agnoSchemaVersion = "2.5.6"

// sessionColumns are the columns of Agno's sessions table, in Agno's order.
var sessionColumns = []string{"session_id", "session_type", "agent_id", "team_id", "workflow_id", "user_id",
	"session_data", "agent_data", "team_data", "workflow_data", "metadata", "runs", "summary", "created_at", "updated_at"}

// ensureTable creates the sessions table with Agno's exact DDL when it is
// missing (recording it in agno_schema_versions as Agno does, so that Agno
// adopts it), and otherwise checks that every column Agno writes exists.
// It never alters an existing table.
func (s *Store) ensureTable(ctx context.Context) error {
	cols, err := s.tableColumns(ctx, s.table)
	if err != nil {
		return err
	}
	if len(cols) > 0 {
		var missing []string
		for _, c := range sessionColumns {
			if !cols[c] {
				missing = append(missing, c)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("table %s is not an Agno sessions table: missing columns %s", s.qualifiedName(), strings.Join(missing, ", "))
		}
		return nil
	}
	jsonType := "JSONB"
	if s.dialect == SQLite {
		jsonType = "JSON"
	}
	stmts := []string{}
	if s.dialect == Postgres {
		stmts = append(stmts, "CREATE SCHEMA IF NOT EXISTS "+quoteIdent(s.schema))
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
	metadata %[2]s,
	runs %[2]s,
	summary %[2]s,
	created_at BIGINT NOT NULL,
	updated_at BIGINT,
	PRIMARY KEY (session_id)
)`, s.from, jsonType),
		fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (session_type)", quoteIdent("idx_"+s.table+"_session_type"), s.from),
		fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (created_at)", quoteIdent("idx_"+s.table+"_created_at"), s.from),
		fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	table_name VARCHAR NOT NULL,
	version VARCHAR NOT NULL,
	created_at VARCHAR NOT NULL,
	updated_at VARCHAR,
	PRIMARY KEY (table_name)
)`, s.qualify("agno_schema_versions")),
		fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (created_at)", quoteIdent("idx_agno_schema_versions_created_at"), s.qualify("agno_schema_versions")),
	)
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, stmt := range stmts {
			if err := tx.Exec(stmt).Error; err != nil {
				return fmt.Errorf("creating %s: %w", s.qualifiedName(), err)
			}
		}
		now := time.Now().UTC().Format("2006-01-02T15:04:05.000000+00:00")
		return tx.Exec("INSERT INTO "+s.qualify("agno_schema_versions")+" (table_name, version, created_at) VALUES (?, ?, ?) ON CONFLICT (table_name) DO NOTHING",
			s.table, agnoSchemaVersion, now).Error
	})
}

// tableColumns returns the columns of a table, empty when it does not exist.
func (s *Store) tableColumns(ctx context.Context, table string) (map[string]bool, error) {
	var names []string
	var err error
	if s.dialect == Postgres {
		err = s.db.WithContext(ctx).Raw(
			"SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?", s.schema, table).
			Scan(&names).Error
	} else {
		err = s.db.WithContext(ctx).Raw("SELECT name FROM pragma_table_info(?)", table).Scan(&names).Error
	}
	if err != nil {
		return nil, fmt.Errorf("reading the columns of %s: %w", s.qualifiedName(), err)
	}
	cols := make(map[string]bool, len(names))
	for _, n := range names {
		cols[n] = true
	}
	return cols, nil
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

// qualifiedName is the sessions table's name for people: ai.agno_sessions.
func (s *Store) qualifiedName() string {
	if s.dialect == Postgres {
		return s.schema + "." + s.table
	}
	return s.table
}

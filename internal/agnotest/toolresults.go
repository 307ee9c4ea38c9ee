package agnotest

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"sessiongraph/db"
)

// ToolResult is one entry of a tool-results fixture: an agno_tool_results
// row, and the payload Agno's FileSystem holds for it (nil when the result
// store kept it outside the database).
type ToolResult struct {
	Row     map[string]any `json:"row"`
	Content *string        `json:"content"`
}

// AddToolResults creates the tables Agno v3's result offloading writes,
// with Agno's DDL (agno_tool_results in the sessions table's schema, the
// FileSystem's agno_fs in the schema fs on PostgreSQL), and stores the
// results of the fixture file name in them. It returns the results.
func AddToolResults(tb testing.TB, s *db.Store, name string) []ToolResult {
	tb.Helper()
	data, err := os.ReadFile(FixturePath(name))
	if err != nil {
		tb.Fatal(err)
	}
	var results []ToolResult
	if err := json.Unmarshal(data, &results); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	CreateToolResultTables(tb, s)
	indexTable, fsTable := toolResultTables(s)
	ctx := context.Background()
	for _, r := range results {
		row := r.Row
		_, err := s.Pool().ExecContext(ctx, "INSERT INTO "+indexTable+` (result_id, namespace, path, session_id, run_id, tool_call_id,
			tool_name, args_hash, content_type, size_bytes, line_count, preview, user_id, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			row["result_id"], row["namespace"], row["path"], row["session_id"], row["run_id"], row["tool_call_id"],
			row["tool_name"], row["args_hash"], row["content_type"], int64(row["size_bytes"].(float64)), int64(row["line_count"].(float64)),
			row["preview"], row["user_id"], int64(row["created_at"].(float64)), row["expires_at"])
		if err != nil {
			tb.Fatalf("inserting tool result %v: %v", row["result_id"], err)
		}
		if r.Content == nil {
			continue
		}
		_, err = s.Pool().ExecContext(ctx, "INSERT INTO "+fsTable+` (namespace, path, content, size_bytes, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 1, $5, $5)`, row["namespace"], row["path"], *r.Content, len(*r.Content), int64(row["created_at"].(float64)))
		if err != nil {
			tb.Fatalf("inserting the payload of %v: %v", row["result_id"], err)
		}
	}
	return results
}

// CreateToolResultTables creates agno_tool_results and agno_fs, empty, as
// Agno v3 does on the first offloaded result.
func CreateToolResultTables(tb testing.TB, s *db.Store) {
	tb.Helper()
	indexTable, fsTable := toolResultTables(s)
	preview := "TEXT" // Agno's SQLite schema says String (VARCHAR), its PostgreSQL schema Text
	stmts := []string{}
	if s.Dialect() == db.Postgres {
		stmts = append(stmts, "CREATE SCHEMA IF NOT EXISTS fs")
	} else {
		preview = "VARCHAR"
	}
	stmts = append(stmts, `CREATE TABLE IF NOT EXISTS `+indexTable+` (
	result_id VARCHAR NOT NULL,
	namespace VARCHAR NOT NULL,
	path VARCHAR NOT NULL,
	session_id VARCHAR NOT NULL,
	run_id VARCHAR NOT NULL,
	tool_call_id VARCHAR NOT NULL,
	tool_name VARCHAR NOT NULL,
	args_hash VARCHAR NOT NULL,
	content_type VARCHAR NOT NULL,
	size_bytes BIGINT NOT NULL,
	line_count BIGINT NOT NULL,
	preview `+preview+` NOT NULL,
	user_id VARCHAR,
	created_at BIGINT NOT NULL,
	expires_at BIGINT,
	PRIMARY KEY (result_id),
	CONSTRAINT agno_tool_results_uq_tool_results_namespace_path UNIQUE (namespace, path)
)`,
		`CREATE TABLE IF NOT EXISTS `+fsTable+` (
	namespace VARCHAR NOT NULL,
	path VARCHAR NOT NULL,
	content TEXT NOT NULL,
	size_bytes BIGINT NOT NULL,
	version BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT,
	PRIMARY KEY (namespace, path)
)`)
	for _, stmt := range stmts {
		if _, err := s.Pool().ExecContext(context.Background(), stmt); err != nil {
			tb.Fatalf("%s: %v", stmt, err)
		}
	}
}

// toolResultTables names agno_tool_results and agno_fs for SQL.
func toolResultTables(s *db.Store) (index, fs string) {
	if s.Dialect() == db.Postgres {
		schema, _, _ := strings.Cut(s.Describe().SessionTable, ".")
		return schema + ".agno_tool_results", "fs.agno_fs"
	}
	return "agno_tool_results", "agno_fs"
}

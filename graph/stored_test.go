package graph_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"

	"sessiongraph/db"
)

// storedColumns are the columns of Agno's sessions table in Agno's order.
var storedColumns = []string{"session_id", "session_type", "agent_id", "team_id", "workflow_id", "user_id",
	"session_data", "agent_data", "team_data", "workflow_data", "metadata", "runs", "summary", "created_at", "updated_at"}

// storedRow reads a row as the database holds it, bypassing the Store's
// decoding: each column as text (jsonb as PostgreSQL prints it), nil for SQL
// NULL; nil when there is no such row.
func storedRow(t *testing.T, b servedBackend, id string) map[string]*string {
	t.Helper()
	exprs := make([]string, len(storedColumns))
	legacy := b.store.Describe().LegacyRunsColumn
	for i, c := range storedColumns {
		exprs[i] = "CAST(" + c + " AS TEXT)"
		if c == "runs" && !legacy {
			exprs[i] = "NULL" // Agno 3's sessions table has no runs column
		}
	}
	rows, err := b.store.Pool().QueryContext(t.Context(), "SELECT "+strings.Join(exprs, ", ")+" FROM "+b.store.Describe().SessionTable+" WHERE session_id = $1", id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return nil
	}
	values := make([]sql.NullString, len(storedColumns))
	dest := make([]any, len(values))
	for i := range values {
		dest[i] = &values[i]
	}
	if err := rows.Scan(dest...); err != nil {
		t.Fatal(err)
	}
	out := map[string]*string{}
	for i, c := range storedColumns {
		if values[i].Valid {
			out[c] = &values[i].String
		}
	}
	return out
}

// sqlNull marks a column Agno leaves SQL NULL in want maps of agnoStored.
const sqlNull = "<SQL NULL>"

// agnoStored returns what Agno writes into a JSON column of backend b for a
// document given as Python's json.dumps prints it (sqlNull: SQL NULL): the
// text itself on SQLite when the table is plain; json.dumps of that text
// on a double-encoded SQLite table (None as the text null); on PostgreSQL
// the jsonb of it, as PostgreSQL prints jsonb.
func agnoStored(t *testing.T, b servedBackend, pythonDoc string) *string {
	t.Helper()
	if pythonDoc == sqlNull {
		return nil
	}
	switch {
	case b.store.Dialect() == db.Postgres:
		var text string
		if err := b.store.Pool().QueryRowContext(t.Context(), "SELECT CAST(CAST($1 AS jsonb) AS TEXT)", pythonDoc).Scan(&text); err != nil {
			t.Fatal(err)
		}
		return &text
	case b.name == "sqlite plain" || pythonDoc == "null":
		return &pythonDoc
	}
	// Agno's text is ASCII, which json.dumps of a string keeps but for quotes and backslashes.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(pythonDoc); err != nil {
		t.Fatal(err)
	}
	text := strings.TrimSuffix(buf.String(), "\n")
	return &text
}

// text renders a stored column for messages.
func text(v *string) string {
	if v == nil {
		return sqlNull
	}
	return *v
}

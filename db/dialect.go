package db

import (
	"encoding/json"
	"strings"
)

// dialectSQL holds the SQL fragments that differ between PostgreSQL and
// SQLite, side by side. Every fragment sees the sessions table's columns.
type dialectSQL struct {
	// nameKey is the NAME order key: the stored name ("" when none) with
	// ASCII A-Z lower-cased, compared byte-wise on both backends.
	nameKey string
	// tieKey is session_id compared byte-wise (also the SESSION_ID order key).
	tieKey string
	// userKey is the USER_ID order key: user_id ("" when NULL) compared byte-wise.
	userKey string
	// nameContains is true when the stored name, ASCII lower-cased, contains
	// the (already lower-cased) parameter.
	nameContains string
	// jsonParam is a placeholder for a JSON document parameter (text or NULL).
	jsonParam string
	// editData is session_data with some keys set to JSON values (one
	// parameter each, in order, the whole list repeated dataCopies times)
	// and others removed, in one expression over the row as it is, keeping
	// its encoding: SQL NULL and JSON null start from {} when a key is set
	// and stay as they are otherwise. dataEditable is true when session_data
	// can be edited so (SQL NULL, JSON null or an object).
	editData     func(set, remove []string) (expr string, dataCopies int)
	dataEditable string
	// docValue is a whole JSON column's new value in the row's encoding, from
	// the parameters docArgs gives (see Store.docArgs).
	docValue string
	// insertWith prefixes the INSERT of a new row, and insertDoc is a JSON
	// column's value in it, in the table's encoding (from the parameters
	// docArgs gives).
	insertWith, insertDoc string
	// nameRuns is what deriving a name needs when none is stored (NULL when
	// one is): see models.SessionRow.NameRuns.
	nameRuns string
}

// effectiveType is the session's type: session_type when it is one of Agno's
// values, else derived from the component ids like Agno's REST layer.
const effectiveType = `(CASE WHEN session_type IN ('agent', 'team', 'workflow') THEN session_type
	WHEN COALESCE(agent_id, '') <> '' THEN 'agent' WHEN COALESCE(team_id, '') <> '' THEN 'team'
	WHEN COALESCE(workflow_id, '') <> '' THEN 'workflow' ELSE 'agent' END)`

// legacyType is true when session_type is none of Agno's values; written as
// ranges around them so that the session_type index still serves it.
const legacyType = `(session_type < 'agent' OR (session_type > 'agent' AND session_type < 'team')
	OR (session_type > 'team' AND session_type < 'workflow') OR session_type > 'workflow')`

// sqliteJSONDoc is a JSON column's document on SQLite: Agno's SQLite
// backend up to 2.9 double-encodes JSON columns (a JSON string whose
// content is the document), later versions store the document; invalid
// JSON reads as NULL so that one corrupt row cannot fail a whole query.
func sqliteJSONDoc(col string) string {
	return `(CASE WHEN json_valid(` + col + `) THEN CASE WHEN json_type(` + col + `) = 'text' THEN
		CASE WHEN json_valid(` + col + ` ->> '$') THEN ` + col + ` ->> '$' END ELSE ` + col + ` END END)`
}

// sqliteDoc is session_data as a JSON document.
var sqliteDoc = sqliteJSONDoc("session_data")

var sqliteStoredName = `(CASE WHEN json_type(` + sqliteDoc + `, '$.session_name') = 'text' THEN ` + sqliteDoc + ` ->> '$.session_name' END)`

const pgStoredName = `(CASE WHEN jsonb_typeof(session_data -> 'session_name') = 'string' THEN session_data ->> 'session_name' END)`

// sqliteEncoding is 1 when a row's JSON columns are double-encoded and 0
// when they are plain, as the first column that tells says: one holding a
// JSON string (double-encoded) or a document (plain); NULL when none tells.
// Small columns are asked first, runs (when the table has Agno 2's runs
// column) last, so that a long runs text is rarely parsed. (The inner CASE
// keeps json_type off invalid JSON, on which it fails.)
func sqliteEncoding(legacyRuns bool) string {
	cols := []string{"session_data", "metadata", "summary", "agent_data", "team_data", "workflow_data"}
	if legacyRuns {
		cols = append(cols, "runs")
	}
	var b strings.Builder
	b.WriteString("(CASE")
	for _, c := range cols {
		typ := "(CASE WHEN json_valid(" + c + ") THEN json_type(" + c + ") END)"
		b.WriteString(" WHEN " + typ + " IN ('object', 'array') THEN 0 WHEN " + typ + " = 'text' THEN 1")
	}
	b.WriteString(" END)")
	return b.String()
}

// sqliteTableEncoding is sqliteEncoding of the newest row of the table
// ({table}) that tells; NULL when none does.
func sqliteTableEncoding(legacyRuns bool) string {
	enc := sqliteEncoding(legacyRuns)
	return `(SELECT ` + enc + ` FROM {table} WHERE ` + enc + ` IS NOT NULL
	ORDER BY created_at DESC, session_id DESC LIMIT 1)`
}

// sqliteIsDoubleEncoded is true when the row's JSON columns are
// double-encoded; when none tells (they are all null), when the table's
// are; when nothing tells, true: every Agno version reads double-encoded
// values, and Agno up to 2.9 writes them. Queries using it must replace
// {table}.
func sqliteIsDoubleEncoded(legacyRuns bool) string {
	return "COALESCE(" + sqliteEncoding(legacyRuns) + ", " + sqliteTableEncoding(legacyRuns) + ", 1)"
}

// pgEditData: jsonb_set and - on an object.
func pgEditData(set, remove []string) (string, int) {
	removed := ""
	for _, key := range remove {
		removed += " - '" + key + "'"
	}
	if len(set) == 0 {
		return `(CASE WHEN jsonb_typeof(session_data) = 'object' THEN session_data` + removed + ` ELSE session_data END)`, 0
	}
	expr := `CASE WHEN jsonb_typeof(session_data) = 'object' THEN session_data ELSE '{}'::jsonb END`
	for _, key := range set {
		expr = `jsonb_set(` + expr + `, '{` + key + `}', CAST(? AS jsonb))`
	}
	return `(` + expr + removed + `)`, 1
}

// sqliteEditData: json_set and json_remove on the document, which a
// double-encoded row holds inside a JSON string: it stays double-encoded.
// Appending an empty string drops the JSON subtype, without which json_quote
// would return the document unquoted.
func sqliteEditData(legacyRuns bool) func(set, remove []string) (string, int) {
	return func(set, remove []string) (string, int) { return sqliteEdit(legacyRuns, set, remove) }
}

func sqliteEdit(legacyRuns bool, set, remove []string) (string, int) {
	edit := func(doc string) string {
		if len(set) > 0 {
			doc = "json_set(" + doc
			for _, key := range set {
				doc += ", '$." + key + "', json(?)"
			}
			doc += ")"
		}
		if len(remove) > 0 {
			doc = "json_remove(" + doc
			for _, key := range remove {
				doc += ", '$." + key + "'"
			}
			doc += ")"
		}
		return doc
	}
	expr := `(CASE
		WHEN json_valid(session_data) AND json_type(session_data) = 'object' THEN ` + edit("session_data") + `
		WHEN json_valid(session_data) AND json_type(session_data) = 'text' THEN json_quote(` + edit("session_data ->> '$'") + ` || '')`
	if len(set) == 0 {
		return expr + ` ELSE session_data END)`, 0
	}
	return expr + `
		WHEN ` + sqliteIsDoubleEncoded(legacyRuns) + ` THEN json_quote(` + edit("'{}'") + ` || '')
		ELSE ` + edit("'{}'") + ` END)`, 4
}

// pgSmallRuns is true for runs stored in at most smallRunsBytes (after
// compression): pg_column_size reads the stored header only. Such runs are
// shipped whole for runs(first|last: n) rather than sliced in SQL, which
// rebuilds the array element by element and costs more than sending a small
// column; connections read whole runs and windows alike.
const pgSmallRuns = `(runs IS NULL OR pg_column_size(runs) <= ` + smallRunsParam + `)`

// smallRunsParam is replaced by the Store's threshold.
const smallRunsParam = "{small_runs_bytes}"

// pgNameRunsOf gives Agno's name derivation only what it reads, so that a
// list of names never ships whole runs: for workflows the first run's input;
// otherwise, for each run up to the first one that decides the name (one
// with an input or a non-empty user message; team member runs skipped), its
// agent_id, input and user messages. It reads runs through one
// jsonb_path_query, because every reference to a TOASTed value detoasts and
// decompresses it again; 'strict' with errors silenced yields nothing for a
// column that is not an array, which the derivation then reads as no runs,
// as it reads the whole column. A first workflow run that is not an object
// gets the whole column, for the derivation to judge. doc is the runs
// column, or an expression of its value (see Store.runsCopy).
func pgNameRunsOf(doc string) string {
	return strings.ReplaceAll(`(CASE
	WHEN jsonb_typeof(session_data -> 'session_name') = 'string' OR {runs} IS NULL THEN NULL
	WHEN `+effectiveType+` = 'workflow' THEN
		(SELECT CASE WHEN jsonb_typeof(e) = 'object'
			THEN jsonb_build_array(jsonb_strip_nulls(jsonb_build_object('input', e -> 'input')))
			ELSE {runs} END
		FROM jsonb_path_query({runs}, 'strict $[0]', '{}', true) e)
	ELSE (SELECT COALESCE(jsonb_agg(jsonb_build_object('agent_id', e -> 'agent_id', 'input', e -> 'input',
			'messages', (SELECT COALESCE(jsonb_agg(jsonb_build_object('role', m -> 'role', 'content', m -> 'content') ORDER BY j), '[]'::jsonb)
				FROM jsonb_path_query(e, 'strict $.messages[*]', '{}', true) WITH ORDINALITY mm(m, j)
				WHERE m ->> 'role' = 'user')) ORDER BY i), '[]'::jsonb)
		FROM (SELECT e, i, min(i) FILTER (WHERE jsonb_typeof(e) = 'object'
				AND (`+effectiveType+` <> 'team' OR NOT COALESCE(jsonb_typeof(e -> 'agent_id') = 'string' AND e ->> 'agent_id' <> '', false))
				AND (COALESCE(jsonb_typeof(e -> 'input'), 'null') <> 'null' OR EXISTS (
					SELECT 1 FROM jsonb_path_query(e, 'strict $.messages[*]', '{}', true) m2
					WHERE m2 ->> 'role' = 'user' AND jsonb_typeof(m2 -> 'content') = 'string' AND m2 ->> 'content' <> ''))) OVER () AS cut
			FROM jsonb_path_query({runs}, 'strict $[*]', '{}', true) WITH ORDINALITY t(e, i)) s
		WHERE jsonb_typeof(e) = 'object' AND (cut IS NULL OR i <= cut))
	END)`, "{runs}", doc)
}

// pgNameRuns is pgNameRunsOf the runs column.
var pgNameRuns = pgNameRunsOf("runs")

// dialectFor returns the fragments of a dialect for a sessions table with
// or without Agno 2's runs column (a table Agno 3 created has none; its runs
// are rows of the runs table, and what names need of them is read there).
func dialectFor(d Dialect, legacyRuns bool) dialectSQL {
	if d == Postgres {
		sql := dialectSQL{
			nameKey:      `lower(COALESCE(` + pgStoredName + `, '') COLLATE "C")`,
			tieKey:       `session_id COLLATE "C"`,
			userKey:      `COALESCE(user_id, '') COLLATE "C"`,
			nameContains: `strpos(lower(` + pgStoredName + ` COLLATE "C"), ?) > 0`,
			jsonParam:    `CAST(? AS jsonb)`,
			editData:     pgEditData,
			dataEditable: `(session_data IS NULL OR jsonb_typeof(session_data) IN ('object', 'null'))`,
			docValue:     `CAST(? AS jsonb)`,
			insertDoc:    `CAST(? AS jsonb)`,
			nameRuns:     "NULL",
		}
		if legacyRuns {
			sql.nameRuns = pgNameRuns
		}
		return sql
	}
	sql := dialectSQL{
		nameKey:      `lower(COALESCE(` + sqliteStoredName + `, ''))`,
		tieKey:       `session_id`,
		userKey:      `COALESCE(user_id, '')`,
		nameContains: `instr(lower(` + sqliteStoredName + `), ?) > 0`,
		jsonParam:    `?`,
		editData:     sqliteEditData(legacyRuns),
		dataEditable: `(session_data IS NULL OR (json_valid(session_data) AND (json_type(session_data) IN ('object', 'null') OR
			(json_type(session_data) = 'text' AND json_valid(session_data ->> '$') AND json_type(session_data ->> '$') = 'object'))))`,
		// The row's encoding: the double-encoded form, else the plain one.
		docValue: `(CASE WHEN ` + sqliteIsDoubleEncoded(legacyRuns) + ` THEN ? ELSE ? END)`,
		// The table's encoding: the one of the newest row that tells, else
		// double-encoded as Agno 2.9 writes (every Agno version reads it).
		insertWith: `WITH enc(double_encoded) AS MATERIALIZED (SELECT COALESCE(` + sqliteTableEncoding(legacyRuns) + `, 1)) `,
		insertDoc:  `(CASE WHEN (SELECT double_encoded FROM enc) THEN ? ELSE ? END)`,
		nameRuns:   "NULL",
	}
	if legacyRuns {
		// SQLite reads the whole JSON text to look into it anyway: hand over
		// runs, but only of rows whose name must be derived.
		sql.nameRuns = `(CASE WHEN ` + sqliteStoredName + ` IS NULL THEN runs END)`
	}
	return sql
}

// decodeColumn turns a stored JSON column into the logical document: on
// SQLite a JSON string literal is a double-encoded document and is unwrapped.
// Undecodable values are passed on as they are, for models to report.
func (s *Store) decodeColumn(b []byte) json.RawMessage {
	if b == nil {
		return nil
	}
	if s.dialect == SQLite {
		trimmed := strings.TrimSpace(string(b))
		if strings.HasPrefix(trimmed, `"`) {
			var inner string
			if json.Unmarshal([]byte(trimmed), &inner) == nil {
				return json.RawMessage(inner)
			}
		}
	}
	return json.RawMessage(b)
}

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
	// tieKey is session_id compared byte-wise.
	tieKey string
	// nameContains is true when the stored name, ASCII lower-cased, contains
	// the (already lower-cased) parameter.
	nameContains string
	// jsonParam is a placeholder for a JSON document parameter (text or NULL).
	jsonParam string
	// renameSet is the new session_data for a rename, with the name as
	// parameter; renameable is true when session_data can be renamed in
	// place (SQL NULL, JSON null or an object).
	renameSet  string
	renameArgs int // how many times the name parameter appears in renameSet
	renameable string
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

// sqliteDoc is session_data as a JSON document: Agno's SQLite backend up to
// 2.9 double-encodes JSON columns (a JSON string whose content is the
// document), later versions store the document; invalid JSON reads as NULL
// so that one corrupt row cannot fail a whole query.
const sqliteDoc = `(CASE WHEN json_valid(session_data) THEN
	CASE WHEN json_type(session_data) = 'text' THEN
		CASE WHEN json_valid(session_data ->> '$') THEN session_data ->> '$' END
	ELSE session_data END END)`

var sqliteStoredName = `(CASE WHEN json_type(` + sqliteDoc + `, '$.session_name') = 'text' THEN ` + sqliteDoc + ` ->> '$.session_name' END)`

const pgStoredName = `(CASE WHEN jsonb_typeof(session_data -> 'session_name') = 'string' THEN session_data ->> 'session_name' END)`

// sqliteIsDoubleEncoded is true when the row's JSON columns are
// double-encoded, or when nothing tells (no JSON column holds a document):
// every Agno version reads double-encoded values.
const sqliteIsDoubleEncoded = `NOT COALESCE(
	(json_valid(runs) AND json_type(runs) IN ('object', 'array')) OR
	(json_valid(metadata) AND json_type(metadata) IN ('object', 'array')) OR
	(json_valid(agent_data) AND json_type(agent_data) IN ('object', 'array')) OR
	(json_valid(team_data) AND json_type(team_data) IN ('object', 'array')) OR
	(json_valid(workflow_data) AND json_type(workflow_data) IN ('object', 'array')) OR
	(json_valid(summary) AND json_type(summary) IN ('object', 'array')), 0)`

// pgSmallRuns is true for runs stored in at most smallRunsBytes (after
// compression): pg_column_size reads the stored header only. Such runs are
// shipped whole for runs(first|last: n) rather than sliced in SQL, which
// detoasts and decompresses the value more than once and costs more than
// sending a small column; connections read whole runs and windows alike.
const pgSmallRuns = `(runs IS NULL OR pg_column_size(runs) <= ` + smallRunsParam + `)`

// smallRunsParam is replaced by the Store's threshold.
const smallRunsParam = "{small_runs_bytes}"

// pgNameRuns gives Agno's name derivation only what it reads, so that a
// list of names never ships whole runs: for workflows the first run's input;
// otherwise, for each run up to the first one that decides the name (one
// with an input or a non-empty user message; team member runs skipped), its
// agent_id, input and user messages. It reads runs through one
// jsonb_path_query, because every reference to a TOASTed value detoasts and
// decompresses it again; 'strict' with errors silenced yields nothing for a
// column that is not an array, which the derivation then reads as no runs,
// as it reads the whole column. A first workflow run that is not an object
// gets the whole column, for the derivation to judge.
const pgNameRuns = `(CASE
	WHEN jsonb_typeof(session_data -> 'session_name') = 'string' OR runs IS NULL THEN NULL
	WHEN ` + effectiveType + ` = 'workflow' THEN
		(SELECT CASE WHEN jsonb_typeof(e) = 'object'
			THEN jsonb_build_array(jsonb_strip_nulls(jsonb_build_object('input', e -> 'input')))
			ELSE runs END
		FROM jsonb_path_query(runs, 'strict $[0]', '{}', true) e)
	ELSE (SELECT COALESCE(jsonb_agg(jsonb_build_object('agent_id', e -> 'agent_id', 'input', e -> 'input',
			'messages', (SELECT COALESCE(jsonb_agg(jsonb_build_object('role', m -> 'role', 'content', m -> 'content') ORDER BY j), '[]'::jsonb)
				FROM jsonb_path_query(e, 'strict $.messages[*]', '{}', true) WITH ORDINALITY mm(m, j)
				WHERE m ->> 'role' = 'user')) ORDER BY i), '[]'::jsonb)
		FROM (SELECT e, i, min(i) FILTER (WHERE jsonb_typeof(e) = 'object'
				AND (` + effectiveType + ` <> 'team' OR NOT COALESCE(jsonb_typeof(e -> 'agent_id') = 'string' AND e ->> 'agent_id' <> '', false))
				AND (COALESCE(jsonb_typeof(e -> 'input'), 'null') <> 'null' OR EXISTS (
					SELECT 1 FROM jsonb_path_query(e, 'strict $.messages[*]', '{}', true) m2
					WHERE m2 ->> 'role' = 'user' AND jsonb_typeof(m2 -> 'content') = 'string' AND m2 ->> 'content' <> ''))) OVER () AS cut
			FROM jsonb_path_query(runs, 'strict $[*]', '{}', true) WITH ORDINALITY t(e, i)) s
		WHERE jsonb_typeof(e) = 'object' AND (cut IS NULL OR i <= cut))
	END)`

var dialects = map[Dialect]dialectSQL{
	Postgres: {
		nameKey:      `lower(COALESCE(` + pgStoredName + `, '') COLLATE "C")`,
		tieKey:       `session_id COLLATE "C"`,
		nameContains: `strpos(lower(` + pgStoredName + ` COLLATE "C"), ?) > 0`,
		jsonParam:    `CAST(? AS jsonb)`,
		// jsonb_set on an object; SQL NULL and JSON null start from {}.
		renameSet: `jsonb_set(CASE WHEN jsonb_typeof(session_data) = 'object' THEN session_data ELSE '{}'::jsonb END,
			'{session_name}', to_jsonb(CAST(? AS text)))`,
		renameArgs: 1,
		renameable: `(session_data IS NULL OR jsonb_typeof(session_data) IN ('object', 'null'))`,
		nameRuns:   pgNameRuns,
	},
	SQLite: {
		nameKey:      `lower(COALESCE(` + sqliteStoredName + `, ''))`,
		tieKey:       `session_id`,
		nameContains: `instr(lower(` + sqliteStoredName + `), ?) > 0`,
		jsonParam:    `?`,
		// Keep the row's encoding: a double-encoded document stays double-encoded.
		// (`|| ''` drops the JSON subtype, without which json_quote is a no-op.)
		renameSet: `CASE
			WHEN json_valid(session_data) AND json_type(session_data) = 'object'
				THEN json_set(session_data, '$.session_name', ?)
			WHEN json_valid(session_data) AND json_type(session_data) = 'text'
				THEN json_quote(json_set(session_data ->> '$', '$.session_name', ?) || '')
			WHEN ` + sqliteIsDoubleEncoded + ` THEN json_quote(json_object('session_name', ?) || '')
			ELSE json_object('session_name', ?) END`,
		renameArgs: 4,
		renameable: `(session_data IS NULL OR (json_valid(session_data) AND (json_type(session_data) IN ('object', 'null') OR
			(json_type(session_data) = 'text' AND json_valid(session_data ->> '$') AND json_type(session_data ->> '$') = 'object'))))`,
		// SQLite reads the whole JSON text to look into it anyway: hand over
		// runs, but only of rows whose name must be derived.
		nameRuns: `(CASE WHEN ` + sqliteStoredName + ` IS NULL THEN runs END)`,
	},
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

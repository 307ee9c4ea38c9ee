package db

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"

	"modernc.org/sqlite"
)

// textContains (SessionFilter.textContains) looks for a needle in the texts
// of the user and assistant messages of a session's runs, as Agno 3 reads
// them (see models.MergeRuns): the runs table's rows and the legacy runs
// column's runs not copied into it, workflow sessions keeping only workflow
// runs once there is a runs table. A run's messages are run_data.messages,
// and those of the runs nested in step_executor_runs (a workflow run has
// none of its own: its steps' agents talk). A message's texts are its
// content when it is a string, and when it is a list of parts, each part
// that is a string and the text of each {"type": "text", "text": ...}.
//
// Both sides are lower-cased per character, with Unicode's simple mapping:
// on SQLite by sg_lower (Go's strings.ToLower), on PostgreSQL by lower()
// under a collation that maps so (see foldCollations), whatever the
// database's own collation does.

// messageContentsPaths select, in a run's run_data, the content of every
// user and assistant message of the run and of its step runs. Strict, with
// the existence of each step in the filters, so that no message without a
// content, and no step without messages, silences the rest (an error in a
// strict path ends the whole path).
var messageContentsPaths = []string{
	`strict $.messages[*] ? ((@.role == "user" || @.role == "assistant") && exists(@.content)).content`,
	`strict $.step_executor_runs[*] ? (@.messages.type() == "array").messages[*] ? ((@.role == "user" || @.role == "assistant") && exists(@.content)).content`,
}

// pgMessageContents is the JSON array of the contents messageContentsPaths
// select in the jsonb value doc: what the trigram index indexes, as text.
func pgMessageContents(doc string) string {
	parts := make([]string, len(messageContentsPaths))
	for i, p := range messageContentsPaths {
		parts[i] = "jsonb_path_query_array(" + doc + ", " + pgPathLiteral(p) + ", '{}', true)"
	}
	return "(" + strings.Join(parts, " || ") + ")"
}

// pgPathLiteral writes a jsonpath as an SQL literal without a question
// mark, which the statement builders take for a parameter: an E-string
// with \x3f.
func pgPathLiteral(path string) string {
	return "E'" + strings.ReplaceAll(path, "?", `\x3f`) + "'"
}

// pgMessageTextIndexed is the expression the trigram index holds and the
// search's first test: the contents as JSON text, lower-cased. The needle,
// escaped as JSON escapes it, is a substring of it whenever it is one of a
// message's text (lower-casing and escaping both go character by
// character), so it finds every match, and a few that are not (a needle
// spanning two texts, or a part's keys): the exact test follows.
func (s *Store) pgMessageTextIndexed(doc string) string {
	return "lower(CAST(" + pgMessageContents(doc) + " AS text)" + s.fold + ")"
}

// pgTextContains is true when a message text of the run whose run_data is
// doc contains the needle: the indexed test with a LIKE pattern (the
// needle JSON- and LIKE-escaped), then the exact one on each text. Its
// parameters are the pattern and the needle.
func (s *Store) pgTextContains(doc string) string {
	return s.pgMessageTextIndexed(doc) + " LIKE lower(CAST(? AS text)" + s.fold + ")" +
		` AND EXISTS (SELECT 1 FROM jsonb_path_query(` + pgMessageContents(doc) +
		`, ` + pgPathLiteral(`lax $[*] ? (@.type() == "string" || (@.type == "text" && @.text.type() == "string"))`) + `) x
		WHERE strpos(lower((CASE WHEN jsonb_typeof(x) = 'string' THEN x #>> '{}'
			WHEN jsonb_typeof(x -> 'text') = 'string' THEN x ->> 'text' END)` + s.fold + `), lower(CAST(? AS text)` + s.fold + `)) > 0)`
}

// sqliteTextContains is pgTextContains on SQLite: json_each decodes the
// \uXXXX escapes Agno's SQLite backend writes. doc is the run as a JSON
// document; the parameter is the needle, lower-cased.
func sqliteTextContains(doc string) string {
	found := "instr(sg_lower(%s), ?) > 0"
	return `EXISTS (SELECT 1 FROM (
		SELECT m.value AS msg FROM json_each(CASE WHEN json_type(` + doc + `, '$.messages') = 'array' THEN ` + doc + ` END, '$.messages') m
		UNION ALL
		SELECT m.value FROM json_each(CASE WHEN json_type(` + doc + `, '$.step_executor_runs') = 'array' THEN ` + doc + ` END, '$.step_executor_runs') st,
			json_each(CASE WHEN json_type(st.value, '$.messages') = 'array' THEN st.value END, '$.messages') m
			WHERE st.type = 'object') mm
	WHERE json_type(mm.msg) = 'object' AND json_type(mm.msg, '$.role') = 'text' AND json_extract(mm.msg, '$.role') IN ('user', 'assistant') AND (
		(json_type(mm.msg, '$.content') = 'text' AND ` + fmt.Sprintf(found, "json_extract(mm.msg, '$.content')") + `)
		OR (json_type(mm.msg, '$.content') = 'array' AND EXISTS (SELECT 1 FROM json_each(mm.msg, '$.content') p
			WHERE ` + fmt.Sprintf(found, `CASE WHEN p.type = 'text' THEN p.value
				WHEN p.type = 'object' AND json_type(p.value, '$.type') = 'text' AND json_extract(p.value, '$.type') = 'text'
					AND json_type(p.value, '$.text') = 'text' THEN json_extract(p.value, '$.text') END`) + `))))`
}

// runTypeOf is Agno's run type of a legacy run object e (models.runType):
// agent_id or agent_name makes an agent run, team_id or team_name a team run,
// anything else a workflow run.
func (s *Store) runTypeOf(e string) string {
	has := func(key string) string {
		if s.dialect == Postgres {
			return "COALESCE(jsonb_typeof(" + e + " -> '" + key + "') = 'string' AND " + e + " ->> '" + key + "' <> '', false)"
		}
		return "COALESCE(json_type(" + e + ", '$." + key + "') = 'text' AND json_extract(" + e + ", '$." + key + "') <> '', 0)"
	}
	return "(CASE WHEN " + has("agent_id") + " OR " + has("agent_name") + " THEN 'agent' WHEN " +
		has("team_id") + " OR " + has("team_name") + " THEN 'team' ELSE 'workflow' END)"
}

// addTextContains adds the textContains condition to a WHERE clause on the
// sessions table. Its columns are the sessions table's own, unqualified
// (the table is aliased in some statements): the runs table is searched
// through session_id IN (...), the legacy column through a lateral row of
// the session's columns.
func (s *Store) addTextContains(w *where, needle string) {
	l := s.lay()
	var conds []string
	var args []any
	pgArgs := []any{"%" + likeEscape(jsonEscape(needle)) + "%", needle}
	match := func(doc string) string {
		if s.dialect == Postgres {
			args = append(args, pgArgs...)
			return s.pgTextContains(doc)
		}
		cond := sqliteTextContains(doc)
		for range strings.Count(cond, "?") {
			args = append(args, strings.ToLower(needle))
		}
		return cond
	}
	if l.runsTable {
		// A workflow session's runs are its workflow runs only.
		conds = append(conds, "session_id IN (SELECT rt.session_id FROM "+s.runsFrom+" rt WHERE "+match(s.runDataDoc("rt.run_data"))+
			" AND (rt.run_type = 'workflow' OR NOT EXISTS (SELECT 1 FROM "+s.from+" ws WHERE ws.session_id = rt.session_id AND "+
			effectiveType+" = 'workflow')))")
	}
	// Once Agno's migration has copied the legacy column into the table
	// (see runsSource), the table holds every run to search.
	if l.legacyRuns && !(l.runsTable && l.migrated) {
		var elems, run string
		if s.dialect == Postgres {
			elems, run = "jsonb_path_query(o.sg_runs, "+pgPathLiteral(`strict $[*] ? (@.type() == "object")`)+", '{}', true) e(run)", "e.run"
		} else {
			elems, run = "json_each(CASE WHEN json_type(o.sg_runs) = 'array' THEN o.sg_runs END) e", "e.value"
		}
		cond := match(run)
		if s.dialect == SQLite {
			cond = "e.type = 'object' AND " + cond
		}
		if l.runsTable {
			// Runs the table holds are read from it; Agno 3 drops legacy runs without a run_id.
			id := s.jsonText(run, "run_id")
			cond += " AND " + id + " <> '' AND NOT EXISTS (SELECT 1 FROM " + s.runsFrom + " rt WHERE rt.session_id = o.sg_sid AND rt.run_id = " + id + ")" +
				" AND (o.sg_type <> 'workflow' OR " + s.runTypeOf(run) + " = 'workflow')"
		}
		conds = append(conds, "EXISTS (SELECT 1 FROM (SELECT session_id AS sg_sid, "+s.legacyRunsDoc()+" AS sg_runs, "+effectiveType+" AS sg_type) o, "+
			elems+" WHERE "+cond+")")
	}
	if len(conds) == 0 {
		conds = append(conds, "1 = 0")
	}
	w.add("("+strings.Join(conds, " OR ")+")", args...)
}

// jsonText is the string at key of the JSON object e, NULL when it is not a string.
func (s *Store) jsonText(e, key string) string {
	if s.dialect == Postgres {
		return "(CASE WHEN jsonb_typeof(" + e + " -> '" + key + "') = 'string' THEN " + e + " ->> '" + key + "' END)"
	}
	return "(CASE WHEN json_type(" + e + ", '$." + key + "') = 'text' THEN json_extract(" + e + ", '$." + key + "') END)"
}

// runDataDoc is a runs-table run_data value as a JSON document: jsonb on
// PostgreSQL; on SQLite the text, unwrapped when a writer double-encoded
// it, NULL when it is not JSON.
func (s *Store) runDataDoc(col string) string {
	if s.dialect == Postgres {
		return col
	}
	return sqliteJSONDoc(col)
}

// legacyRunsDoc is the sessions table's runs column as a JSON document
// (Agno's SQLite backend double-encodes it).
func (s *Store) legacyRunsDoc() string {
	if s.dialect == Postgres {
		return "runs"
	}
	return s.runDataDoc("runs")
}

// likeEscape escapes LIKE's wildcards and its escape character (\, the default on both backends).
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// jsonEscape escapes s as PostgreSQL writes a jsonb string as text
// (escape_json): quote, backslash and control characters; nothing else.
func jsonEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// foldCollations are the collations under which PostgreSQL's lower() maps
// each character by Unicode's simple lower-case mapping, as Go's
// strings.ToLower does (and not as ICU or a linguistic locale does, which
// map in context: a final sigma, a dotted capital I), best first:
// PostgreSQL 17's builtin one, then glibc's C.UTF-8. A database that has
// none of them folds case with its default collation (detectFold).
var foldCollations = []string{"pg_c_utf8", "C.utf8", "C.UTF-8"}

// detectFold picks the first of foldCollations the database has for its
// encoding; s.fold is then " COLLATE <it>", or "" for none.
func (s *Store) detectFold(ctx context.Context) error {
	if s.dialect != Postgres {
		return nil
	}
	names, err := s.catalogStrings(ctx, `SELECT collname FROM pg_collation WHERE collname IN ('`+strings.Join(foldCollations, "', '")+`')
		AND collencoding IN (-1, (SELECT encoding FROM pg_database WHERE datname = current_database()))`)
	if err != nil {
		return fmt.Errorf("reading collations: %w", err)
	}
	s.fold = ""
	for _, c := range foldCollations {
		for _, n := range names {
			if n == c {
				s.fold = " COLLATE " + quoteIdent(c)
				return nil
			}
		}
	}
	return nil
}

// sg_lower is Go's strings.ToLower for SQLite, whose lower() folds ASCII only.
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("sg_lower", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return strings.ToLower(v), nil
		case []byte:
			return strings.ToLower(string(v)), nil
		}
		return args[0], nil
	})
}

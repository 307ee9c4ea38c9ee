package db

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"sessiongraph/models"
)

// Agno v3's result offloading (offload_tool_results) indexes each stored
// tool result in agno_tool_results, in the sessions table's schema, and its
// default result store writes the payload as a file of Agno's FileSystem,
// a row of agno_fs (DbFileSystem), which PostgreSQL keeps in the schema fs.
// Agno creates both tables on first use, so either may be missing.
const (
	toolResultsTable = "agno_tool_results"
	agnoFSTable      = "agno_fs"
	agnoFSSchema     = "fs"
)

// ToolResult returns the agno_tool_results row of the offloaded result
// resultID stored for sessionID, nil when there is none: the table does not
// exist, the row is gone (expired and swept, or deleted), or it belongs to
// another session. A caller restricted to some user's sessions (WithOwner,
// WithUser) sees only the results of those sessions.
func (s *Store) ToolResult(ctx context.Context, sessionID, resultID string) (*models.StoredToolResult, error) {
	release, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	if ok, err := s.hasTable(ctx, s.schema, toolResultsTable); !ok || err != nil {
		return nil, err
	}
	w := &where{}
	w.add("r.result_id = ?", resultID)
	w.add("r.session_id = ?", sessionID)
	// A result is its session's: visible to whoever may see the session.
	if owner := scope(ctx, &where{}); len(owner.conds) > 0 {
		w.add("EXISTS (SELECT 1 FROM "+s.from+owner.sql()+" AND session_id = r.session_id)", owner.args...)
	}
	query := "SELECT r.result_id, r.session_id, r.run_id, r.tool_call_id, r.tool_name, r.content_type, r.size_bytes, r.line_count, " +
		"r.user_id, r.namespace, r.path, r.created_at, r.expires_at FROM " + s.qualify(toolResultsTable) + " r" + w.sql()
	var out *models.StoredToolResult
	err = s.queryRows(ctx, query, w.args, func(rows scanner) error {
		var (
			r       models.StoredToolResult
			size    int64
			lines   int64
			userID  sql.NullString
			expires sql.NullInt64
		)
		if err := rows.Scan(&r.ResultID, &r.SessionID, &r.RunID, &r.ToolCallID, &r.ToolName, &r.ContentType, &size, &lines,
			&userID, &r.Namespace, &r.Path, &r.Created, &expires); err != nil {
			return err
		}
		r.SizeBytes, r.LineCount, r.UserID = int(size), int(lines), nullString(userID)
		if expires.Valid {
			r.Expires = &expires.Int64
		}
		out = &r
		return nil
	})
	if err != nil {
		return nil, internal("reading an offloaded tool result", err)
	}
	return out, nil
}

// ToolResultContent returns the payload of an offloaded result from
// Agno's agno_fs table, nil when it is not there: the table does not exist,
// or the result store kept its files elsewhere (a FileSystem of its own).
func (s *Store) ToolResultContent(ctx context.Context, r *models.StoredToolResult) (*string, error) {
	release, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	if ok, err := s.hasTable(ctx, agnoFSSchema, agnoFSTable); !ok || err != nil {
		return nil, err
	}
	table := quoteIdent(agnoFSTable)
	if s.dialect == Postgres {
		table = quoteIdent(agnoFSSchema) + "." + table
	}
	var content *string
	err = s.queryRows(ctx, "SELECT content FROM "+table+" WHERE namespace = ? AND path = ?", []any{r.Namespace, r.PayloadPath()}, func(rows scanner) error {
		var c string
		if err := rows.Scan(&c); err != nil {
			return err
		}
		content = &c
		return nil
	})
	if err != nil {
		return nil, internal("reading an offloaded tool result's content", err)
	}
	return content, nil
}

// optionalTableTTL is how long hasTable trusts an answer: a table Agno
// creates while the server runs is seen within it.
const optionalTableTTL = 5 * time.Second

// optionalTables remembers whether the tables Agno creates on first use
// exist, so that a transcript with many offloaded results does not look
// each up. It is keyed by database and table, not by Store: it describes the
// database, whichever Store reads it.
var optionalTables = struct {
	mu    sync.Mutex
	items map[string]tableAnswer
}{items: map[string]tableAnswer{}}

type tableAnswer struct {
	exists bool
	at     time.Time
}

// hasTable reports whether the table exists (schema is ignored on SQLite,
// where Agno keeps every table in the database file).
func (s *Store) hasTable(ctx context.Context, schema, table string) (bool, error) {
	key := string(s.dialect) + "\x00" + s.target.DSN + "\x00" + schema + "\x00" + table
	optionalTables.mu.Lock()
	a, ok := optionalTables.items[key]
	optionalTables.mu.Unlock()
	if ok && time.Since(a.at) < optionalTableTTL {
		return a.exists, nil
	}
	var n int64
	var err error
	if s.dialect == Postgres {
		err = s.raw(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", schema, table).Scan(&n).Error
	} else {
		err = s.raw(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", table).Scan(&n).Error
	}
	if err != nil {
		return false, internal("looking for the table "+table, err)
	}
	optionalTables.mu.Lock()
	optionalTables.items[key] = tableAnswer{exists: n > 0, at: time.Now()}
	optionalTables.mu.Unlock()
	return n > 0, nil
}

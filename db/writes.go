package db

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"sessiongraph/models"
)

// MaxNameLength is the longest session name renameSession accepts, in characters.
const MaxNameLength = 512

// MaxBatchDelete is the most ids deleteSessions accepts.
const MaxBatchDelete = 1000

// ValidateName trims a new session name and checks it: BAD_USER_INPUT when it
// is empty, longer than MaxNameLength characters or has control characters.
func ValidateName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", models.Errorf(models.BadUserInput, "name must not be empty")
	case !utf8.ValidString(name):
		return "", models.Errorf(models.BadUserInput, "name must be valid UTF-8")
	case utf8.RuneCountInString(name) > MaxNameLength:
		return "", models.Errorf(models.BadUserInput, "name must be at most %d characters", MaxNameLength)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", models.Errorf(models.BadUserInput, "name must not contain control characters")
	}
	return name, nil
}

// RenameSession sets session_data.session_name and updated_at in one atomic
// UPDATE, keeping every other key and column; it works when session_data is
// SQL NULL or JSON null. NOT_FOUND when no session (of typ) has the id.
func (s *Store) RenameSession(ctx context.Context, sessionID, name string, typ *models.SessionType) (*models.SessionRow, error) {
	if err := s.available(ctx); err != nil {
		return nil, err
	}
	name, err := ValidateName(name)
	if err != nil {
		return nil, err
	}
	w := &where{}
	w.add("session_id = ?", sessionID)
	if typ != nil {
		w.add(effectiveType+" = ?", typ.Stored())
	}
	scope(ctx, w)
	args := make([]any, 0, s.sql.renameArgs+1+len(w.args))
	for range s.sql.renameArgs {
		args = append(args, name)
	}
	args = append(args, nowEpoch())
	args = append(args, w.args...)
	returning, _ := s.selectList(models.AllColumns)
	query := fmt.Sprintf("UPDATE %s SET session_data = %s, updated_at = ?%s AND %s RETURNING %s",
		s.from, s.sql.renameSet, w.sql(), s.sql.renameable, returning)
	defer s.counts.invalidate() // a new name changes what nameContains matches
	rows, err := s.db.WithContext(ctx).Raw(query, args...).Rows()
	if err != nil {
		return nil, internal("renaming a session", err)
	}
	defer rows.Close()
	if rows.Next() {
		row, err := s.scanRow(rows, models.AllColumns)
		if err != nil {
			return nil, internal("renaming a session", err)
		}
		return &row, nil
	}
	if err := rows.Err(); err != nil {
		return nil, internal("renaming a session", err)
	}
	existing, err := s.GetSession(ctx, sessionID, typ, models.SessionColumns{})
	if err != nil {
		return nil, err
	}
	if existing == nil {
		return nil, models.Errorf(models.NotFound, "session %q not found", sessionID)
	}
	return nil, models.Errorf(models.DataCorrupt, "session %q cannot be renamed: its session_data is not a JSON object", sessionID)
}

// DeleteSession deletes one session; NOT_FOUND when no session (of typ) has the id.
func (s *Store) DeleteSession(ctx context.Context, sessionID string, typ *models.SessionType) error {
	if err := s.available(ctx); err != nil {
		return err
	}
	w := &where{}
	w.add("session_id = ?", sessionID)
	if typ != nil {
		w.add(effectiveType+" = ?", typ.Stored())
	}
	scope(ctx, w)
	defer s.counts.invalidate()
	res := s.db.WithContext(ctx).Exec("DELETE FROM "+s.from+w.sql(), w.args...)
	if res.Error != nil {
		return internal("deleting a session", res.Error)
	}
	if res.RowsAffected == 0 {
		return models.Errorf(models.NotFound, "session %q not found", sessionID)
	}
	return nil
}

// DeleteSessions deletes the sessions with the given ids in one transaction.
// With types (same length as ids), a row is deleted only when its type is the
// one given for its id. It returns the ids deleted and those that matched no
// row, each in input order without repeats.
func (s *Store) DeleteSessions(ctx context.Context, ids []string, types []models.SessionType) (deleted, notFound []string, err error) {
	if err := s.available(ctx); err != nil {
		return nil, nil, err
	}
	if len(ids) > MaxBatchDelete {
		return nil, nil, models.Errorf(models.BadUserInput, "at most %d sessionIds per call, got %d", MaxBatchDelete, len(ids))
	}
	if types != nil && len(types) != len(ids) {
		return nil, nil, models.Errorf(models.BadUserInput, "types must have the same length as sessionIds (%d), got %d", len(ids), len(types))
	}
	deleted, notFound = []string{}, []string{}
	if len(ids) == 0 {
		return deleted, notFound, nil
	}
	var query string
	args := make([]any, 0, 2*len(ids))
	if types == nil {
		query = "DELETE FROM " + s.from + " WHERE session_id IN (" + placeholders(len(ids), "?") + ") RETURNING session_id"
		for _, id := range ids {
			args = append(args, id)
		}
	} else {
		query = "DELETE FROM " + s.from + " WHERE (session_id, " + effectiveType + ") IN (VALUES " + placeholders(len(ids), "(?, ?)") + ") RETURNING session_id"
		for i, id := range ids {
			args = append(args, id, types[i].Stored())
		}
	}
	if owner, ok := OwnerOf(ctx); ok {
		query = strings.Replace(query, " RETURNING ", " AND user_id = ? RETURNING ", 1)
		args = append(args, owner)
	}
	gone := map[string]bool{}
	defer s.counts.invalidate()
	err = s.db.WithContext(ctx).Transaction(func(tx *gormDB) error {
		rows, err := tx.Raw(query, args...).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			gone[id] = true
		}
		return rows.Err()
	})
	if err != nil {
		return nil, nil, internal("deleting sessions", err)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if gone[id] {
			deleted = append(deleted, id)
		} else {
			notFound = append(notFound, id)
		}
	}
	return deleted, notFound, nil
}

func placeholders(n int, one string) string {
	return strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
}

// InsertRows writes rows as Agno would (for fixtures and the demo dataset),
// JSON columns in the backend's encoding: jsonb on PostgreSQL, on SQLite
// double-encoded like Agno up to 2.9 or plain like later Agno.
func (s *Store) InsertRows(ctx context.Context, rows []models.SessionRow, enc SQLiteEncoding) error {
	if err := s.available(ctx); err != nil {
		return err
	}
	query := fmt.Sprintf("INSERT INTO %s (%s) VALUES (?, ?, ?, ?, ?, ?, %s, ?, ?)", s.from, strings.Join(sessionColumns, ", "),
		placeholders(7, s.sql.jsonParam))
	defer s.counts.invalidate()
	return s.db.WithContext(ctx).Transaction(func(tx *gormDB) error {
		for _, r := range rows {
			args := []any{r.SessionID, r.SessionType, r.AgentID, r.TeamID, r.WorkflowID, r.UserID}
			for _, doc := range []json.RawMessage{r.SessionData, r.AgentData, r.TeamData, r.WorkflowData, r.Metadata, r.Runs, r.Summary} {
				v, err := s.encodeColumn(doc, enc)
				if err != nil {
					return fmt.Errorf("session %q: %w", r.SessionID, err)
				}
				args = append(args, v)
			}
			args = append(args, r.CreatedAt, r.UpdatedAt)
			if err := tx.Exec(query, args...).Error; err != nil {
				return fmt.Errorf("inserting session %q: %w", r.SessionID, err)
			}
		}
		return nil
	})
}

// encodeColumn returns a JSON column's stored value: nil for SQL NULL, else text.
func (s *Store) encodeColumn(doc json.RawMessage, enc SQLiteEncoding) (any, error) {
	if doc == nil {
		return nil, nil
	}
	if s.dialect == Postgres || enc == PlainJSON {
		return string(doc), nil
	}
	if strings.TrimSpace(string(doc)) == "null" {
		return "null", nil // Agno writes None as the text null
	}
	// Agno: json.dumps the document, then SQLAlchemy json.dumps the string again.
	inner, err := models.PythonJSONDumps(doc, 0)
	if err != nil {
		return nil, err
	}
	outer, err := json.Marshal(inner)
	if err != nil {
		return nil, err
	}
	return models.PythonJSONDumps(outer, 0)
}

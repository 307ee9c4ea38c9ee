package db

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"

	"sessiongraph/models"
)

// MaxNameLength is the longest session name renameSession, createSession
// and updateSession accept, in characters.
const MaxNameLength = 512

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
	return s.UpdateSession(ctx, sessionID, typ, models.SessionEdit{Name: &name})
}

// CreateSession stores a new session as Agno's POST /sessions does (see
// models.CreateSessionInput.Row) in one INSERT … ON CONFLICT DO NOTHING, so
// that two creates of one id cannot both succeed: CONFLICT, with nothing
// written or shown, when any session (of any type or user) has the id. The
// id is a new UUID v4 when in has none. A caller restricted to an owner
// (WithOwner) creates sessions of that owner, whatever in.UserID says. JSON
// columns are written in the encoding the table holds: jsonb on PostgreSQL
// (with the characters Agno's PostgreSQL backend strips stripped); on
// SQLite that of its newest row, double-encoded as Agno 2.9 writes when no
// row tells.
func (s *Store) CreateSession(ctx context.Context, in models.CreateSessionInput) (*models.SessionRow, error) {
	release, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	sessionID := models.NewSessionID()
	if in.SessionID != nil {
		if *in.SessionID == "" {
			return nil, models.Errorf(models.BadUserInput, "sessionId must not be empty; leave it out to have one generated")
		}
		sessionID = *in.SessionID
	}
	if err := checkIDLengths(map[string]*string{"sessionId": &sessionID, "userId": in.UserID, "agentId": in.AgentID,
		"teamId": in.TeamID, "workflowId": in.WorkflowID}); err != nil {
		return nil, err
	}
	var name *string
	if in.SessionName != nil {
		checked, err := ValidateName(*in.SessionName)
		if err != nil {
			return nil, err
		}
		name = &checked
	}
	userID := in.UserID
	if owner, ok := OwnerOf(ctx); ok {
		userID = &owner // as AgentOS's enforce_owner_on_entity
	}
	row, err := in.Row(sessionID, userID, name, s.nowEpoch())
	if err != nil {
		return nil, err
	}
	l := s.lay()
	columns, docs := insertColumns(l, row)
	args := []any{row.SessionID, row.SessionType, row.AgentID, row.TeamID, row.WorkflowID, row.UserID}
	for _, doc := range docs {
		docArgs, err := s.docArgs(doc)
		if err != nil {
			return nil, err
		}
		args = append(args, docArgs...)
	}
	args = append(args, row.CreatedAt, *row.UpdatedAt)
	returning, _ := s.selectList(l, s.columnsFor(l, models.AllColumns))
	query := l.sql.insertWith + fmt.Sprintf("INSERT INTO %s (%s) VALUES (?, ?, ?, ?, ?, ?, %s, ?, ?) ON CONFLICT (session_id) DO NOTHING RETURNING %s",
		s.from, strings.Join(columns, ", "), placeholders(len(docs), l.sql.insertDoc), returning)
	created, err := s.writeRow(ctx, l, "creating a session", query, args)
	if created == nil && err == nil {
		err = models.Errorf(models.Conflict, "a session with id %q already exists; use updateSession to change it", sessionID)
	}
	return created, err
}

// checkIDLengths returns BAD_USER_INPUT for an id longer than an id may be.
func checkIDLengths(ids map[string]*string) error {
	for _, field := range slices.Sorted(maps.Keys(ids)) {
		if id := ids[field]; id != nil {
			if err := models.CheckIDLength(field, *id); err != nil {
				return err
			}
		}
	}
	return nil
}

// UpdateSession applies edit to one session in one atomic UPDATE, as Agno's
// PATCH /sessions/{id} would leave it: only the session_data keys and the
// columns edit names change, in the row's encoding, and updated_at becomes
// now (also for an empty edit, as in Agno). It never writes runs or any
// other column, so it loses nothing Agno writes meanwhile. A name is trimmed
// and checked as ValidateName does. NOT_FOUND when no session (of typ) has
// the id; DATA_CORRUPT when edit changes a session_data key and
// session_data is neither null nor an object.
func (s *Store) UpdateSession(ctx context.Context, sessionID string, typ *models.SessionType, edit models.SessionEdit) (*models.SessionRow, error) {
	release, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	l := s.lay()
	set, err := s.updateSet(l, edit)
	if err != nil {
		return nil, err
	}
	w := &where{}
	w.add("session_id = ?", sessionID)
	if typ != nil {
		w.add(effectiveType+" = ?", typ.Stored())
	}
	scope(ctx, w)
	if set.changesData {
		w.add(l.sql.dataEditable)
	}
	returning, _ := s.selectList(l, s.columnsFor(l, models.AllColumns))
	query := fmt.Sprintf("UPDATE %s SET %s%s RETURNING %s", s.from, strings.Join(set.assignments, ", "), w.sql(), returning)
	row, err := s.writeRow(ctx, l, "updating a session", query, append(set.args, w.args...))
	if row != nil || err != nil {
		return row, err
	}
	existing, err := s.GetSession(ctx, sessionID, typ, models.SessionColumns{})
	if err != nil {
		return nil, err
	}
	if existing == nil {
		return nil, models.Errorf(models.NotFound, "session %q not found", sessionID)
	}
	return nil, models.Errorf(models.DataCorrupt, "session %q cannot be updated: its session_data is not a JSON object", sessionID)
}

// setClause is the SET clause of an UPDATE and its parameters.
type setClause struct {
	assignments []string
	args        []any
	changesData bool // session_data is among the columns set
}

// updateSet returns the SET clause of edit: the session_data keys it sets
// or removes (editData), the columns it replaces, and updated_at = now.
func (s *Store) updateSet(l *layout, edit models.SessionEdit) (setClause, error) {
	var c setClause
	var setKeys, removeKeys []string
	var setDocs []json.RawMessage
	if edit.Name != nil {
		name, err := ValidateName(*edit.Name)
		if err != nil {
			return c, err
		}
		encoded, _ := json.Marshal(name)
		setKeys, setDocs = append(setKeys, "session_name"), append(setDocs, encoded)
	}
	if edit.State != nil {
		setKeys, setDocs = append(setKeys, "session_state"), append(setDocs, edit.State)
	}
	if edit.ClearName {
		removeKeys = append(removeKeys, "session_name")
	}
	if edit.ClearState {
		removeKeys = append(removeKeys, "session_state")
	}
	if len(setKeys)+len(removeKeys) > 0 {
		expr, copies := l.sql.editData(setKeys, removeKeys)
		c.assignments, c.changesData = append(c.assignments, "session_data = "+expr), true
		for range copies {
			for _, doc := range setDocs {
				param, err := s.setParam(doc)
				if err != nil {
					return c, err
				}
				c.args = append(c.args, param)
			}
		}
	}
	column := func(name, expr string, docs ...json.RawMessage) error {
		c.assignments = append(c.assignments, name+" = "+expr)
		for _, doc := range docs {
			docArgs, err := s.docArgs(doc)
			if err != nil {
				return err
			}
			c.args = append(c.args, docArgs...)
		}
		return nil
	}
	var err error
	switch {
	case edit.Metadata != nil:
		err = column("metadata", l.sql.docValue, edit.Metadata)
	case edit.ClearMetadata:
		// Agno stores no metadata as null, but a WorkflowSession turns it into {}.
		err = column("metadata", "CASE WHEN "+effectiveType+" = 'workflow' THEN "+l.sql.docValue+" ELSE "+l.sql.docValue+" END",
			json.RawMessage("{}"), json.RawMessage("null"))
	}
	if err != nil {
		return c, err
	}
	summary := edit.Summary
	if edit.ClearSummary {
		summary = json.RawMessage("null")
	}
	if summary != nil {
		// Workflow sessions have no summary: Agno's PATCH ignores one.
		if err := column("summary", "CASE WHEN "+effectiveType+" = 'workflow' THEN summary ELSE "+l.sql.docValue+" END", summary); err != nil {
			return c, err
		}
	}
	c.assignments, c.args = append(c.assignments, "updated_at = ?"), append(c.args, s.nowEpoch())
	return c, nil
}

// writeRow runs a write that returns at most one session row (RETURNING
// selectList(AllColumns)); nil when it wrote none. Counts are refreshed: a
// write may change what a filter matches.
func (s *Store) writeRow(ctx context.Context, l *layout, op, query string, args []any) (*models.SessionRow, error) {
	defer s.counts.invalidate()
	query = strings.ReplaceAll(query, "{table}", s.from) // see sqliteTableEncoding
	rows, err := s.db.WithContext(ctx).Raw(query, args...).Rows()
	if err != nil {
		return nil, internal(op, err)
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, wrapRowsErr(op, rows.Err())
	}
	row, err := s.scanRow(rows, s.columnsFor(l, models.AllColumns))
	if err != nil {
		return nil, internal(op, err)
	}
	if err := rows.Close(); err != nil {
		return nil, internal(op, err)
	}
	out := []models.SessionRow{row}
	if err := s.attachRuns(ctx, l, out, models.AllColumns); err != nil {
		return nil, err
	}
	return &out[0], nil
}

// docArgs returns the parameters of docValue and insertDoc for a JSON
// column's new value (nil: SQL NULL): on PostgreSQL the document, stripped
// as Agno's PostgreSQL backend strips; on SQLite its double-encoded and its
// plain form, each as Agno writes it.
func (s *Store) docArgs(doc json.RawMessage) ([]any, error) {
	if s.dialect == Postgres {
		param, err := s.setParam(doc)
		return []any{param}, err
	}
	double, err := s.encodeColumn(doc, DoubleEncoded)
	if err != nil {
		return nil, models.Errorf(models.BadUserInput, "a JSON value cannot be stored: %v", err)
	}
	plain, _ := s.encodeColumn(doc, PlainJSON)
	return []any{double, plain}, nil
}

// setParam returns the parameter of a JSON value set inside a document
// (editData) or, on PostgreSQL, of a whole column: the document, stripped
// on PostgreSQL as Agno's PostgreSQL backend strips.
func (s *Store) setParam(doc json.RawMessage) (any, error) {
	if doc == nil {
		return nil, nil
	}
	if s.dialect == Postgres {
		stripped, err := models.PostgresDocument(doc)
		if err != nil {
			return nil, err
		}
		doc = stripped
	}
	return string(doc), nil
}

// DeleteSession deletes one session; NOT_FOUND when no session (of typ) has the id.
func (s *Store) DeleteSession(ctx context.Context, sessionID string, typ *models.SessionType) error {
	release, err := s.enter(ctx)
	if err != nil {
		return err
	}
	defer release()
	w := &where{}
	w.add("session_id = ?", sessionID)
	if typ != nil {
		w.add(effectiveType+" = ?", typ.Stored())
	}
	scope(ctx, w)
	defer s.counts.invalidate()
	l := s.lay()
	var deleted int64
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec("DELETE FROM "+s.from+w.sql(), w.args...)
		if res.Error != nil || res.RowsAffected == 0 || !l.runsTable {
			deleted = res.RowsAffected
			return res.Error
		}
		deleted = res.RowsAffected
		return s.deleteRuns(tx, []string{sessionID})
	})
	if err != nil {
		return internal("deleting a session", err)
	}
	if deleted == 0 {
		return models.Errorf(models.NotFound, "session %q not found", sessionID)
	}
	return nil
}

// deleteRuns deletes the runs-table rows of deleted sessions, in the
// transaction that deleted them, as Agno 3's delete_session does: on SQLite
// the foreign key only cascades on connections that enabled it.
func (s *Store) deleteRuns(tx *gorm.DB, sessionIDs []string) error {
	if len(sessionIDs) == 0 {
		return nil
	}
	args := make([]any, len(sessionIDs))
	for i, id := range sessionIDs {
		args[i] = id
	}
	return tx.Exec("DELETE FROM "+s.runsFrom+" WHERE session_id IN ("+placeholders(len(sessionIDs), "?")+")", args...).Error
}

// DeleteSessions deletes the sessions with the given ids in one transaction.
// With types (same length as ids), a row is deleted only when its type is the
// one given for its id. It returns the ids deleted and those that matched no
// row, each in input order without repeats.
func (s *Store) DeleteSessions(ctx context.Context, ids []string, types []models.SessionType) (deleted, notFound []string, err error) {
	release, err := s.enter(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer release()
	if err := models.CheckCount("sessionIds", len(ids), models.MaxBatchDelete); err != nil {
		return nil, nil, err
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
	if w := scope(ctx, &where{}); len(w.conds) > 0 {
		query = strings.Replace(query, " RETURNING ", " AND "+strings.Join(w.conds, " AND ")+" RETURNING ", 1)
		args = append(args, w.args...)
	}
	gone := map[string]bool{}
	defer s.counts.invalidate()
	l := s.lay()
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		rows, err := tx.Raw(query, args...).Rows()
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			gone[id] = true
			ids = append(ids, id)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil || !l.runsTable {
			return err
		}
		return s.deleteRuns(tx, ids)
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

// insertColumns returns the columns a new row of r is written in, in
// layout l, and its JSON columns' values in their order: the runs column
// only where the table has it.
func insertColumns(l *layout, r models.SessionRow) ([]string, []json.RawMessage) {
	docs := []json.RawMessage{r.SessionData, r.AgentData, r.TeamData, r.WorkflowData, r.Metadata, r.Summary}
	if !l.legacyRuns {
		return sessionColumns, docs
	}
	columns := slices.Insert(slices.Clone(sessionColumns), 11, "runs")
	return columns, slices.Insert(docs, 5, r.Runs)
}

// InsertRows writes rows as Agno would (for fixtures and the demo dataset),
// JSON columns in the backend's encoding: jsonb on PostgreSQL, on SQLite
// double-encoded like Agno up to 2.9 or plain like later Agno. Where the
// sessions table has no runs column (Agno 3's layout), each row's runs go
// to the runs table as Agno 3's migration would put them there (see
// models.RunRowsOf); otherwise into the runs column, as Agno 2 wrote them.
func (s *Store) InsertRows(ctx context.Context, rows []models.SessionRow, enc SQLiteEncoding) error {
	release, err := s.enter(ctx)
	if err != nil {
		return err
	}
	defer release()
	l := s.lay()
	columns, _ := insertColumns(l, models.SessionRow{})
	query := fmt.Sprintf("INSERT INTO %s (%s) VALUES (?, ?, ?, ?, ?, ?, %s, ?, ?)", s.from, strings.Join(columns, ", "),
		placeholders(len(columns)-8, l.sql.jsonParam))
	defer s.counts.invalidate()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, r := range rows {
			_, docs := insertColumns(l, r)
			args := []any{r.SessionID, r.SessionType, r.AgentID, r.TeamID, r.WorkflowID, r.UserID}
			for _, doc := range docs {
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
			if l.legacyRuns {
				continue
			}
			if !l.runsTable {
				return fmt.Errorf("inserting session %q: the database has neither a runs column nor a runs table", r.SessionID)
			}
			runs, err := models.RunRowsOf(r)
			if err != nil {
				return err
			}
			if err := s.insertRuns(tx, runs); err != nil {
				return err
			}
		}
		return nil
	})
}

// InsertRuns writes rows of the runs table as Agno 3 writes them (run_data
// is plain JSON on SQLite, whatever the sessions table's encoding), in one
// transaction. The sessions must exist.
func (s *Store) InsertRuns(ctx context.Context, runs []models.RunRow) error {
	release, err := s.enter(ctx)
	if err != nil {
		return err
	}
	defer release()
	if !s.lay().runsTable {
		return fmt.Errorf("the database has no runs table %s", s.qualifiedRunsName())
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return s.insertRuns(tx, runs) })
}

func (s *Store) insertRuns(tx *gorm.DB, runs []models.RunRow) error {
	if len(runs) == 0 {
		return nil
	}
	query := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s, %s, ?, ?)", s.runsFrom, strings.Join(runColumns, ", "),
		placeholders(len(runColumns)-3, "?"), s.lay().sql.jsonParam)
	for _, r := range runs {
		if err := tx.Exec(query, r.RunID, r.SessionID, r.RunType, r.AgentID, r.TeamID, r.WorkflowID, r.UserID,
			r.ParentRunID, r.Status, r.RunIndex, string(r.RunData), r.CreatedAt, r.UpdatedAt).Error; err != nil {
			return fmt.Errorf("inserting run %q of session %q: %w", r.RunID, r.SessionID, err)
		}
	}
	return nil
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

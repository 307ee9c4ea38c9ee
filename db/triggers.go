package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"sessiongraph/models"
)

// The NOTIFY triggers are an opt-in addition to a PostgreSQL database
// (`sessiongraph install-triggers`): the server never installs them, and
// reads the change feed by polling without them. With them, a watcher hears
// of each write as it commits, deletes included, which polling cannot see.
const (
	// NoticeChannel is the channel the trigger function notifies on; the
	// payload names the table, so that the sessiongraph-watched tables of
	// several configurations in one database do not mix.
	NoticeChannel = "sessiongraph_changes"
	// notifyName is both the trigger's name on each table and its
	// function's, in the sessions table's schema.
	notifyName = "sg_notify_change"
	// notifyTriggerType is pg_trigger.tgtype of AFTER INSERT OR UPDATE OR
	// DELETE FOR EACH ROW (ROW 1 + INSERT 4 + DELETE 8 + UPDATE 16).
	notifyTriggerType = 29
)

// notifyFunction is the trigger function's body. Its arguments are the
// longest payload pg_notify accepts, less one (PostgreSQL's
// NOTIFY_PAYLOAD_MAX_LENGTH, which depends on the server's block size), and
// the longest id kept in a payload cut to fit it: two ids of that many
// bytes, each escaped to at most 6 bytes a byte, leave room for the rest.
//
// A write must never fail because of the trigger: payloads are cut to fit,
// and with PostgreSQL's notification queue half full (a listener stopped
// reading) the trigger stops notifying rather than let commits fail once it
// is full. It uses no EXCEPTION block, which would cost every write a
// subtransaction.
const notifyFunction = `
DECLARE
	tbl text := TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME;
	sid text;
	rid text;
	payload text;
BEGIN
	IF pg_catalog.pg_notification_queue_usage() >= 0.5 THEN
		RETURN NULL;
	END IF;
	IF TG_ARGV[0] = 'run' THEN
		IF TG_OP = 'DELETE' THEN
			sid := OLD.session_id;
			rid := OLD.run_id;
			payload := json_build_object('table', tbl, 'kind', 'run', 'op', TG_OP, 'session_id', sid, 'run_id', rid,
				'user_id', OLD.user_id);
		ELSE
			sid := NEW.session_id;
			rid := NEW.run_id;
			payload := json_build_object('table', tbl, 'kind', 'run', 'op', TG_OP, 'session_id', sid, 'run_id', rid);
		END IF;
	ELSIF TG_OP = 'DELETE' THEN
		sid := OLD.session_id;
		payload := json_build_object('table', tbl, 'kind', 'session', 'op', TG_OP, 'session_id', sid,
			'user_id', OLD.user_id, 'session_type', OLD.session_type, 'agent_id', OLD.agent_id, 'team_id', OLD.team_id,
			'workflow_id', OLD.workflow_id, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at);
	ELSE
		sid := NEW.session_id;
		payload := json_build_object('table', tbl, 'kind', 'session', 'op', TG_OP, 'session_id', sid);
	END IF;
	IF octet_length(payload) > %[1]d THEN
		payload := json_build_object('table', tbl, 'kind', TG_ARGV[0], 'op', TG_OP, 'partial', true,
			'session_id', CASE WHEN octet_length(sid) <= %[2]d THEN sid END,
			'run_id', CASE WHEN octet_length(rid) <= %[2]d THEN rid END);
	END IF;
	PERFORM pg_catalog.pg_notify('` + NoticeChannel + `', payload);
	RETURN NULL;
END
`

// lockTimeout bounds how long installing or removing the triggers waits
// for the tables' locks: while it waits, Agno's writes queue behind it.
const lockTimeout = 5 * time.Second

// TriggerObject is a database object that InstallTriggers or
// UninstallTriggers looked at, and what it did to it.
type TriggerObject struct {
	// Name is the object for people: "function ai.sg_notify_change()" or
	// "trigger sg_notify_change on ai.agno_sessions".
	Name string
	// Action is what was done: created, replaced or exists (install);
	// dropped, absent, or kept with the reason (uninstall).
	Action string
}

// TriggerState says which tables carry the NOTIFY trigger as this version
// of sessiongraph installs it (see InstallTriggers).
type TriggerState struct {
	// Sessions: the sessions table's writes are notified.
	Sessions bool
	// Runs: the runs table's writes are notified.
	Runs bool
	// RunsTable: the database has Agno 3's runs table. When Agno 3 creates
	// it after install-triggers ran, it has no trigger until
	// install-triggers runs again.
	RunsTable bool
}

// Complete reports whether every write to the Store's tables is notified.
func (t TriggerState) Complete() bool { return t.Sessions && (t.Runs || !t.RunsTable) }

// errTriggersNeedPostgres refuses the triggers on SQLite.
var errTriggersNeedPostgres = models.Errorf(models.BadUserInput,
	"NOTIFY triggers exist on PostgreSQL only: on SQLite, live updates come from polling the tables every second, and deletes from checking the sessions watched")

// InstallTriggers adds the NOTIFY trigger (an AFTER INSERT OR UPDATE OR
// DELETE row trigger calling the function sg_notify_change) to the sessions
// table and, when the database has one, to Agno 3's runs table, in one
// transaction; it alters nothing else. Objects already installed as this
// version installs them are left alone, others are replaced. It waits at
// most lockTimeout for each table's lock. It returns what it did to each
// object. BAD_USER_INPUT on SQLite.
func (s *Store) InstallTriggers(ctx context.Context) ([]TriggerObject, error) {
	if s.dialect != Postgres {
		return nil, errTriggersNeedPostgres
	}
	var done []TriggerObject
	err := s.triggerTx(ctx, func(tx *sql.Tx) error {
		tables, err := s.triggerTables(ctx, tx)
		if err != nil {
			return err
		}
		body, err := notifyFunctionBody(ctx, tx)
		if err != nil {
			return err
		}
		current, err := s.notifyFunctionSource(ctx, tx)
		if err != nil {
			return err
		}
		fn := TriggerObject{Name: s.notifyFunctionName(), Action: "exists"}
		if current.String != body {
			fn.Action = "created"
			if current.Valid {
				fn.Action = "replaced"
			}
			if _, err := tx.ExecContext(ctx, "CREATE OR REPLACE FUNCTION "+s.notifyFunctionSignature()+
				" RETURNS trigger LANGUAGE plpgsql AS $sg$"+body+"$sg$"); err != nil {
				return fmt.Errorf("creating %s: %w", fn.Name, err)
			}
		}
		done = append(done, fn)
		for _, t := range tables {
			obj := TriggerObject{Name: s.triggerName(t.table), Action: "exists"}
			switch {
			case !t.tableExists:
				obj.Action = "not created: the table does not exist yet (Agno 3 creates it on its first run); run install-triggers again then"
			case !t.current:
				obj.Action = "created"
				if t.exists {
					obj.Action = "replaced"
					if err := s.dropNotifyTrigger(ctx, tx, t.table); err != nil {
						return fmt.Errorf("dropping the outdated %s: %w", obj.Name, err)
					}
				}
				if _, err := tx.ExecContext(ctx, fmt.Sprintf("CREATE TRIGGER %s AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION %s('%s')",
					quoteIdent(notifyName), s.qualify(t.table), s.qualify(notifyName), t.kind)); err != nil {
					return fmt.Errorf("creating %s: %w", obj.Name, err)
				}
			}
			done = append(done, obj)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return done, nil
}

// dropNotifyTrigger drops the NOTIFY trigger of table.
func (s *Store) dropNotifyTrigger(ctx context.Context, tx *sql.Tx, table string) error {
	_, err := tx.ExecContext(ctx, "DROP TRIGGER "+quoteIdent(notifyName)+" ON "+s.qualify(table))
	return err
}

// UninstallTriggers drops the NOTIFY triggers from the sessions table and
// the runs table, and the function unless triggers on other tables (of
// another sessions table in the schema) still call it, in one transaction.
// Absent objects are reported as such. BAD_USER_INPUT on SQLite.
func (s *Store) UninstallTriggers(ctx context.Context) ([]TriggerObject, error) {
	if s.dialect != Postgres {
		return nil, errTriggersNeedPostgres
	}
	var done []TriggerObject
	err := s.triggerTx(ctx, func(tx *sql.Tx) error {
		tables, err := s.triggerTables(ctx, tx)
		if err != nil {
			return err
		}
		for _, t := range tables {
			obj := TriggerObject{Name: s.triggerName(t.table), Action: "absent"}
			switch {
			case !t.tableExists:
				obj.Action = "absent: the table does not exist"
			case t.exists:
				obj.Action = "dropped"
				if err := s.dropNotifyTrigger(ctx, tx, t.table); err != nil {
					return fmt.Errorf("dropping %s: %w", obj.Name, err)
				}
			}
			done = append(done, obj)
		}
		fn := TriggerObject{Name: s.notifyFunctionName(), Action: "absent"}
		var exists bool
		var users sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT to_regprocedure($1) IS NOT NULL,
			(SELECT string_agg(tgrelid::regclass::text, ', ' ORDER BY tgrelid::regclass::text) FROM pg_trigger WHERE tgfoid = to_regprocedure($1))`,
			s.notifyFunctionSignature()).Scan(&exists, &users); err != nil {
			return err
		}
		switch {
		case users.Valid:
			fn.Action = "kept: the triggers on " + users.String + " still call it"
		case exists:
			fn.Action = "dropped"
			if _, err := tx.ExecContext(ctx, "DROP FUNCTION "+s.notifyFunctionSignature()); err != nil {
				return fmt.Errorf("dropping %s: %w", fn.Name, err)
			}
		}
		done = append(done, fn)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return done, nil
}

// TriggersInstalled reports which of the Store's tables carry the NOTIFY
// trigger as InstallTriggers installs it: enabled, calling the function as
// this version writes it. A watcher relies on the notices only while the
// state is Complete. On SQLite every table lacks it.
func (s *Store) TriggersInstalled(ctx context.Context) (TriggerState, error) {
	var state TriggerState
	if s.dialect != Postgres {
		return state, nil
	}
	release, err := s.acquire(ctx)
	if err != nil {
		return state, err
	}
	defer release()
	tx, err := s.Pool().BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return state, fmt.Errorf("reading the NOTIFY triggers: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	body, err := notifyFunctionBody(ctx, tx)
	if err != nil {
		return state, err
	}
	current, err := s.notifyFunctionSource(ctx, tx)
	if err != nil {
		return state, err
	}
	tables, err := s.triggerTables(ctx, tx)
	if err != nil {
		return state, err
	}
	for _, t := range tables {
		installed := t.current && current.String == body
		if t.kind == "run" {
			state.RunsTable, state.Runs = t.tableExists, installed
		} else {
			state.Sessions = installed
		}
	}
	return state, nil
}

// triggerTable is one of the Store's tables as the catalog has it.
type triggerTable struct {
	table string
	kind  string // the trigger's argument: session or run
	// tableExists: the table exists; exists: a trigger of the name is on
	// it; current: the trigger is the one InstallTriggers creates, enabled.
	tableExists, exists, current bool
}

// triggerTables reads the sessions table, then the runs table, with the
// state of the trigger on each. The sessions table must exist.
func (s *Store) triggerTables(ctx context.Context, tx *sql.Tx) ([]triggerTable, error) {
	rows, err := tx.QueryContext(ctx, `SELECT v.relname, v.kind, c.oid IS NOT NULL, t.oid IS NOT NULL,
			COALESCE(t.tgfoid = to_regprocedure($4) AND t.tgtype = $5 AND t.tgenabled IN ('O', 'A')
				AND t.tgargs = convert_to(v.kind, 'UTF8') || '\x00'::bytea, false)
		FROM (VALUES (1, $2::name, 'session'), (2, $3::name, 'run')) v(n, relname, kind)
		LEFT JOIN (SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
			WHERE ns.nspname = $1 AND c.relkind IN ('r', 'p')) c ON c.relname = v.relname
		LEFT JOIN pg_trigger t ON t.tgrelid = c.oid AND t.tgname = $6
		ORDER BY v.n`,
		s.schema, s.table, s.runsTable, s.notifyFunctionSignature(), notifyTriggerType, notifyName)
	if err != nil {
		return nil, fmt.Errorf("reading the NOTIFY triggers: %w", err)
	}
	defer rows.Close()
	var tables []triggerTable
	for rows.Next() {
		var t triggerTable
		if err := rows.Scan(&t.table, &t.kind, &t.tableExists, &t.exists, &t.current); err != nil {
			return nil, err
		}
		tables = append(tables, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the NOTIFY triggers: %w", err)
	}
	if !tables[0].tableExists {
		return nil, fmt.Errorf("the sessions table %s does not exist", s.qualifiedName())
	}
	return tables, nil
}

// notifyFunctionName and triggerName name the objects for people.
func (s *Store) notifyFunctionName() string { return "function " + s.schema + "." + notifyName + "()" }

func (s *Store) triggerName(table string) string {
	return "trigger " + notifyName + " on " + s.schema + "." + table
}

// notifyFunctionSignature is the trigger function, qualified, with its
// (empty) argument list: "ai"."sg_notify_change"().
func (s *Store) notifyFunctionSignature() string { return s.qualify(notifyName) + "()" }

// notifyFunctionSource returns the installed trigger function's body, NULL
// when there is none.
func (s *Store) notifyFunctionSource(ctx context.Context, tx *sql.Tx) (sql.NullString, error) {
	var src sql.NullString
	err := tx.QueryRowContext(ctx, "SELECT (SELECT prosrc FROM pg_proc WHERE oid = to_regprocedure($1))", s.notifyFunctionSignature()).Scan(&src)
	if err != nil {
		return src, fmt.Errorf("reading the NOTIFY trigger function: %w", err)
	}
	return src, nil
}

// notifyFunctionBody returns the trigger function's body for the server's
// payload limit.
func notifyFunctionBody(ctx context.Context, tx *sql.Tx) (string, error) {
	var blockSize, maxIdent int
	if err := tx.QueryRowContext(ctx, "SELECT current_setting('block_size')::int, current_setting('max_identifier_length')::int").Scan(&blockSize, &maxIdent); err != nil {
		return "", fmt.Errorf("reading the server's notification limit: %w", err)
	}
	// NOTIFY_PAYLOAD_MAX_LENGTH is BLCKSZ - NAMEDATALEN - 128, and a payload
	// must be shorter.
	maxPayload := blockSize - (maxIdent + 1) - 128 - 1
	// The rest of a cut payload: its keys, a table name of two identifiers.
	rest := 2*maxIdent + 256
	return fmt.Sprintf(notifyFunction, maxPayload, (maxPayload-rest)/12), nil
}

// triggerTx runs fn in a transaction that waits at most lockTimeout for a lock.
func (s *Store) triggerTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.Pool().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("SET LOCAL lock_timeout = %d", lockTimeout.Milliseconds())); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		if pgCode(err) == "55P03" {
			return fmt.Errorf("another transaction held a table's lock for %s, nothing was changed; try again: %w", lockTimeout, err)
		}
		return err
	}
	return tx.Commit()
}

// listenPingEvery is how long ListenChanges waits for a notice before it
// checks that the database still answers: a connection that died without
// a word would otherwise be waited on until TCP gives up.
const listenPingEvery = 30 * time.Second

// ListenChanges listens on a connection of its own (not one of the pool's)
// for the notices the NOTIFY trigger sends about the Store's tables (see
// InstallTriggers), and calls notify with each, in commit order: first, as
// soon as it listens, with a Resync notice (writes before that went
// unnoticed), then one per row written. notify runs on the caller's
// goroutine and should return quickly: until it does, notices wait, and
// PostgreSQL keeps them in a queue shared by every listener of the server.
// A payload that is not one the trigger sends is skipped and counted (see
// MalformedNotices); notices about other tables are ignored.
//
// It returns nil when ctx is done, and an error when the connection fails
// or the database stops answering; the caller listens again (and gets a
// Resync notice then). It does not check that the triggers are installed
// (see TriggersInstalled): without them no notice comes. BAD_USER_INPUT on
// SQLite.
func (s *Store) ListenChanges(ctx context.Context, notify func(models.ChangeNotice)) error {
	if s.dialect != Postgres {
		return errTriggersNeedPostgres
	}
	conn, err := pgx.Connect(ctx, s.pgDSN)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("listening for changes in database %q: %s", s.id, oneLine(err))
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+NoticeChannel); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("listening for changes in database %q: %w", s.id, err)
	}
	notify(models.ChangeNotice{Resync: true})
	for {
		waitCtx, cancel := context.WithTimeout(ctx, listenPingEvery)
		n, err := conn.WaitForNotification(waitCtx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, context.DeadlineExceeded):
			pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err = conn.Ping(pingCtx)
			cancel()
			if ctx.Err() != nil {
				return nil
			}
			if err != nil {
				return fmt.Errorf("listening for changes in database %q: the database does not answer: %w", s.id, err)
			}
			continue
		case err != nil:
			return fmt.Errorf("listening for changes in database %q: %w", s.id, err)
		}
		notice, ours, err := decodeNotice(n.Payload, s.qualifiedName(), s.qualifiedRunsName())
		switch {
		case err != nil:
			s.malformedNotices.Add(1)
		case ours:
			notify(notice)
		}
	}
}

// MalformedNotices is how many notices on NoticeChannel ListenChanges has
// skipped because their payload was not one the trigger sends (another
// program notifying on the channel, or a trigger function of another
// version: install-triggers replaces it).
func (s *Store) MalformedNotices() int64 { return s.malformedNotices.Load() }

// noticePayload is the JSON the trigger function sends (see notifyFunction).
type noticePayload struct {
	Table       string  `json:"table"`
	Kind        string  `json:"kind"`
	Op          string  `json:"op"`
	Partial     bool    `json:"partial"`
	SessionID   *string `json:"session_id"`
	RunID       *string `json:"run_id"`
	UserID      *string `json:"user_id"`
	SessionType *string `json:"session_type"`
	AgentID     *string `json:"agent_id"`
	TeamID      *string `json:"team_id"`
	WorkflowID  *string `json:"workflow_id"`
	CreatedAt   *int64  `json:"created_at"`
	UpdatedAt   *int64  `json:"updated_at"`
}

// noticeOps maps the trigger's TG_OP to the change it makes.
var noticeOps = map[string]models.ChangeKind{
	"INSERT": models.ChangeKindCreated,
	"UPDATE": models.ChangeKindUpdated,
	"DELETE": models.ChangeKindDeleted,
}

// decodeNotice reads a payload the trigger function sent, given the
// sessions and runs tables' qualified names. ours is false for a notice
// about another table; err is set when the payload is not one the trigger
// function sends.
func decodeNotice(payload, sessionsTable, runsTable string) (n models.ChangeNotice, ours bool, err error) {
	var p noticePayload
	if err := json.Unmarshal([]byte(payload), &p); err != nil {
		return n, false, fmt.Errorf("a notice that is not the trigger's JSON: %w", err)
	}
	op, ok := noticeOps[p.Op]
	switch {
	case !ok:
		return n, false, fmt.Errorf("a notice of operation %q", p.Op)
	case p.Kind != "session" && p.Kind != "run":
		return n, false, fmt.Errorf("a notice of kind %q", p.Kind)
	case p.Table != sessionsTable && p.Table != runsTable:
		return n, false, nil
	case (p.Kind == "run") != (p.Table == runsTable):
		return n, false, fmt.Errorf("a notice of kind %q about table %s", p.Kind, p.Table)
	}
	n = models.ChangeNotice{Resync: p.Partial, Run: p.Kind == "run", Op: op}
	if p.SessionID != nil {
		n.SessionID = *p.SessionID
	}
	if p.RunID != nil {
		n.RunID = *p.RunID
	}
	if p.Partial {
		return n, true, nil
	}
	if p.SessionID == nil || (n.Run && p.RunID == nil) {
		return models.ChangeNotice{}, false, errors.New("a notice without the ids of its row")
	}
	if op != models.ChangeKindDeleted {
		return n, true, nil
	}
	n.UserID = p.UserID
	if n.Run {
		return n, true, nil
	}
	if p.SessionType == nil || p.CreatedAt == nil {
		return models.ChangeNotice{}, false, errors.New("a session's delete notice without its columns")
	}
	n.Session = &models.SessionRow{SessionID: n.SessionID, SessionType: *p.SessionType, AgentID: p.AgentID, TeamID: p.TeamID,
		WorkflowID: p.WorkflowID, UserID: p.UserID, CreatedAt: *p.CreatedAt, UpdatedAt: p.UpdatedAt, Loaded: &models.SessionColumns{}}
	return n, true, nil
}

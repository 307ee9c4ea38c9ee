package db

import (
	"errors"
	"strconv"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5/pgconn"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"
	"modernc.org/sqlite"
)

// TraceStatements records an OpenTelemetry span through tp for every SQL
// statement the Store runs, as a child of the span in the statement's
// context. Spans follow OpenTelemetry's database conventions: named after
// the statement's command (SELECT, INSERT…), with db.system.name,
// db.query.text (the SQL with its placeholders, never the arguments),
// db.operation.name and, on PostgreSQL, db.namespace (database|schema),
// server.address and server.port; a failed statement's span records its
// error, error.type and, when the database gave one, its code as
// db.response.status_code. They also carry sessiongraph.db_id and, for a
// write, sessiongraph.rows_affected. Call it once, before the Store serves.
func (s *Store) TraceStatements(tp trace.TracerProvider) error {
	t := &statementTracer{tracer: tp.Tracer("sessiongraph/db"), system: semconv.DBSystemNameSQLite}
	var server []attribute.KeyValue
	if s.dialect == Postgres {
		t.system = semconv.DBSystemNamePostgreSQL
		var err error
		if server, err = s.serverAttributes(); err != nil {
			return err
		}
	}
	t.attrs = append([]attribute.KeyValue{attribute.String("sessiongraph.db_id", s.id), t.system}, server...)
	return s.onStatements("sessiongraph:trace", t.start, t.end)
}

// serverAttributes returns the PostgreSQL database, schema and server
// every statement of the Store goes to.
func (s *Store) serverAttributes() ([]attribute.KeyValue, error) {
	cfg, err := pgconn.ParseConfig(s.target.DSN)
	if err != nil {
		return nil, err
	}
	namespace := s.schema // the schema of the Store's table, which its statements name
	if cfg.Database != "" {
		namespace = cfg.Database + "|" + namespace
	}
	attrs := []attribute.KeyValue{semconv.DBNamespace(namespace), semconv.ServerAddress(cfg.Host)}
	if cfg.Port != 5432 {
		attrs = append(attrs, semconv.ServerPort(int(cfg.Port)))
	}
	return attrs, nil
}

// statementTracer starts a span before each statement and ends it after.
type statementTracer struct {
	tracer trace.Tracer
	system attribute.KeyValue // db.system.name, also the span's name until its command is known
	attrs  []attribute.KeyValue
}

// spanKey is the statement setting that carries a statement's span from
// start to end.
const spanKey = "sessiongraph:span"

func (t *statementTracer) start(tx *gorm.DB) {
	_, span := t.tracer.Start(tx.Statement.Context, t.system.Value.AsString(),
		trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(t.attrs...))
	tx.Statement.Settings.Store(spanKey, span)
}

func (t *statementTracer) end(tx *gorm.DB) {
	v, _ := tx.Statement.Settings.LoadAndDelete(spanKey)
	span, ok := v.(trace.Span)
	if !ok {
		return
	}
	defer span.End()
	if !span.IsRecording() {
		return
	}
	query := tx.Statement.SQL.String()
	attrs := []attribute.KeyValue{semconv.DBQueryText(query)}
	if cmd := command(query); cmd != "" {
		span.SetName(cmd)
		attrs = append(attrs, semconv.DBOperationName(cmd))
	}
	if err := tx.Error; err != nil {
		if code := statusCode(err); code != "" {
			attrs = append(attrs, semconv.DBResponseStatusCode(code), semconv.ErrorTypeKey.String(code))
		} else {
			attrs = append(attrs, semconv.ErrorType(err))
		}
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	} else if tx.RowsAffected >= 0 {
		attrs = append(attrs, attribute.Int64("sessiongraph.rows_affected", tx.RowsAffected))
	}
	span.SetAttributes(attrs...)
}

// command returns the SQL command a statement runs (SELECT, INSERT…), its
// first word, or "" when that is WITH: the command follows the common
// table expressions. The conventions advise against reading it from the
// text where one text may hold several statements; a Store's never does.
func command(query string) string {
	query = strings.TrimLeftFunc(query, unicode.IsSpace)
	end := strings.IndexFunc(query, func(r rune) bool { return !unicode.IsLetter(r) })
	if end < 0 {
		end = len(query)
	}
	if word := query[:end]; !strings.EqualFold(word, "WITH") {
		return word
	}
	return ""
}

// statusCode returns the database's code for err: PostgreSQL's SQLSTATE,
// SQLite's extended result code; "" when the database did not answer with one.
func statusCode(err error) string {
	if code := pgCode(err); code != "" {
		return code
	}
	var e *sqlite.Error
	if errors.As(err, &e) {
		return strconv.Itoa(e.Code())
	}
	return ""
}

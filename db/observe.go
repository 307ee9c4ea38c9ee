package db

import (
	"context"
	"database/sql"
	"errors"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"
	"gorm.io/plugin/opentelemetry/tracing"
)

// OnStatement registers fn, under name (unique among the Store's
// callbacks), to run after every SQL statement the Store runs: queries, row
// reads, raw statements and writes alike. fn sees the statement's SQL in
// tx.Statement.SQL and its context in tx.Statement.Context.
func (s *Store) OnStatement(name string, fn func(tx *gorm.DB)) error {
	cb := s.db.Callback()
	return errors.Join(
		cb.Query().After("gorm:query").Register(name, fn),
		cb.Row().After("gorm:row").Register(name, fn),
		cb.Raw().After("gorm:raw").Register(name, fn),
		cb.Create().After("gorm:create").Register(name, fn),
		cb.Update().After("gorm:update").Register(name, fn),
		cb.Delete().After("gorm:delete").Register(name, fn),
	)
}

// StatementCounter counts the SQL statements run on behalf of one request
// (see WithStatementCounter). It is safe for concurrent use.
type StatementCounter struct{ n atomic.Int64 }

// Count returns the statements counted so far.
func (c *StatementCounter) Count() int { return int(c.n.Load()) }

type statementCounterKey struct{}

// WithStatementCounter returns a copy of ctx carrying a new counter, which
// every Store increments for each statement it runs with ctx or a context
// derived from it.
func WithStatementCounter(ctx context.Context) (context.Context, *StatementCounter) {
	c := &StatementCounter{}
	return context.WithValue(ctx, statementCounterKey{}, c), c
}

// countStatement is registered on every Store (see New).
func countStatement(tx *gorm.DB) {
	if c, ok := tx.Statement.Context.Value(statementCounterKey{}).(*StatementCounter); ok {
		c.n.Add(1)
	}
}

// TraceStatements records an OpenTelemetry span through tp for every SQL
// statement the Store runs, as a child of the span in the statement's
// context. Spans carry the SQL text with its placeholders, never the
// arguments. Call it once, before the Store serves.
func (s *Store) TraceStatements(tp trace.TracerProvider) error {
	return s.db.Use(tracing.NewPlugin(
		tracing.WithTracerProvider(tp),
		tracing.WithoutQueryVariables(),
		tracing.WithoutMetrics(), // pool statistics are Prometheus's (see Pool)
		tracing.WithAttributes(attribute.String("sessiongraph.db_id", s.id)),
	))
}

// Pool returns the Store's connection pool, for its statistics.
func (s *Store) Pool() *sql.DB {
	pool, _ := s.db.DB() // New always opens a *sql.DB
	return pool
}

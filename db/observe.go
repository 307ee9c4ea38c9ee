package db

import (
	"context"
	"database/sql"
	"errors"
	"sync/atomic"

	"gorm.io/gorm"
)

// Statement is one SQL statement a Store ran, as its observers see it (see
// OnStatement).
type Statement struct {
	// SQL is the text sent to the database, with the dialect's placeholders
	// ($1, $2… on PostgreSQL, ? on SQLite).
	SQL string
	// Args are the values bound to the placeholders: users' data, which the
	// Store never logs or traces. The slice is the statement's own; an
	// observer that keeps it keeps a copy.
	Args []any
	// RowsAffected is the number of rows a statement that returns no rows
	// wrote, as the driver reports it; -1 for a statement whose rows are
	// read, which happens after its observers ran.
	RowsAffected int64
	// Err is why the statement failed; nil when it succeeded.
	Err error
}

// OnStatement registers fn, under name (unique among the Store's
// observers), to run after every SQL statement the Store runs: queries, row
// reads, raw statements and writes alike. fn gets the statement's context
// and runs before the statement's caller goes on, so it must be quick.
func (s *Store) OnStatement(name string, fn func(ctx context.Context, st Statement)) error {
	return s.onStatements(name, nil, func(tx *gorm.DB) {
		fn(tx.Statement.Context, Statement{SQL: tx.Statement.SQL.String(), Args: tx.Statement.Vars, RowsAffected: tx.RowsAffected, Err: tx.Error})
	})
}

// onStatements registers after, under name, to run after each of GORM's
// callbacks that runs a statement, and before (unless nil) to run before it.
func (s *Store) onStatements(name string, before, after func(tx *gorm.DB)) error {
	type registrar interface {
		Register(name string, fn func(*gorm.DB)) error
	}
	cb := s.db.Callback()
	var errs []error
	for _, run := range []struct{ before, after registrar }{
		{cb.Query().Before("gorm:query"), cb.Query().After("gorm:query")},
		{cb.Row().Before("gorm:row"), cb.Row().After("gorm:row")},
		{cb.Raw().Before("gorm:raw"), cb.Raw().After("gorm:raw")},
		{cb.Create().Before("gorm:create"), cb.Create().After("gorm:create")},
		{cb.Update().Before("gorm:update"), cb.Update().After("gorm:update")},
		{cb.Delete().Before("gorm:delete"), cb.Delete().After("gorm:delete")},
	} {
		if before != nil {
			errs = append(errs, run.before.Register(name+":before", before))
		}
		errs = append(errs, run.after.Register(name, after))
	}
	return errors.Join(errs...)
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
func countStatement(ctx context.Context, _ Statement) {
	if c, ok := ctx.Value(statementCounterKey{}).(*StatementCounter); ok {
		c.n.Add(1)
	}
}

// Pool returns the Store's connection pool: for its statistics, and for
// tests and tools that read or write the table directly (with $1, $2…
// placeholders, which both drivers bind).
func (s *Store) Pool() *sql.DB {
	pool, _ := s.db.DB() // New always opens a *sql.DB
	return pool
}

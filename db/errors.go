package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"sessiongraph/models"
)

// internal wraps a database failure for clients. The cause is logged, never
// shown. A database that cannot be reached is UNAVAILABLE (retry later), a
// request that ran out of time (its deadline, or PostgreSQL's
// statement_timeout) is TIMEOUT, anything else INTERNAL.
func internal(op string, err error) error {
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || pgCode(err) == "57014":
		return &models.Error{Code: models.Timeout, Message: op + ": the request was cancelled or ran out of time", Err: err}
	case pgCode(err) == "22021" || pgCode(err) == "22P05":
		// PostgreSQL text cannot hold NUL or invalid UTF-8: the input is bad.
		return &models.Error{Code: models.BadUserInput, Message: op + ": a value holds a character PostgreSQL cannot store (NUL)", Err: err}
	case pgCode(err) == "40001" || pgCode(err) == "40P01":
		// Serialization failure or deadlock (CockroachDB and YugabyteDB
		// report contention this way): nothing was written, a retry may pass.
		return &models.Error{Code: models.Unavailable, Message: op + ": a concurrent write got in the way, try again", Err: err}
	case sqliteBusy(err):
		return &models.Error{Code: models.Unavailable, Message: op + ": the database is busy (locked by another writer), try again", Err: err}
	case unreachable(err):
		return &models.Error{Code: models.Unavailable, Message: op + ": the database is unavailable, try again later", Err: err}
	}
	return &models.Error{Code: models.Internal, Message: "internal error", Err: fmt.Errorf("%s: %w", op, err)}
}

// sqliteBusy reports SQLITE_BUSY or SQLITE_LOCKED (with their extended
// codes): another connection, such as Agno's, held the lock past busy_timeout.
func sqliteBusy(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	code := e.Code() & 0xff
	return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
}

// pgCode returns the SQLSTATE of a PostgreSQL error, "" for other errors.
func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// unreachable reports whether err means the database could not be reached
// or dropped the connection: connection refused or reset, a failed connect,
// a server shutting down or starting up (SQLSTATE class 08, 57P01-57P03).
func unreachable(err error) bool {
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	switch code := pgCode(err); {
	case len(code) == 5 && code[:2] == "08", code == "57P01", code == "57P02", code == "57P03":
		return true
	case code != "":
		return false
	case errors.As(err, &connectErr), errors.As(err, &netErr),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	}
	var pgconnErr interface{ SafeToRetry() bool }
	return errors.As(err, &pgconnErr) && pgconnErr.SafeToRetry()
}

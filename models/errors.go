package models

import (
	"errors"
	"fmt"
)

// Code classifies an error for clients; it is sent as extensions.code.
type Code string

// The error codes of the API (API.md "Error codes"), each listed once in
// Codes below: metrics label by them and the docs are checked against them.
const (
	BadUserInput    Code = "BAD_USER_INPUT"
	NotFound        Code = "NOT_FOUND"
	Unauthenticated Code = "UNAUTHENTICATED"
	Forbidden       Code = "FORBIDDEN"
	Internal        Code = "INTERNAL"
	// Conflict: the write would replace something that exists, such as a
	// createSession with a session id that is taken. Nothing was written.
	Conflict Code = "CONFLICT"
	// DataCorrupt marks a stored value that cannot be decoded or has an
	// unexpected shape; it fails only the fields that expose that value.
	DataCorrupt Code = "DATA_CORRUPT"
	// Unavailable: the database cannot be reached right now (down,
	// restarting, or not yet reachable since the server started). Retrying
	// later may succeed.
	Unavailable Code = "UNAVAILABLE"
	// Timeout: the request ran out of time (its deadline, or the database's
	// statement_timeout).
	Timeout Code = "TIMEOUT"

	// The operation limits, checked before anything runs.

	// QueryTooDeep: fields nest deeper than the server's depth limit.
	QueryTooDeep Code = "QUERY_TOO_DEEP"
	// TooManyAliases: the operation has more aliases than the server allows.
	TooManyAliases Code = "TOO_MANY_ALIASES"
	// IntrospectionDisabled: __schema or __type asked of a server with introspection off.
	IntrospectionDisabled Code = "INTROSPECTION_DISABLED"
	// ComplexityLimitExceeded: the operation costs more than the server's
	// limit (gqlgen's code, which gqlgen sets itself).
	ComplexityLimitExceeded Code = "COMPLEXITY_LIMIT_EXCEEDED"

	// gqlgen's own codes for documents it cannot run.

	// GraphQLParseFailed: the document is not GraphQL.
	GraphQLParseFailed Code = "GRAPHQL_PARSE_FAILED"
	// GraphQLValidationFailed: the document does not fit the schema, or its
	// variables do not fit their types.
	GraphQLValidationFailed Code = "GRAPHQL_VALIDATION_FAILED"
	// PersistedQueryNotFound: an automatic persisted query's hash is not
	// known yet; the client sends the document with it.
	PersistedQueryNotFound Code = "PERSISTED_QUERY_NOT_FOUND"

	// Refusals of the HTTP request itself.

	// RequestTooLarge: the request body is over the size limit (HTTP 413).
	RequestTooLarge Code = "REQUEST_TOO_LARGE"
	// MethodNotAllowed: the endpoint does not take this HTTP method, such as
	// a mutation over GET (HTTP 405).
	MethodNotAllowed Code = "METHOD_NOT_ALLOWED"

	// Subscriptions.

	// TooManySubscriptions: the server or the connection holds its most
	// subscriptions; retry later or on another connection.
	TooManySubscriptions Code = "TOO_MANY_SUBSCRIPTIONS"
	// SlowConsumer: the subscriber left more events unread than the server
	// buffers, and was cut off; resubscribe with the last cursor read.
	SlowConsumer Code = "SLOW_CONSUMER"
)

// Codes lists every code the server sends, in the order the docs list them.
var Codes = []Code{
	BadUserInput, NotFound, Unauthenticated, Forbidden, Conflict, DataCorrupt, Unavailable, Timeout, Internal,
	QueryTooDeep, TooManyAliases, IntrospectionDisabled, ComplexityLimitExceeded,
	GraphQLParseFailed, GraphQLValidationFailed, PersistedQueryNotFound,
	RequestTooLarge, MethodNotAllowed,
	TooManySubscriptions, SlowConsumer,
}

// Error is an error with a code whose message is safe to show to clients.
type Error struct {
	Code    Code
	Message string
	Err     error // the cause, logged but never shown
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, Internal otherwise.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// corrupt returns a DataCorrupt error naming what could not be decoded.
func corrupt(cause error, format string, args ...any) *Error {
	return &Error{Code: DataCorrupt, Message: fmt.Sprintf(format, args...), Err: cause}
}

package models

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// JSON is a JSON document passed through as stored: always valid, since
// every column is validated where it is read (or is jsonb).
type JSON json.RawMessage

// MarshalGQL writes the document as stored.
func (j JSON) MarshalGQL(w io.Writer) {
	if len(j) == 0 {
		_, _ = io.WriteString(w, "null")
		return
	}
	_, _ = w.Write(j)
}

// UnmarshalGQL accepts any GraphQL input value.
func (j *JSON) UnmarshalGQL(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return Errorf(BadUserInput, "JSON value cannot be encoded: %v", err)
	}
	*j = b
	return nil
}

// MarshalDateTime renders t as RFC 3339 in UTC with second precision.
func MarshalDateTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.UTC().Format(time.RFC3339)))
	})
}

// UnmarshalDateTime parses an RFC 3339 string with any offset.
func UnmarshalDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, Errorf(BadUserInput, "DateTime must be an RFC 3339 string, got %T", v)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, Errorf(BadUserInput, "DateTime %q is not RFC 3339 (e.g. 2025-09-05T16:02:09Z)", s)
	}
	return t, nil
}

// EpochSecondsAtOrAfter is the smallest epoch second s with s >= t, for inclusive lower bounds.
func EpochSecondsAtOrAfter(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

// EpochSecondsAtOrBefore is the largest epoch second s with s <= t, for inclusive upper bounds.
func EpochSecondsAtOrBefore(t time.Time) int64 { return t.Unix() }

func fromEpoch(s int64) time.Time { return time.Unix(s, 0).UTC() }

// enumValue decodes a GraphQL enum input into one of valid.
func enumValue[T ~string](v any, valid []T, name string) (T, error) {
	s, ok := v.(string)
	if !ok {
		return "", Errorf(BadUserInput, "%s must be a string", name)
	}
	for _, x := range valid {
		if string(x) == s {
			return x, nil
		}
	}
	return "", Errorf(BadUserInput, "%q is not a valid %s", s, name)
}

func writeEnum(w io.Writer, s string) { fmt.Fprint(w, strconv.Quote(s)) }

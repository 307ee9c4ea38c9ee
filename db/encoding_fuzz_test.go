package db

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"sessiongraph/models"
)

// FuzzSQLiteColumn checks the column encodings: PostgreSQL values pass
// through as read; on SQLite, decodeColumn of any bytes either passes them on
// or unwraps a JSON string literal; what encodeColumn writes double-encoded
// (ASCII-only JSON text) reads back as Python's json.dumps of the document;
// plain documents read back as written; and a session reads the same from a
// plain document and from its double-encoded form.
func FuzzSQLiteColumn(f *testing.F) {
	for _, seed := range []string{
		`{"session_name": "Café Alpha", "session_state": {"cart": ["981"]}}`,
		`[{"run_id": "r-a1", "agent_id": "support", "status": "COMPLETED", "created_at": 1757346730, "input": {"input_content": {"b": 1, "a": [1.50, 1e5]}}, "messages": [{"role": "user", "content": "héllo 😀"}]}]`,
		`[{"run_id": "w", "workflow_id": "w", "input": "step input"}, "oops", null]`,
		`null`, ` null `, ``, `"just a string"`, `"{\"session_name\": \"already double\"}"`, `12`, `-0`, `1e400`, `[1e-400, 123456789012345678901234567890]`,
		`{"a": "\u0000\u001f\u007f\u2028\ud83d\ude00"}`, `{"a": "\ud800"}`, `{"a": 1, "a": 2}`, `{"a": "\/"}`,
		"{\"a\": \"\xff\"}", "\x00", `{`, `[1,]`, `"unterminated`, "  \"padded\"  ", "eyJydW5faWQiOiAiciJ9",
		`[{"run_id": "` + strings.Repeat("é", 50_000) + `"}]`,
		strings.Repeat("[", 5000) + strings.Repeat("]", 5000),
	} {
		f.Add([]byte(seed))
	}
	pg, sqlite := &Store{dialect: Postgres}, &Store{dialect: SQLite}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if got := pg.decodeColumn(doc); !bytes.Equal(got, doc) || (got == nil) != (doc == nil) {
			t.Fatalf("PostgreSQL decodeColumn(%.200q) = %.200q", doc, got)
		}
		if got := sqlite.decodeColumn(doc); !bytes.Equal(got, doc) {
			var inner string
			if err := json.Unmarshal(doc, &inner); err != nil || string(got) != inner {
				t.Fatalf("SQLite decodeColumn(%.200q) = %.200q, which is neither the bytes nor the string they hold", doc, got)
			}
		}
		if doc == nil {
			return
		}

		plain, err := sqlite.encodeColumn(doc, PlainJSON)
		if err != nil || plain != string(doc) {
			t.Fatalf("encodeColumn(%.200q, PlainJSON) = %.200q, %v", doc, plain, err)
		}
		// A plain document that is a string is indistinguishable from a double-encoded one; Agno's columns never are.
		if got := sqlite.decodeColumn([]byte(plain.(string))); !startsWithQuote(doc) && !bytes.Equal(got, doc) {
			t.Errorf("plain %.200q reads back as %.200q", doc, got)
		}

		want, dumpErr := models.PythonJSONDumps(doc, 0)
		stored, err := sqlite.encodeColumn(doc, DoubleEncoded)
		if (err != nil) != (dumpErr != nil) {
			t.Fatalf("encodeColumn(%.200q, DoubleEncoded) = %.200q, %v; json.dumps: %v", doc, stored, err, dumpErr)
		}
		if err != nil {
			return
		}
		text := stored.(string)
		if !json.Valid([]byte(text)) || strings.IndexFunc(text, func(r rune) bool { return r > '~' }) >= 0 {
			t.Fatalf("encodeColumn(%.200q, DoubleEncoded) = %.200q, not ASCII JSON", doc, text)
		}
		got := sqlite.decodeColumn([]byte(text))
		if string(got) != want {
			t.Fatalf("double-encoded %.200q reads back as %.200q, want %.200q", doc, got, want)
		}

		if hasRepeatedKey(doc) {
			return // json.dumps keeps the last value, gjson on the plain text reads the first
		}
		fromPlain := readSession(doc)
		if fromDouble := readSession(got); fromDouble != fromPlain {
			t.Errorf("%.200q reads differently double-encoded:\nplain:  %.200q\ndouble: %.200q", doc, fromPlain, fromDouble)
		}
	})
}

func startsWithQuote(doc []byte) bool {
	return strings.HasPrefix(strings.TrimLeft(string(doc), " \t\r\n"), `"`)
}

// readSession reads a session whose session_data and runs are doc (one of
// the two is of the wrong shape) and describes what a client would see.
func readSession(doc json.RawMessage) string {
	s := models.NewSession("default", models.SessionRow{SessionID: "s", SessionType: "agent", SessionData: doc, Runs: doc, CreatedAt: 1}).Core()
	var b strings.Builder
	_, err := s.Data()
	state, _ := s.State()
	fmt.Fprintf(&b, "data %s; state %t; name %q derived %v; ", models.ErrorCode(err), state != nil, s.Name(), s.NameIsDerived())
	runs, err := s.Runs()
	fmt.Fprintf(&b, "runs %s: ", models.ErrorCode(err))
	for _, r := range runs {
		c := r.Core()
		status, err := c.Status()
		if status == nil {
			status = new(models.RunStatus)
		}
		msgs, merr := c.Messages(nil, nil)
		fmt.Fprintf(&b, "[%d %s %q %q %s %q %d %s %v] ", c.Index(), c.TypeName(), c.RunID(), *status, models.ErrorCode(err), *c.Input(), len(msgs), models.ErrorCode(merr), c.CreatedAt())
	}
	return b.String()
}

// hasRepeatedKey reports whether any object in doc (valid JSON) repeats a key.
func hasRepeatedKey(doc []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(doc))
	type level struct {
		keys     map[string]bool
		isObject bool
		wantKey  bool
	}
	var stack []level
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return false
		}
		if err != nil {
			return false
		}
		top := len(stack) - 1
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				if top >= 0 && stack[top].isObject {
					stack[top].wantKey = true
				}
				stack = append(stack, level{keys: map[string]bool{}, isObject: d == '{', wantKey: d == '{'})
			default:
				stack = stack[:top]
			}
			continue
		}
		if top < 0 || !stack[top].isObject {
			continue
		}
		if stack[top].wantKey {
			key := tok.(string)
			if stack[top].keys[key] {
				return true
			}
			stack[top].keys[key] = true
		}
		stack[top].wantKey = !stack[top].wantKey
	}
}

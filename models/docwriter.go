package models

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"
)

// docWriter appends compact JSON to a byte slice. Agno's documents are
// written by hand rather than through encoding/json because generators
// write gigabytes of them (a COPY of a million sessions) and because the
// keys must come in the order of Agno's to_dict.
type docWriter struct {
	b []byte
	// open holds, for each open object or array, whether it has an element yet.
	open     [32]bool
	depth    int
	afterKey bool
}

// before writes the comma an element needs.
func (w *docWriter) before() {
	if w.afterKey {
		w.afterKey = false
		return
	}
	if w.depth > 0 {
		if w.open[w.depth-1] {
			w.b = append(w.b, ',')
		}
		w.open[w.depth-1] = true
	}
}

func (w *docWriter) push(c byte) {
	w.before()
	w.b = append(w.b, c)
	w.open[w.depth] = false
	w.depth++
}

func (w *docWriter) obj()    { w.push('{') }
func (w *docWriter) arr()    { w.push('[') }
func (w *docWriter) endObj() { w.depth--; w.b = append(w.b, '}') }
func (w *docWriter) endArr() { w.depth--; w.b = append(w.b, ']') }

func (w *docWriter) key(k string) {
	w.before()
	w.b = appendJSONString(w.b, k)
	w.b = append(w.b, ':')
	w.afterKey = true
}

func (w *docWriter) str(s string) {
	w.before()
	w.b = appendJSONString(w.b, s)
}

func (w *docWriter) int(n int64) {
	w.before()
	w.b = strconv.AppendInt(w.b, n, 10)
}

func (w *docWriter) float(f float64) {
	w.before()
	w.b = appendPythonFloat(w.b, f)
}

func (w *docWriter) bool(v bool) {
	w.before()
	w.b = strconv.AppendBool(w.b, v)
}

func (w *docWriter) null() {
	w.before()
	w.b = append(w.b, "null"...)
}

// raw writes encoded JSON; nil is null.
func (w *docWriter) raw(v json.RawMessage) {
	if v == nil {
		w.null()
		return
	}
	w.before()
	w.b = append(w.b, v...)
}

// value writes a value of the application's making: nil is null, a string
// a JSON string, a json.RawMessage itself, anything else what encoding/json
// makes of it (without HTML escapes, as Python's json.dumps; null when it
// cannot be encoded).
func (w *docWriter) value(v any) {
	switch v := v.(type) {
	case nil:
		w.null()
	case string:
		w.str(v)
	case json.RawMessage:
		w.raw(v)
	default:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			w.null()
			return
		}
		w.raw(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	}
}

func (w *docWriter) kstr(k, v string)           { w.key(k); w.str(v) }
func (w *docWriter) kint(k string, v int64)     { w.key(k); w.int(v) }
func (w *docWriter) kfloat(k string, v float64) { w.key(k); w.float(v) }
func (w *docWriter) kbool(k string, v bool)     { w.key(k); w.bool(v) }
func (w *docWriter) knull(k string)             { w.key(k); w.null() }

// kstrOmit writes a string key unless the value is empty (to_dict drops None).
func (w *docWriter) kstrOmit(k, v string) {
	if v != "" {
		w.kstr(k, v)
	}
}

// kstrPtr writes a string or null.
func (w *docWriter) kstrPtr(k string, v *string) {
	if v == nil {
		w.knull(k)
		return
	}
	w.kstr(k, *v)
}

// kboolPtr writes a bool or null.
func (w *docWriter) kboolPtr(k string, v *bool) {
	if v == nil {
		w.knull(k)
		return
	}
	w.kbool(k, *v)
}

// kfloatOmit writes a float key unless it is zero.
func (w *docWriter) kfloatOmit(k string, v float64) {
	if v != 0 {
		w.kfloat(k, v)
	}
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string literal; non-ASCII text stays
// UTF-8 (jsonb stores it so; the Store writes SQLite's escaped form).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\t':
			b = append(b, '\\', 't')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendPythonFloat appends a finite float as Python's float.__repr__ (and
// so json.dumps) prints it: the shortest round-trip digits, in scientific
// notation when the decimal exponent is below -4 or at least 16, else
// positional with ".0" for integral values.
func appendPythonFloat(b []byte, f float64) []byte {
	if a := math.Abs(f); a != 0 && (a < 1e-4 || a >= 1e16) {
		return strconv.AppendFloat(b, f, 'e', -1, 64) // Python's exponent format too: "1e+16", "1.5e-05"
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, 'f', -1, 64)
	if bytes.IndexByte(b[start:], '.') < 0 {
		b = append(b, ".0"...)
	}
	return b
}

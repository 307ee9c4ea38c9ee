package bench

import (
	"strconv"
	"unicode/utf8"
)

// jsonWriter appends compact JSON to a byte slice. The generator writes
// documents by hand rather than through encoding/json because it must produce
// gigabytes of them in seconds; keys are written in the order of Agno's to_dict.
type jsonWriter struct {
	b []byte
	// open holds, for each open object or array, whether it has an element yet.
	open     []bool
	afterKey bool
}

// before writes the comma an element needs.
func (w *jsonWriter) before() {
	if w.afterKey {
		w.afterKey = false
		return
	}
	if n := len(w.open); n > 0 {
		if w.open[n-1] {
			w.b = append(w.b, ',')
		}
		w.open[n-1] = true
	}
}

func (w *jsonWriter) obj() {
	w.before()
	w.b = append(w.b, '{')
	w.open = append(w.open, false)
}

func (w *jsonWriter) arr() {
	w.before()
	w.b = append(w.b, '[')
	w.open = append(w.open, false)
}

func (w *jsonWriter) endObj() {
	w.open = w.open[:len(w.open)-1]
	w.b = append(w.b, '}')
}

func (w *jsonWriter) endArr() {
	w.open = w.open[:len(w.open)-1]
	w.b = append(w.b, ']')
}

func (w *jsonWriter) key(k string) {
	w.before()
	w.b = appendJSONString(w.b, k)
	w.b = append(w.b, ':')
	w.afterKey = true
}

func (w *jsonWriter) str(s string) {
	w.before()
	w.b = appendJSONString(w.b, s)
}

func (w *jsonWriter) int(n int64) {
	w.before()
	w.b = strconv.AppendInt(w.b, n, 10)
}

// float writes a number the way Python's repr would for the values we generate.
func (w *jsonWriter) float(f float64) {
	w.before()
	w.b = strconv.AppendFloat(w.b, f, 'f', -1, 64)
	if f == float64(int64(f)) {
		w.b = append(w.b, ".0"...)
	}
}

func (w *jsonWriter) bool(v bool) {
	w.before()
	w.b = strconv.AppendBool(w.b, v)
}

func (w *jsonWriter) null() {
	w.before()
	w.b = append(w.b, "null"...)
}

// raw writes an already encoded JSON value.
func (w *jsonWriter) raw(v []byte) {
	w.before()
	w.b = append(w.b, v...)
}

func (w *jsonWriter) kstr(k, v string)       { w.key(k); w.str(v) }
func (w *jsonWriter) kint(k string, v int64) { w.key(k); w.int(v) }
func (w *jsonWriter) kfloat(k string, v float64) {
	w.key(k)
	w.float(v)
}
func (w *jsonWriter) kbool(k string, v bool) { w.key(k); w.bool(v) }
func (w *jsonWriter) knull(k string)         { w.key(k); w.null() }

// kstrOrNull writes a string, or null when it is empty.
func (w *jsonWriter) kstrOrNull(k, v string) {
	if v == "" {
		w.knull(k)
		return
	}
	w.kstr(k, v)
}

// bytes returns the document written so far and resets the writer.
func (w *jsonWriter) bytes() []byte {
	out := w.b
	w.b, w.open, w.afterKey = nil, w.open[:0], false
	return out
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string literal; non-ASCII text stays
// UTF-8, as jsonb stores it.
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

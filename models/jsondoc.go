package models

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"sync"
	"time"
	"unsafe"

	"github.com/tidwall/gjson"
)

// object is a JSON object read lazily: the stored bytes, searched for a key
// only when a field asks for it (gjson skips over nested values without
// decoding them), values returned as sub-slices without copying. So reading a
// run's run_id does not decode its 76 kB of messages. The zero object is absent.
type object struct {
	b   []byte
	idx *keyIndex // set for objects whose fields are read many times
}

// keyIndex holds an object's top-level keys and values, found in one scan
// the first time a field is read, so that a run's dozen fields do not each
// scan past its messages again. Safe for the concurrent field resolvers.
type keyIndex struct {
	once sync.Once
	keys []string
	vals []gjson.Result
}

// indexed returns o with a key index, for objects read field by field.
func indexed(o object) object {
	if !o.absent() {
		o.idx = &keyIndex{}
	}
	return o
}

var errNotObject = errors.New("not a JSON object")
var errNotArray = errors.New("not a JSON array")
var errInvalid = errors.New("not valid JSON")

// jsonKind returns the first significant byte of a JSON document, 0 if empty.
func jsonKind(raw []byte) byte {
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return c
	}
	return 0
}

// isAbsent reports whether raw is SQL NULL (nil) or the JSON literal null.
func isAbsent(raw []byte) bool {
	trimmed := bytes.Trim(raw, " \t\n\r") // JSON's whitespace: a NUL byte or \v is corrupt
	return len(trimmed) == 0 || string(trimmed) == "null"
}

// decodeObject reads a stored column as an object, validating it once;
// absent gives the absent object.
func decodeObject(raw []byte) (object, error) {
	if isAbsent(raw) {
		return object{}, nil
	}
	if !gjson.ValidBytes(raw) {
		return object{}, errInvalid
	}
	return nestedObject(raw)
}

// nestedObject reads a value inside an already validated document.
func nestedObject(raw []byte) (object, error) {
	switch jsonKind(raw) {
	case 0, 'n':
		return object{}, nil
	case '{':
		return object{b: raw}, nil
	}
	return object{}, errNotObject
}

// decodeArray reads a stored column as an array of elements, validating it
// once; absent gives no elements.
func decodeArray(raw []byte) ([]json.RawMessage, error) {
	if isAbsent(raw) {
		return nil, nil
	}
	if !gjson.ValidBytes(raw) {
		return nil, errInvalid
	}
	return nestedArray(raw)
}

// nestedArray splits an array inside an already validated document.
func nestedArray(raw []byte) ([]json.RawMessage, error) {
	switch jsonKind(raw) {
	case 0, 'n':
		return nil, nil
	case '[':
	default:
		return nil, errNotArray
	}
	var elems []json.RawMessage
	gjson.Parse(view(raw)).ForEach(func(_, v gjson.Result) bool {
		elems = append(elems, sub(raw, v))
		return true
	})
	return elems, nil
}

// view looks at bytes as a string without copying; the bytes are never modified.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// sub returns the bytes of a result found in b, without copying when gjson knows its offset.
func sub(b []byte, r gjson.Result) json.RawMessage {
	if end := r.Index + len(r.Raw); r.Index > 0 && end <= len(b) {
		return b[r.Index:end:end]
	}
	return json.RawMessage(r.Raw)
}

func (o object) absent() bool { return o.b == nil }

func (o object) get(key string) gjson.Result {
	if o.b == nil {
		return gjson.Result{}
	}
	if o.idx == nil {
		if absentKey(o.b, key) {
			return gjson.Result{}
		}
		return gjson.Get(view(o.b), key)
	}
	o.idx.once.Do(func() {
		gjson.Parse(view(o.b)).ForEach(func(k, v gjson.Result) bool {
			o.idx.keys, o.idx.vals = append(o.idx.keys, k.Str), append(o.idx.vals, v)
			return true
		})
	})
	for i, k := range o.idx.keys {
		if k == key {
			return o.idx.vals[i] // the first occurrence, as gjson.Get finds it
		}
	}
	return gjson.Result{}
}

// absentKey reports, faster than gjson finds out by parsing the whole
// object, that doc certainly has no member named key (a key of letters,
// digits and underscores): its quoted name appears nowhere in doc, and doc
// has no \u escape, the only way to spell such a key otherwise. Messages
// without tool_calls are the common case it serves.
func absentKey(doc []byte, key string) bool {
	var quoted [64]byte
	if len(key)+2 > len(quoted) {
		return false
	}
	for _, c := range []byte(key) {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' {
			return false // a gjson path, or a key this check does not cover
		}
	}
	q := append(append(append(quoted[:0], '"'), key...), '"')
	return !bytes.Contains(doc, q) && !bytes.Contains(doc, []byte(`\u`))
}

// value returns the raw value at key, the literal null included; nil when missing.
func (o object) value(key string) json.RawMessage {
	r := o.get(key)
	if !r.Exists() {
		return nil
	}
	return sub(o.b, r)
}

// raw returns the value at key, nil when absent or null.
func (o object) raw(key string) JSON {
	r := o.get(key)
	if !r.Exists() || r.Type == gjson.Null {
		return nil
	}
	return JSON(sub(o.b, r))
}

// has reports whether key is present with a non-null value.
func (o object) has(key string) bool {
	r := o.get(key)
	return r.Exists() && r.Type != gjson.Null
}

// str returns the string at key; nil when absent or not a string.
func (o object) str(key string) *string {
	r := o.get(key)
	if r.Type != gjson.String {
		return nil
	}
	s := r.String()
	return &s
}

// text returns the string at key, "" when absent or not a string.
func (o object) text(key string) string {
	if r := o.get(key); r.Type == gjson.String {
		return r.String()
	}
	return ""
}

// float returns the number at key; nil when absent or not a number.
func (o object) float(key string) *float64 {
	r := o.get(key)
	if r.Type != gjson.Number {
		return nil
	}
	f := r.Float()
	return &f
}

// int returns the number at key as an int (fractions truncated); nil when absent or not a number.
func (o object) int(key string) *int {
	f := o.float(key)
	if f == nil || math.IsInf(*f, 0) || math.IsNaN(*f) || math.Abs(*f) > math.MaxInt64/2 {
		return nil
	}
	i := int(*f)
	return &i
}

// bool returns the boolean at key; nil when absent or not a boolean.
func (o object) bool(key string) *bool {
	switch o.get(key).Type {
	case gjson.True:
		t := true
		return &t
	case gjson.False:
		f := false
		return &f
	}
	return nil
}

// epoch returns the epoch-seconds timestamp at key as a time; nil when absent or not a number.
func (o object) epoch(key string) *time.Time {
	f := o.float(key)
	if f == nil || math.IsInf(*f, 0) || math.IsNaN(*f) || math.Abs(*f) > 1e13 {
		return nil
	}
	t := fromEpoch(int64(*f))
	return &t
}

// object returns the object at key; absent when missing or not an object.
func (o object) object(key string) object {
	sub, err := nestedObject(o.value(key))
	if err != nil {
		return object{}
	}
	return sub
}

// array returns the elements of the array at key; an error when present but not an array.
func (o object) array(key string) ([]json.RawMessage, error) {
	return nestedArray(o.value(key))
}

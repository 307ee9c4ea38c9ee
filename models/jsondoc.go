package models

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/tidwall/gjson"
)

// object is a JSON object read lazily: the stored bytes, searched for a key
// only when a field asks for it (nested values are skipped without being
// decoded), values returned as sub-slices without copying. So reading a
// run's run_id does not decode its 76 kB of messages. The zero object is absent.
type object struct {
	b   []byte
	idx *keyIndex // set for objects whose fields are read many times
}

// keyIndex holds an object's top-level members, found in one scan the first
// time a field is read, so that a run's dozen fields or a message's few do
// not each scan the object again. Safe for concurrent field resolvers.
type keyIndex struct {
	once    sync.Once
	ok      bool // the scan found the members
	members []member
}

// member is one key of an indexed object and where its value lies in the
// object's bytes; for an array value of a deeply indexed object, also its elements.
type member struct {
	key        string // a view of the object's bytes, or the unescaped key
	start, end int32  // documents are under 2 GB (jsonb's limit is 256 MB, SQLite's 1 GB)
	elems      *elements
}

// indexed returns o with a key index, for objects read field by field: runs,
// whose index also holds the elements of their arrays (messages, tools, …)
// and the members of those elements, found in the same pass.
func indexed(o object) object {
	if !o.absent() {
		o.idx = &keyIndex{}
	}
	return o
}

// scanned returns o indexed now, one level deep: for a small object whose
// fields are all read at once, such as metrics, one scan instead of a gjson
// search per field (nine for a run's metrics).
func scanned(o object) object {
	if o.absent() {
		return o
	}
	idx := &keyIndex{}
	idx.members, idx.ok = scanMembers(o.b, false)
	idx.once.Do(func() {})
	o.idx = idx
	return o
}

// indexAll indexes objects read together, such as a nested run's messages,
// now, with one allocation for all their members.
func indexAll(objs []object) {
	idxs := make([]keyIndex, len(objs))
	s := &scanner{arenas: [runDepth + 1][]member{make([]member, 0, 8*len(objs))}}
	for i := range objs {
		if objs[i].absent() {
			continue
		}
		s.d = objs[i].b
		members, end := s.object(skipSpace(s.d, 0), 0, 0)
		idxs[i].members, idxs[i].ok = members, end >= 0 && skipSpace(s.d, end) == len(s.d) && len(s.d) <= maxScan
		idxs[i].once.Do(func() {})
		objs[i].idx = &idxs[i]
	}
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

// decodeObjects reads a stored array of objects, such as the runs column,
// validating it once unless valid (jsonb): its elements' bytes, and each read
// as an object with its members, its arrays' elements and their members
// indexed in the same pass (absent for elements that are not objects).
func decodeObjects(raw []byte, valid bool) ([]object, []json.RawMessage, error) {
	if isAbsent(raw) {
		return nil, nil, nil
	}
	if !valid && !gjson.ValidBytes(raw) {
		return nil, nil, errInvalid
	}
	if jsonKind(raw) != '[' {
		return nil, nil, errNotArray
	}
	if els, ok := scanElements(raw, true); ok {
		return els.objs, els.raws, nil
	}
	raws := splitArray(raw)
	return indexedObjects(raws), raws, nil
}

// indexedObjects reads elements as objects, each with its members indexed,
// absent for elements that are not objects.
func indexedObjects(raws []json.RawMessage) []object {
	objs := make([]object, len(raws))
	for i, raw := range raws {
		objs[i], _ = nestedObject(raw)
	}
	indexAll(objs)
	return objs
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
	if els, ok := scanElements(raw, false); ok {
		return els.raws, nil
	}
	return splitArray(raw), nil
}

// splitArray is nestedArray by gjson, for an array the scan could not split (never valid JSON).
func splitArray(raw []byte) []json.RawMessage {
	var elems []json.RawMessage
	gjson.Parse(view(raw)).ForEach(func(_, v gjson.Result) bool {
		elems = append(elems, sub(raw, v))
		return true
	})
	return elems
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

// get returns the bytes of the value at key (the first, if repeated), nil when missing.
func (o object) get(key string) []byte {
	if o.b == nil {
		return nil
	}
	if o.idx != nil && o.idx.ready(o.b) {
		if m := o.idx.member(key); m != nil {
			return o.b[m.start:m.end:m.end]
		}
		return nil
	}
	if absentKey(o.b, key) {
		return nil
	}
	r := gjson.Get(view(o.b), key)
	if !r.Exists() {
		return nil
	}
	return sub(o.b, r)
}

// ready indexes doc the first time it is called and reports whether the
// index holds doc's members (else gjson reads doc: never for valid JSON).
func (x *keyIndex) ready(doc []byte) bool {
	x.once.Do(func() { x.members, x.ok = scanMembers(doc, true) })
	return x.ok
}

// member returns the member at key (the first, if repeated), nil when missing.
func (x *keyIndex) member(key string) *member {
	for i := range x.members {
		if x.members[i].key == key {
			return &x.members[i]
		}
	}
	return nil
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
func (o object) value(key string) json.RawMessage { return o.get(key) }

// raw returns the value at key, nil when absent or null.
func (o object) raw(key string) JSON {
	v := o.get(key)
	if len(v) == 0 || v[0] == 'n' {
		return nil
	}
	return JSON(v)
}

// has reports whether key is present with a non-null value.
func (o object) has(key string) bool {
	v := o.get(key)
	return len(v) > 0 && v[0] != 'n'
}

// str returns the string at key; nil when absent or not a string.
func (o object) str(key string) *string {
	v := o.get(key)
	if len(v) == 0 || v[0] != '"' {
		return nil
	}
	s := unquote(v)
	return &s
}

// text returns the string at key, "" when absent or not a string.
func (o object) text(key string) string {
	if v := o.get(key); len(v) > 0 && v[0] == '"' {
		return unquote(v)
	}
	return ""
}

// unquote decodes a valid JSON string.
func unquote(v []byte) string {
	s, _ := decodeString(v)
	return s
}

// decodeString decodes raw, a valid JSON value, as encoding/json decodes a
// string; ok is false when it is not a string. Without escapes and in valid
// UTF-8 the string is the bytes between the quotes, not copied (stored
// documents are never modified); with escapes other than \u, gjson
// unescapes it; else encoding/json, whose handling of invalid UTF-8 and lone
// surrogates is the reference.
func decodeString(raw []byte) (string, bool) {
	t := bytes.Trim(raw, " \t\n\r")
	if len(t) < 2 || t[0] != '"' || t[len(t)-1] != '"' {
		return "", false
	}
	if in := t[1 : len(t)-1]; utf8.Valid(in) {
		if bytes.IndexByte(in, '\\') < 0 {
			return view(in), true
		}
		if !bytes.Contains(in, []byte(`\u`)) {
			return gjson.Parse(view(t)).Str, true
		}
	}
	var s string
	if json.Unmarshal(t, &s) != nil {
		return "", false
	}
	return s, true
}

// float returns the number at key; nil when absent or not a number.
func (o object) float(key string) *float64 {
	v := o.get(key)
	if len(v) == 0 || (v[0] != '-' && (v[0] < '0' || v[0] > '9')) {
		return nil
	}
	f, _ := strconv.ParseFloat(view(v), 64) // ±Inf beyond float64's range
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
	v := o.get(key)
	if len(v) == 0 || (v[0] != 't' && v[0] != 'f') {
		return nil
	}
	b := v[0] == 't'
	return &b
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
	if els := o.elements(key); els != nil {
		return els.raws, nil
	}
	return nestedArray(o.value(key))
}

// elements returns the elements of the array at key as the index found
// them, nil when o has no index or the index holds none for key.
func (o object) elements(key string) *elements {
	if o.idx != nil && o.idx.ready(o.b) {
		if m := o.idx.member(key); m != nil {
			return m.elems
		}
	}
	return nil
}

// objects returns the elements of the array at key read as indexed objects,
// absent for elements that are not objects, and the elements' bytes; an
// error when present but not an array.
func (o object) objects(key string) ([]object, []json.RawMessage, error) {
	if els := o.elements(key); els != nil {
		return els.objs, els.raws, nil
	}
	raws, err := nestedArray(o.value(key))
	return indexedObjects(raws), raws, err
}

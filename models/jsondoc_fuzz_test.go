package models

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// abbrev formats v for a failure message, shortened: fuzz inputs run to 100 kB.
func abbrev(v any) string {
	switch x := v.(type) {
	case *string:
		if x != nil {
			v = *x
		}
	case []byte:
		v = string(x)
	}
	s := fmt.Sprintf("%+v", v)
	if len(s) > 200 {
		return strconv.QuoteToASCII(s[:200]) + fmt.Sprintf("…(%d bytes)", len(s))
	}
	return strconv.QuoteToASCII(s)
}

// Abbrev is abbrev for the package's black-box tests.
var Abbrev = abbrev

// jsonDocSeeds are stored JSON values, valid and not, in the shapes Agno
// writes and in shapes it never should.
var jsonDocSeeds = []string{
	``,
	`null`,
	" \n\tnull\r ",
	"null\v",
	"\u00a0null",
	`nul`,
	`{}`,
	`[]`,
	`{"session_name": "Caf\u00e9 Alpha", "session_state": {"cart": ["981"]}, "session_metrics": {"total_tokens": 810, "cost": 0.0123}}`,
	`[{"run_id": "r-a1", "status": "COMPLETED", "created_at": 1757346730, "messages": [{"role": "user", "content": "hi"}]}, "oops", null, 7]`,
	`"{\"session_name\": \"Caf\\u00e9 Alpha\"}"`,
	`"[{\"run_id\": \"r-1\"}]"`,
	`{"run\u005fid": "escaped key", "run_id": "second", "run_id": "third"}`,
	`{"run\u005fid": "escaped key", "ro\u006ce": "user"}`,
	`{"created_at": 1e400, "total_tokens": -1e400, "cost": 123456789012345678901234567890, "x": -0, "y": 1.5e-400}`,
	`{"created_at": 9223372036854775807, "total_tokens": 4.611686018427388e18, "cost": "12"}`,
	`{"from_history": true, "stop_after_tool_call": false, "content": null, "tool_calls": [{"id": "c", "function": {"name": "f", "arguments": {"a": 1}}}]}`,
	`{"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "image_url"}, {"type": "text", "text": "b"}]}`,
	`{"a": "\ud800", "b": "\udc00\ud800", "c": "\u0000", "d": "\/"}`,
	"{\"a\": \"\xff\xfe\", \"b\": \"\x00\"}",
	"{\"a\": \"\x7f\", \"b\": \"\t\"}",
	`{"a": 01}`,
	`{"a": 1.}`,
	`{"a": .5}`,
	`{"a": -}`,
	`{"a": +1}`,
	`{"a": 0x10}`,
	`{"a": NaN, "b": Infinity}`,
	`{"a": tru}`,
	`{"a": [1, 2,]}`,
	`{"a": 1,}`,
	`{"a" 1}`,
	`{'a': 1}`,
	`{"a": 1} {"b": 2}`,
	`{"a": 1}]`,
	`[1] x`,
	`{"a": "unterminated}`,
	`{"a": "\x"}`,
	`{"a": "\u12"}`,
	`{"a": {"b": {"c": [[[[{"d": "deep"}]]]]}}}`,
	"\ufeff{}",
	`"just a string"`,
	`12`,
	`true`,
	`{"#": 1, "a.b": 2, "*": 3, "a|b": 4, "@this": 5, "": 6}`,
	`{"k": "` + strings.Repeat("x", 100_000) + `"}`,
	strings.Repeat("[", 20_000) + strings.Repeat("]", 20_000),
	"eyJydW5faWQiOiAiciJ9",
	// strings that end in backslashes or hold escaped quotes, brackets and braces, at every depth
	`{"content": "say \"hi\" \\", "role": "\\\"", "x": "\\", "k": "}]\"{["}`,
	`{"a": "tab\tnew\nline\/\b\f\r", "k": "\\u0041", "x": "\u0041\\n", "role": "caf\u00e9 \ud83d\ude00 \udc00"}`,
	`[{"run_id": "r\\", "messages": [{"role": "user", "content": "a \"[b]\" {c}\\"}, {"role": "tool", "content": "[{\"id\": \"2404\"}]"}], "tools": [{"result": "\\\\\"x\\\\"}]}]`,
	" [ { \"run_id\" : \"r\" , \"messages\" : [ { \"role\" : \"user\" } , 1 , [ ] , { } ] } , { } ] ",
}

// plainKey matches the keys models reads: gjson would read other keys as paths.
var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// storedKeys are keys models reads from stored objects.
var storedKeys = []string{"run_id", "session_name", "session_state", "messages", "role", "content", "status",
	"created_at", "total_tokens", "cost", "from_history", "tool_calls", "input", "a", "k", "x"}

// FuzzJSONDoc checks decodeObject, decodeArray and the object accessors
// against encoding/json: a value is rejected exactly when encoding/json finds
// it invalid (errInvalid) or of the wrong kind (errNotObject, errNotArray);
// SQL NULL and JSON null read as absent; array elements and the values of
// keys are the stored bytes; and every accessor agrees with what
// encoding/json decodes for that key.
func FuzzJSONDoc(f *testing.F) {
	for _, seed := range jsonDocSeeds {
		f.Add([]byte(seed), "run_id")
	}
	f.Add([]byte(nil), "")
	f.Add([]byte("{\"\x00\": 1}"), "\x00")
	f.Fuzz(func(t *testing.T, raw []byte, key string) {
		// encoding/json refuses to nest deeper than 10000; the JSON grammar does not.
		checkValidity := bytes.Count(raw, []byte("["))+bytes.Count(raw, []byte("{")) < 9000
		valid := json.Valid(raw)
		trimmed := bytes.Trim(raw, " \t\n\r")
		absent := len(trimmed) == 0 || string(trimmed) == "null"
		if isAbsent(raw) != absent {
			t.Fatalf("isAbsent(%s) = %v", abbrev(raw), !absent)
		}

		o, err := decodeObject(raw)
		switch {
		case absent:
			if err != nil || !o.absent() {
				t.Errorf("decodeObject(%s) of an absent value = %v, %v", abbrev(raw), abbrev(o.b), err)
			}
		case !checkValidity:
		case !valid:
			if err != errInvalid {
				t.Errorf("decodeObject(%s) of invalid JSON: %v", abbrev(raw), err)
			}
		case trimmed[0] == '{':
			if err != nil || !bytes.Equal(o.b, raw) {
				t.Errorf("decodeObject(%s) of an object = %s, %v", abbrev(raw), abbrev(o.b), err)
			}
		default:
			if err != errNotObject {
				t.Errorf("decodeObject(%s) of a %c value: %v", abbrev(raw), trimmed[0], err)
			}
		}
		if err != nil && !o.absent() {
			t.Errorf("decodeObject(%s) failed with %v but returned %s", abbrev(raw), err, abbrev(o.b))
		}

		elems, aerr := decodeArray(raw)
		switch {
		case absent:
			if aerr != nil || elems != nil {
				t.Errorf("decodeArray(%s) of an absent value = %d elements, %v", abbrev(raw), len(elems), aerr)
			}
		case !checkValidity:
		case !valid:
			if aerr != errInvalid {
				t.Errorf("decodeArray(%s) of invalid JSON: %v", abbrev(raw), aerr)
			}
		case trimmed[0] == '[':
			var want []json.RawMessage
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			for _, deep := range []bool{false, true} {
				if _, ok := scanElements(raw, deep); !ok {
					t.Errorf("scanElements(%s, %v) lost its way in valid JSON", abbrev(raw), deep)
				}
			}
			objs, raws, derr := decodeObjects(raw, false)
			if derr != nil || !equalRaws(raws, want) || len(objs) != len(raws) {
				t.Errorf("decodeObjects(%s) = %d objects, %s, %v; want %s", abbrev(raw), len(objs), abbrev(raws), derr, abbrev(want))
			}
			for i, o := range objs {
				checkElement(t, raw, o, raws[i])
			}
			if aerr != nil || !equalRaws(elems, want) {
				t.Errorf("decodeArray(%s) = %s, %v; want %s", abbrev(raw), abbrev(elems), aerr, abbrev(want))
			}
		default:
			if aerr != errNotArray {
				t.Errorf("decodeArray(%s) of a %c value: %v", abbrev(raw), trimmed[0], aerr)
			}
		}

		if checkValidity && valid && !absent {
			checkTextOrJSON(t, raw)
		}
		if o.absent() || !checkValidity {
			return
		}
		// The scan must read every valid document; gjson's fallbacks are for safety only.
		for _, deep := range []bool{false, true} {
			if _, ok := scanMembers(raw, deep); !ok {
				t.Errorf("scanMembers(%s, %v) lost its way in valid JSON", abbrev(raw), deep)
			}
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("decodeObject accepted %s, which encoding/json cannot read: %v", abbrev(raw), err)
		}
		if countKeys(raw) != len(m) {
			return // a repeated key: gjson reads the first value, encoding/json the last
		}
		for _, k := range append(storedKeys, key) {
			if plainKey.MatchString(k) {
				checkKey(t, o, raw, m, k)
				checkKey(t, indexed(o), raw, m, k)
				together := []object{{b: []byte(`{"a": 1}`)}, o}
				indexAll(together)
				checkKey(t, together[1], raw, m, k)
			}
		}
	})
}

// checkKey compares the accessors of o at key with encoding/json's reading of
// the same object, m.
func checkKey(t *testing.T, o object, raw []byte, m map[string]json.RawMessage, key string) {
	t.Helper()
	want, present := m[key]
	if got := o.value(key); !bytes.Equal(got, want) || (got == nil) == present {
		t.Fatalf("value(%q) of %s = %s, want %s", key, abbrev(raw), abbrev(got), abbrev(want))
	}
	isNull := string(want) == "null"
	if o.has(key) != (present && !isNull) {
		t.Errorf("has(%q) of %s = %v", key, abbrev(raw), o.has(key))
	}
	if got := o.raw(key); (got == nil) != (!present || isNull) || (got != nil && !bytes.Equal(got, want)) {
		t.Errorf("raw(%q) of %s = %s, want %s", key, abbrev(raw), abbrev(got), abbrev(want))
	}
	kind := jsonKind(want)

	var s string
	if got := o.str(key); (got != nil) != (kind == '"') {
		t.Errorf("str(%q) of %s = %v", key, abbrev(raw), got)
	} else if got != nil && json.Unmarshal(want, &s) == nil && *got != s {
		t.Errorf("str(%q) of %s = %s, want %s", key, abbrev(raw), abbrev(*got), abbrev(s))
	}
	if got := o.text(key); kind == '"' && got != *o.str(key) || kind != '"' && got != "" {
		t.Errorf("text(%q) of %s = %s", key, abbrev(raw), abbrev(got))
	}

	number := kind == '-' || (kind >= '0' && kind <= '9')
	f := o.float(key)
	if (f != nil) != number {
		t.Fatalf("float(%q) of %s = %v", key, abbrev(raw), f)
	}
	if number {
		wantF, _ := strconv.ParseFloat(string(want), 64) // ±Inf when out of range, as gjson reads it
		if *f != wantF {
			t.Errorf("float(%q) of %s = %v, want %v", key, abbrev(raw), *f, wantF)
		}
		i := o.int(key)
		if inRange := math.Abs(wantF) <= math.MaxInt64/2; (i != nil) != inRange || (i != nil && *i != int(wantF)) {
			t.Errorf("int(%q) of %s = %v", key, abbrev(raw), i)
		}
		if e := o.epoch(key); (e != nil) != (math.Abs(wantF) <= 1e13) || (e != nil && e.Unix() != int64(wantF)) {
			t.Errorf("epoch(%q) of %s = %v", key, abbrev(raw), e)
		}
	} else if o.int(key) != nil || o.epoch(key) != nil {
		t.Errorf("int or epoch(%q) of non-number %s", key, abbrev(want))
	}

	if b := o.bool(key); (b != nil) != (kind == 't' || kind == 'f') || (b != nil && *b != (kind == 't')) {
		t.Errorf("bool(%q) of %s = %v", key, abbrev(raw), b)
	}
	if sub := o.object(key); sub.absent() != (kind != '{') || (!sub.absent() && !bytes.Equal(sub.b, want)) {
		t.Errorf("object(%q) of %s = %s", key, abbrev(raw), abbrev(sub.b))
	}
	elems, err := o.array(key)
	switch kind {
	case 0, 'n':
		if elems != nil || err != nil {
			t.Errorf("array(%q) of absent %s = %d elements, %v", key, abbrev(raw), len(elems), err)
		}
	case '[':
		var wantElems []json.RawMessage
		_ = json.Unmarshal(want, &wantElems)
		if err != nil || !equalRaws(elems, wantElems) {
			t.Errorf("array(%q) of %s = %s, %v", key, abbrev(raw), abbrev(elems), err)
		}
		objs, raws, err := o.objects(key)
		if err != nil || !equalRaws(raws, wantElems) || len(objs) != len(raws) {
			t.Fatalf("objects(%q) of %s = %d objects, %s, %v", key, abbrev(raw), len(objs), abbrev(raws), err)
		}
		for i, e := range objs {
			checkElement(t, raw, e, raws[i])
		}
	default:
		if err != errNotArray {
			t.Errorf("array(%q) of non-array %s: %v", key, abbrev(want), err)
		}
	}
}

// checkTextOrJSON checks that a valid value reads as its string or as its compact JSON text.
func checkTextOrJSON(t *testing.T, raw []byte) {
	t.Helper()
	got := textOrJSON(raw)
	if got == nil {
		t.Fatalf("textOrJSON(%s) = nil", abbrev(raw))
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if *got != s {
			t.Errorf("textOrJSON(%s) = %s, want %s", abbrev(raw), abbrev(*got), abbrev(s))
		}
		return
	}
	var buf bytes.Buffer
	_ = json.Compact(&buf, raw)
	if *got != buf.String() {
		t.Errorf("textOrJSON(%s) = %s, want compact %s", abbrev(raw), abbrev(*got), abbrev(buf.String()))
	}
}

// checkElement checks an element of an array read as an indexed object:
// absent exactly when it is not an object, and with its members' values,
// and for array values their elements, down to the depth runs are indexed
// at, as encoding/json reads them.
func checkElement(t *testing.T, doc []byte, o object, raw json.RawMessage) {
	t.Helper()
	checkElementAt(t, doc, o, raw, runDepth)
}

func checkElementAt(t *testing.T, doc []byte, o object, raw json.RawMessage, depth int) {
	t.Helper()
	var m map[string]json.RawMessage
	if _ = json.Unmarshal(raw, &m); o.absent() != (jsonKind(raw) != '{') {
		t.Fatalf("element %s of %s: absent = %v", abbrev(raw), abbrev(doc), o.absent())
	}
	if o.absent() || countKeys(raw) != len(m) {
		return
	}
	for k, v := range m {
		if !plainKey.MatchString(k) {
			continue // encoding/json reads invalid UTF-8 in a key as U+FFFD; models asks for plain keys only
		}
		if got := o.value(k); !bytes.Equal(got, v) {
			t.Errorf("element %s of %s: value(%q) = %s, want %s", abbrev(raw), abbrev(doc), k, abbrev(got), abbrev(v))
		}
		if jsonKind(v) != '[' || depth < 0 {
			continue
		}
		var want []json.RawMessage
		_ = json.Unmarshal(v, &want)
		objs, raws, err := o.objects(k)
		if got, _ := o.array(k); err != nil || !equalRaws(raws, want) || !equalRaws(got, want) || len(objs) != len(raws) {
			t.Errorf("element %s of %s: objects(%q) = %s, %v; want %s", abbrev(raw), abbrev(doc), k, abbrev(raws), err, abbrev(want))
			continue
		}
		for i, e := range objs {
			checkElementAt(t, doc, e, raws[i], depth-1)
		}
	}
}

// countKeys counts an object's members, repeated keys included.
func countKeys(raw []byte) int {
	keys := 0
	gjson.ParseBytes(raw).ForEach(func(_, _ gjson.Result) bool { keys++; return true })
	return keys
}

func equalRaws(a, b []json.RawMessage) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) || !json.Valid(a[i]) {
			return false
		}
	}
	return true
}

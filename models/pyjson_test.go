package models_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"sessiongraph/models"
)

// pythonCases hold CPython 3.11's output for json.dumps(v), json.dumps(v, indent=2) and str(v)
// with v = json.loads(doc).
var pythonCases = []struct {
	name     string
	doc      string
	compact  string
	indented string
	str      string
}{
	{
		name:    "nested objects and arrays keep their key order",
		doc:     `{"b": {"x": [1, 2, {"y": null}]}, "a": [true, false], "c": "s"}`,
		compact: `{"b": {"x": [1, 2, {"y": null}]}, "a": [true, false], "c": "s"}`,
		indented: `{
  "b": {
    "x": [
      1,
      2,
      {
        "y": null
      }
    ]
  },
  "a": [
    true,
    false
  ],
  "c": "s"
}`,
		str: `{'b': {'x': [1, 2, {'y': None}]}, 'a': [True, False], 'c': 's'}`,
	},
	{
		name:     "keys keep document order rather than sorted order",
		doc:      `{"z": 1, "a": 2, "m": 3}`,
		compact:  `{"z": 1, "a": 2, "m": 3}`,
		indented: "{\n  \"z\": 1,\n  \"a\": 2,\n  \"m\": 3\n}",
		str:      `{'z': 1, 'a': 2, 'm': 3}`,
	},
	{
		name:     "a repeated key keeps its first position and its last value",
		doc:      `{"a": 1, "b": 2, "a": 3}`,
		compact:  `{"a": 3, "b": 2}`,
		indented: "{\n  \"a\": 3,\n  \"b\": 2\n}",
		str:      `{'a': 3, 'b': 2}`,
	},
	{
		name:     "whitespace in the document does not matter",
		doc:      "\n { \"a\" :\t[ 1 ,2 ] }\r\n",
		compact:  `{"a": [1, 2]}`,
		indented: "{\n  \"a\": [\n    1,\n    2\n  ]\n}",
		str:      `{'a': [1, 2]}`,
	},
	{
		name:     "empty containers stay compact when indented",
		doc:      `{"empty_obj": {}, "empty_list": [], "nested": [[], {}, [[]]]}`,
		compact:  `{"empty_obj": {}, "empty_list": [], "nested": [[], {}, [[]]]}`,
		indented: "{\n  \"empty_obj\": {},\n  \"empty_list\": [],\n  \"nested\": [\n    [],\n    {},\n    [\n      []\n    ]\n  ]\n}",
		str:      `{'empty_obj': {}, 'empty_list': [], 'nested': [[], {}, [[]]]}`,
	},
	{
		name:     "a top-level empty object stays an empty object",
		doc:      `{}`,
		compact:  `{}`,
		indented: `{}`,
		str:      `{}`,
	},
	{
		name:     "a top-level empty list stays an empty list",
		doc:      ` [ ] `,
		compact:  `[]`,
		indented: `[]`,
		str:      `[]`,
	},
	{
		name:     "JSON literals become None, True and False in str",
		doc:      `[null, true, false]`,
		compact:  `[null, true, false]`,
		indented: "[\n  null,\n  true,\n  false\n]",
		str:      `[None, True, False]`,
	},
	{
		name:     "a top-level null is None in str",
		doc:      `null`,
		compact:  `null`,
		indented: `null`,
		str:      `None`,
	},
	{
		name:     "non-ASCII text is escaped by dumps and kept by str unless unprintable",
		doc:      `{"name":"café 😀 中文 \u2028 end"}`,
		compact:  `{"name": "caf\u00e9 \ud83d\ude00 \u4e2d\u6587 \u2028 end"}`,
		indented: "{\n  \"name\": \"caf\\u00e9 \\ud83d\\ude00 \\u4e2d\\u6587 \\u2028 end\"\n}",
		str:      `{'name': 'café 😀 中文 \u2028 end'}`,
	},
	{
		name:     "a top-level string is returned unquoted by str",
		doc:      `"caf\u00e9 \ud83d\ude00 中文 \u2028"`,
		compact:  `"caf\u00e9 \ud83d\ude00 \u4e2d\u6587 \u2028"`,
		indented: `"caf\u00e9 \ud83d\ude00 \u4e2d\u6587 \u2028"`,
		str:      "café 😀 中文 \u2028",
	},
	{
		name:     "control characters use short escapes where Python has them and DEL is escaped",
		doc:      `["\u0000\u001f\b\f\n\r\t\u007f\"\\/"]`,
		compact:  `["\u0000\u001f\b\f\n\r\t\u007f\"\\/"]`,
		indented: "[\n  \"\\u0000\\u001f\\b\\f\\n\\r\\t\\u007f\\\"\\\\/\"\n]",
		str:      `['\x00\x1f\x08\x0c\n\r\t\x7f"\\/']`,
	},
	{
		name:     "str picks double quotes only for a single quote without a double quote",
		doc:      `["it's", "say \"hi\"", "both ' and \"", "back\\slash"]`,
		compact:  `["it's", "say \"hi\"", "both ' and \"", "back\\slash"]`,
		indented: "[\n  \"it's\",\n  \"say \\\"hi\\\"\",\n  \"both ' and \\\"\",\n  \"back\\\\slash\"\n]",
		str:      `["it's", 'say "hi"', 'both \' and "', 'back\\slash']`,
	},
	{
		name:     "non-breaking and ideographic spaces, format characters and Unicode 15 emoji are unprintable for str",
		doc:      `["\u00a0\u00ad\u3000\u200b\ue000🩷"]`,
		compact:  `["\u00a0\u00ad\u3000\u200b\ue000\ud83e\ude77"]`,
		indented: "[\n  \"\\u00a0\\u00ad\\u3000\\u200b\\ue000\\ud83e\\ude77\"\n]",
		str:      `['\xa0\xad\u3000\u200b\ue000\U0001fa77']`,
	},
	{
		name:     "floats print as Python's float repr",
		doc:      `[0.1, 1.0, 1e16, 1e-5, 123456789012345680.0, -0.0, 1e999, -1e999, 1e-999, 100000.0, 0.0001, 123.456, 1E5, 9999999999999998.0, 5e-324, 1.7976931348623157e308]`,
		compact:  `[0.1, 1.0, 1e+16, 1e-05, 1.2345678901234568e+17, -0.0, Infinity, -Infinity, 0.0, 100000.0, 0.0001, 123.456, 100000.0, 9999999999999998.0, 5e-324, 1.7976931348623157e+308]`,
		indented: "[\n  0.1,\n  1.0,\n  1e+16,\n  1e-05,\n  1.2345678901234568e+17,\n  -0.0,\n  Infinity,\n  -Infinity,\n  0.0,\n  100000.0,\n  0.0001,\n  123.456,\n  100000.0,\n  9999999999999998.0,\n  5e-324,\n  1.7976931348623157e+308\n]",
		str:      `[0.1, 1.0, 1e+16, 1e-05, 1.2345678901234568e+17, -0.0, inf, -inf, 0.0, 100000.0, 0.0001, 123.456, 100000.0, 9999999999999998.0, 5e-324, 1.7976931348623157e+308]`,
	},
	{
		name:     "an overflowing float at the top level is Infinity for dumps and inf for str",
		doc:      `1e999`,
		compact:  `Infinity`,
		indented: `Infinity`,
		str:      `inf`,
	},
	{
		name:     "ints keep every digit and minus zero becomes zero",
		doc:      `[12345678901234567890123456789012345678901234567890, -0, -12, 0]`,
		compact:  `[12345678901234567890123456789012345678901234567890, 0, -12, 0]`,
		indented: "[\n  12345678901234567890123456789012345678901234567890,\n  0,\n  -12,\n  0\n]",
		str:      `[12345678901234567890123456789012345678901234567890, 0, -12, 0]`,
	},
	{
		name:     "a top-level int prints its digits",
		doc:      `42`,
		compact:  `42`,
		indented: `42`,
		str:      `42`,
	},
	{
		name:     "an Agno run input prints like Agno's derived name",
		doc:      `{"input_content": "hello", "images": [{"url": "x"}]}`,
		compact:  `{"input_content": "hello", "images": [{"url": "x"}]}`,
		indented: "{\n  \"input_content\": \"hello\",\n  \"images\": [\n    {\n      \"url\": \"x\"\n    }\n  ]\n}",
		str:      `{'input_content': 'hello', 'images': [{'url': 'x'}]}`,
	},
}

func TestPythonJSONDumps(t *testing.T) {
	for _, tc := range pythonCases {
		t.Run(tc.name, func(t *testing.T) {
			for _, indent := range []int{0, -1} {
				got, err := models.PythonJSONDumps([]byte(tc.doc), indent)
				if err != nil || got != tc.compact {
					t.Errorf("PythonJSONDumps(%q, %d) = %q, %v; want %q", tc.doc, indent, got, err, tc.compact)
				}
			}
			got, err := models.PythonJSONDumps([]byte(tc.doc), 2)
			if err != nil || got != tc.indented {
				t.Errorf("PythonJSONDumps(%q, 2) = %q, %v; want %q", tc.doc, got, err, tc.indented)
			}
		})
	}
}

func TestPythonJSONDumpsIndentsEachLevelByIndent(t *testing.T) {
	// json.dumps(json.loads(doc), indent=4)
	const want = "{\n    \"a\": [\n        1,\n        {\n            \"b\": []\n        }\n    ]\n}"
	got, err := models.PythonJSONDumps([]byte(`{"a": [1, {"b": []}]}`), 4)
	if err != nil || got != want {
		t.Errorf("PythonJSONDumps(indent 4) = %q, %v; want %q", got, err, want)
	}
}

func TestPythonRepr(t *testing.T) {
	for _, tc := range pythonCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := models.PythonRepr([]byte(tc.doc))
			if err != nil || got != tc.str {
				t.Errorf("PythonRepr(%q) = %q, %v; want %q", tc.doc, got, err, tc.str)
			}
		})
	}
}

func TestPythonRejectsInvalidJSON(t *testing.T) {
	for _, tc := range []struct {
		name  string
		doc   string
		cause error // nil when any error will do
	}{
		{"an empty document is rejected", "", io.ErrUnexpectedEOF},
		{"a document of only whitespace is rejected", " \n", io.ErrUnexpectedEOF},
		{"an unclosed object is rejected", `{"a": 1`, io.ErrUnexpectedEOF},
		{"an unclosed list is rejected", `[1, 2`, io.ErrUnexpectedEOF},
		{"a trailing comma in a list is rejected", `[1,]`, nil},
		{"a trailing comma in an object is rejected", `{"a": 1,}`, nil},
		{"a missing colon is rejected", `{"a" 1}`, nil},
		{"a non-string key is rejected", `{1: 2}`, nil},
		{"a single-quoted string is rejected", `'a'`, nil},
		{"a misspelt literal is rejected", `nul`, nil},
		{"a number with a leading zero is rejected", `01`, nil},
		{"a raw newline inside a string is rejected", "\"a\nb\"", nil},
		{"invalid UTF-8 is rejected", "\"\xff\"", nil},
		{"a second value after the first is rejected", `1 2`, nil},
		{"trailing garbage after a list is rejected", `[1] x`, nil},
		{"an extra closing brace is rejected", `{}}`, nil},
		{"an int longer than Python's 4300-digit limit is rejected", strings.Repeat("7", 4301), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, dumpsErr := models.PythonJSONDumps([]byte(tc.doc), 2)
			_, reprErr := models.PythonRepr([]byte(tc.doc))
			for _, err := range []error{dumpsErr, reprErr} {
				if err == nil {
					t.Fatalf("doc %q: got no error", tc.doc)
				}
				if tc.cause != nil && !errors.Is(err, tc.cause) {
					t.Errorf("doc %q: error %v does not wrap %v", tc.doc, err, tc.cause)
				}
			}
		})
	}
}

func TestPythonOutputMatchesCPythonOnRandomDocuments(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH")
	}
	rng := rand.New(rand.NewPCG(2024, 11))
	var docs []string
	for range 200 {
		var b strings.Builder
		writeRandomJSON(&b, rng, 0)
		docs = append(docs, b.String())
	}
	// Every code point outside the surrogates, so that str's printability matches Python's.
	var all []rune
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if utf8.ValidRune(r) {
			all = append(all, r)
		}
	}
	for chunk := range slices.Chunk(all, 1<<16) {
		doc, _ := json.Marshal([]string{string(chunk)})
		docs = append(docs, string(doc))
	}

	const script = `
import json, sys
for line in sys.stdin.buffer:
    v = json.loads(line)
    print(json.dumps([json.dumps(v), json.dumps(v, indent=2), str(v)]))
`
	cmd := exec.Command(python, "-c", script)
	cmd.Stdin = strings.NewReader(strings.Join(docs, "\n") + "\n")
	out, err := cmd.Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			t.Fatalf("python3: %v\n%s", err, exitErr.Stderr)
		}
		t.Fatalf("python3: %v", err)
	}
	lines := bufio.NewScanner(strings.NewReader(string(out)))
	lines.Buffer(nil, 64<<20)
	for i, doc := range docs {
		if !lines.Scan() {
			t.Fatalf("python3 printed %d results for %d documents", i, len(docs))
		}
		var want [3]string
		if err := json.Unmarshal(lines.Bytes(), &want); err != nil {
			t.Fatalf("decoding python3 output for document %d: %v", i, err)
		}
		compact, err := models.PythonJSONDumps([]byte(doc), 0)
		if err != nil {
			t.Fatalf("PythonJSONDumps(%q, 0): %v", doc, err)
		}
		indented, err := models.PythonJSONDumps([]byte(doc), 2)
		if err != nil {
			t.Fatalf("PythonJSONDumps(%q, 2): %v", doc, err)
		}
		str, err := models.PythonRepr([]byte(doc))
		if err != nil {
			t.Fatalf("PythonRepr(%q): %v", doc, err)
		}
		for j, got := range []string{compact, indented, str} {
			if got != want[j] {
				what := []string{"json.dumps", "json.dumps with indent=2", "str"}[j]
				t.Errorf("document %d, %s: %s", i, what, firstDifference(got, want[j]))
			}
		}
	}
}

// firstDifference describes where got first departs from want, with a little context.
func firstDifference(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	start := max(i-40, 0)
	return fmt.Sprintf("at byte %d: got …%q…, want …%q…", i, got[start:min(i+40, len(got))], want[start:min(i+40, len(want))])
}

// writeRandomJSON writes a random JSON value, nesting containers at most three levels deep and
// favouring the strings and numbers where Python's printing has corner cases.
func writeRandomJSON(b *strings.Builder, rng *rand.Rand, depth int) {
	kinds := 7
	if depth >= 3 {
		kinds = 5
	}
	b.WriteString(randomSpace(rng))
	switch rng.IntN(kinds) {
	case 0:
		b.WriteString([]string{"null", "true", "false"}[rng.IntN(3)])
	case 1, 2:
		b.WriteString(randomNumber(rng))
	case 3, 4:
		writeRandomString(b, rng)
	case 5:
		b.WriteByte('[')
		for i := range rng.IntN(5) {
			if i > 0 {
				b.WriteByte(',')
			}
			writeRandomJSON(b, rng, depth+1)
		}
		b.WriteString(randomSpace(rng) + "]")
	case 6:
		b.WriteByte('{')
		for i := range rng.IntN(5) {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(randomSpace(rng))
			if rng.IntN(2) == 0 {
				writeRandomString(b, rng)
			} else { // a small pool of keys, so that some repeat
				b.WriteString([]string{`"a"`, `"b"`, `"input_content"`}[rng.IntN(3)])
			}
			b.WriteString(randomSpace(rng) + ":")
			writeRandomJSON(b, rng, depth+1)
		}
		b.WriteString(randomSpace(rng) + "}")
	}
	b.WriteString(randomSpace(rng))
}

func randomSpace(rng *rand.Rand) string {
	return []string{"", "", "", " ", "\t", "  "}[rng.IntN(6)]
}

func randomNumber(rng *rand.Rand) string {
	switch rng.IntN(6) {
	case 0:
		return strconv.Itoa(rng.IntN(2001) - 1000)
	case 1:
		digits := strconv.Itoa(1 + rng.IntN(9))
		for range rng.IntN(60) {
			digits += strconv.Itoa(rng.IntN(10))
		}
		return []string{"", "-"}[rng.IntN(2)] + digits
	case 2:
		f := math.Float64frombits(rng.Uint64())
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return "1e999"
		}
		return strconv.FormatFloat(f, 'g', -1, 64)
	case 3:
		return fmt.Sprintf("%d.%d%s%d", rng.IntN(1000), rng.IntN(1000),
			[]string{"e", "E", "e+", "e-"}[rng.IntN(4)], rng.IntN(30))
	case 4:
		return strconv.FormatFloat(rng.Float64()*math.Pow(10, float64(rng.IntN(40)-20)), 'f', -1, 64)
	default:
		return []string{"-0", "-0.0", "0.0", "1e999", "-1e999", "1e-999", "1E5", "1e16", "1e15",
			"1e-5", "0.0001", "0.1", "123456789012345680.0", "9007199254740993", "9007199254740993.0"}[rng.IntN(15)]
	}
}

// writeRandomString writes a JSON string mixing ASCII, characters that need escaping, quotes
// and any other code point.
func writeRandomString(b *strings.Builder, rng *rand.Rand) {
	special := []rune{'"', '\'', '\\', '/', '\n', '\t', 0, 0x1f, 0x7f, 0xa0, 0xad, 'é', '中',
		0x2028, 0x3000, 0xfeff, 0xe000, 0xffff, 0x1f600, 0x1fa77}
	var s []rune
	for range rng.IntN(10) {
		switch rng.IntN(3) {
		case 0:
			s = append(s, rune(' '+rng.IntN(95)))
		case 1:
			s = append(s, special[rng.IntN(len(special))])
		default:
			r := rune(rng.IntN(utf8.MaxRune + 1))
			if !utf8.ValidRune(r) {
				r = 'x'
			}
			s = append(s, r)
		}
	}
	quoted, _ := json.Marshal(string(s))
	b.Write(quoted)
}

package models

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Agno derives session names and run inputs in Python with json.dumps and str() of values
// it loaded from JSON, so this file reproduces CPython 3.11's output byte for byte.

// PythonJSONDumps returns what Python's json.dumps(json.loads(doc)) prints, with
// indent <= 0 meaning indent=None (separators ", " and ": ") and indent > 0 meaning
// json.dumps(..., indent=indent) (items separated by "," + newline + indentation, keys by ": ").
// ensure_ascii=True as in Python's default. Object key order is kept as in doc.
// It returns an error if doc is not a single valid JSON value.
func PythonJSONDumps(doc []byte, indent int) (string, error) {
	v, err := decodePython(doc)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	v.writeJSON(&b, max(indent, 0), 0)
	return b.String(), nil
}

// PythonRepr returns what Python's str(json.loads(doc)) prints: dicts as {'k': v},
// lists as [a, b], strings in repr quoting, true/false/null as True/False/None,
// numbers as Python prints int and float. Like str(), a top-level string is returned
// unquoted. It returns an error if doc is not a single valid JSON value.
func PythonRepr(doc []byte) (string, error) {
	v, err := decodePython(doc)
	if err != nil {
		return "", err
	}
	if v.kind == pyStr {
		return v.text, nil
	}
	var b strings.Builder
	v.writeRepr(&b)
	return b.String(), nil
}

type pyKind int

const (
	pyNone pyKind = iota
	pyBool
	pyNumber
	pyStr
	pyList
	pyDict
)

// pyValue is a value as Python's json.loads builds it, with dict keys in insertion order.
type pyValue struct {
	kind  pyKind
	truth bool      // pyBool
	text  string    // pyStr: the string; pyNumber: Python's repr of the int or float
	keys  []string  // pyDict: keys, parallel to items
	items []pyValue // pyList: elements; pyDict: values
}

// pyMaxIntDigits is CPython 3.11's default int_max_str_digits: json.loads rejects longer ints.
const pyMaxIntDigits = 4300

// decodePython parses doc as Python's json.loads would. Lone UTF-16 surrogate escapes are the
// one divergence: encoding/json turns them into U+FFFD where Python keeps the surrogate.
func decodePython(doc []byte) (pyValue, error) {
	if !utf8.Valid(doc) {
		return pyValue{}, errors.New("python json: invalid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	v, err := decodePythonValue(dec)
	if err != nil {
		return pyValue{}, err
	}
	switch tok, err := dec.Token(); {
	case err == io.EOF:
		return v, nil
	case err != nil:
		return pyValue{}, fmt.Errorf("python json: after value: %w", err)
	default:
		return pyValue{}, fmt.Errorf("python json: trailing data at %v", tok)
	}
}

func decodePythonValue(dec *json.Decoder) (pyValue, error) {
	tok, err := nextToken(dec)
	if err != nil {
		return pyValue{}, err
	}
	switch t := tok.(type) {
	case nil:
		return pyValue{kind: pyNone}, nil
	case bool:
		return pyValue{kind: pyBool, truth: t}, nil
	case string:
		return pyValue{kind: pyStr, text: t}, nil
	case json.Number:
		text, err := pyNumberRepr(string(t))
		return pyValue{kind: pyNumber, text: text}, err
	case json.Delim:
		if t == '[' {
			return decodePythonList(dec)
		}
		return decodePythonDict(dec)
	}
	return pyValue{}, fmt.Errorf("python json: unexpected token %v", tok)
}

func decodePythonList(dec *json.Decoder) (pyValue, error) {
	list := pyValue{kind: pyList}
	for dec.More() {
		item, err := decodePythonValue(dec)
		if err != nil {
			return pyValue{}, err
		}
		list.items = append(list.items, item)
	}
	_, err := nextToken(dec) // the closing ']'
	return list, err
}

func decodePythonDict(dec *json.Decoder) (pyValue, error) {
	dict := pyValue{kind: pyDict}
	index := map[string]int{}
	for dec.More() {
		tok, err := nextToken(dec)
		if err != nil {
			return pyValue{}, err
		}
		key, ok := tok.(string)
		if !ok {
			return pyValue{}, fmt.Errorf("python json: object key %v is not a string", tok)
		}
		item, err := decodePythonValue(dec)
		if err != nil {
			return pyValue{}, err
		}
		// A repeated key keeps its first position but takes the last value, as in a Python dict.
		if i, seen := index[key]; seen {
			dict.items[i] = item
			continue
		}
		index[key] = len(dict.keys)
		dict.keys = append(dict.keys, key)
		dict.items = append(dict.items, item)
	}
	_, err := nextToken(dec) // the closing '}'
	return dict, err
}

// nextToken reads a token that must exist: running out of input is an error.
func nextToken(dec *json.Decoder) (json.Token, error) {
	tok, err := dec.Token()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, fmt.Errorf("python json: %w", err)
	}
	return tok, nil
}

// pyNumberRepr returns Python's repr of a JSON number literal: json.loads makes a literal
// without '.', 'e' or 'E' an int and anything else a float.
func pyNumberRepr(literal string) (string, error) {
	if strings.ContainsAny(literal, ".eE") {
		f, err := strconv.ParseFloat(literal, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return "", fmt.Errorf("python json: number %s: %w", literal, err)
		}
		// Out-of-range literals such as 1e999 become ±inf (or 0.0), as float() makes them.
		return pyFloatRepr(f), nil
	}
	if literal == "-0" {
		return "0", nil
	}
	if len(strings.TrimPrefix(literal, "-")) > pyMaxIntDigits {
		return "", fmt.Errorf("python json: integer has more than %d digits", pyMaxIntDigits)
	}
	return literal, nil
}

// pyFloatRepr is Python's float.__repr__ (see appendPythonFloat), with inf for infinities.
func pyFloatRepr(f float64) string {
	if math.IsInf(f, 0) {
		if f > 0 {
			return "inf"
		}
		return "-inf"
	}
	return string(appendPythonFloat(nil, f))
}

// writeJSON writes v as json.dumps(v, indent=indent) does, or as indent=None when indent is 0.
func (v pyValue) writeJSON(b *strings.Builder, indent, depth int) {
	switch v.kind {
	case pyNone:
		b.WriteString("null")
	case pyBool:
		b.WriteString(strconv.FormatBool(v.truth))
	case pyNumber:
		switch v.text { // json.dumps spells infinite floats the JavaScript way
		case "inf":
			b.WriteString("Infinity")
		case "-inf":
			b.WriteString("-Infinity")
		default:
			b.WriteString(v.text)
		}
	case pyStr:
		writeJSONString(b, v.text)
	case pyList, pyDict:
		open, close := byte('['), byte(']')
		if v.kind == pyDict {
			open, close = '{', '}'
		}
		b.WriteByte(open)
		for i, item := range v.items {
			if i > 0 {
				b.WriteByte(',')
				if indent == 0 {
					b.WriteByte(' ')
				}
			}
			writeJSONNewline(b, indent, depth+1)
			if v.kind == pyDict {
				writeJSONString(b, v.keys[i])
				b.WriteString(": ")
			}
			item.writeJSON(b, indent, depth+1)
		}
		if len(v.items) > 0 {
			writeJSONNewline(b, indent, depth)
		}
		b.WriteByte(close)
	}
}

func writeJSONNewline(b *strings.Builder, indent, depth int) {
	if indent > 0 {
		b.WriteByte('\n')
		b.WriteString(strings.Repeat(" ", indent*depth))
	}
}

// writeJSONString writes s quoted as json.dumps does with ensure_ascii=True: everything
// outside ' '..'~' is escaped, astral characters as a UTF-16 surrogate pair.
func writeJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r >= ' ' && r <= '~':
			b.WriteRune(r)
		case r > 0xffff:
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(b, `\u%04x\u%04x`, hi, lo)
		default:
			fmt.Fprintf(b, `\u%04x`, r)
		}
	}
	b.WriteByte('"')
}

// writeRepr writes v as Python's repr(v) does.
func (v pyValue) writeRepr(b *strings.Builder) {
	switch v.kind {
	case pyNone:
		b.WriteString("None")
	case pyBool:
		if v.truth {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case pyNumber:
		b.WriteString(v.text)
	case pyStr:
		writeReprString(b, v.text)
	case pyList, pyDict:
		open, close := byte('['), byte(']')
		if v.kind == pyDict {
			open, close = '{', '}'
		}
		b.WriteByte(open)
		for i, item := range v.items {
			if i > 0 {
				b.WriteString(", ")
			}
			if v.kind == pyDict {
				writeReprString(b, v.keys[i])
				b.WriteString(": ")
			}
			item.writeRepr(b)
		}
		b.WriteByte(close)
	}
}

// writeReprString writes s as Python's repr(str) does: single quotes unless s holds a single
// quote and no double quote, and non-printable characters escaped.
func writeReprString(b *strings.Builder, s string) {
	quote := '\''
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	b.WriteRune(quote)
	for _, r := range s {
		switch {
		case r == quote || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r >= ' ' && r <= '~' || r > 0x7f && pyIsPrintable(r):
			b.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			fmt.Fprintf(b, `\U%08x`, r)
		}
	}
	b.WriteRune(quote)
}

// pyIsPrintable is Python 3.11's str.isprintable for one character. unicode.IsPrint has the same
// definition (letters, marks, numbers, punctuation, symbols, and ' ' as the only space), but Go's
// tables are Unicode 15.0 and Python 3.11's are 14.0, where the newer characters are unassigned.
func pyIsPrintable(r rune) bool {
	return unicode.IsPrint(r) && !unicode.Is(unicode15Additions, r)
}

// unicode15Additions lists the printable characters Unicode 15.0 added (for example the
// emoji U+1FA77 pink heart), which Python 3.11's repr still escapes.
var unicode15Additions = &unicode.RangeTable{
	R16: []unicode.Range16{
		{Lo: 0x0cf3, Hi: 0x0cf3, Stride: 1},
		{Lo: 0x0ece, Hi: 0x0ece, Stride: 1},
	},
	R32: []unicode.Range32{
		{Lo: 0x10efd, Hi: 0x10eff, Stride: 1},
		{Lo: 0x1123f, Hi: 0x11241, Stride: 1},
		{Lo: 0x11b00, Hi: 0x11b09, Stride: 1},
		{Lo: 0x11f00, Hi: 0x11f10, Stride: 1},
		{Lo: 0x11f12, Hi: 0x11f3a, Stride: 1},
		{Lo: 0x11f3e, Hi: 0x11f59, Stride: 1},
		{Lo: 0x1342f, Hi: 0x1342f, Stride: 1},
		{Lo: 0x13440, Hi: 0x13455, Stride: 1},
		{Lo: 0x1b132, Hi: 0x1b132, Stride: 1},
		{Lo: 0x1b155, Hi: 0x1b155, Stride: 1},
		{Lo: 0x1d2c0, Hi: 0x1d2d3, Stride: 1},
		{Lo: 0x1df25, Hi: 0x1df2a, Stride: 1},
		{Lo: 0x1e030, Hi: 0x1e06d, Stride: 1},
		{Lo: 0x1e08f, Hi: 0x1e08f, Stride: 1},
		{Lo: 0x1e4d0, Hi: 0x1e4f9, Stride: 1},
		{Lo: 0x1f6dc, Hi: 0x1f6dc, Stride: 1},
		{Lo: 0x1f774, Hi: 0x1f776, Stride: 1},
		{Lo: 0x1f77b, Hi: 0x1f77f, Stride: 1},
		{Lo: 0x1f7d9, Hi: 0x1f7d9, Stride: 1},
		{Lo: 0x1fa75, Hi: 0x1fa77, Stride: 1},
		{Lo: 0x1fa87, Hi: 0x1fa88, Stride: 1},
		{Lo: 0x1faad, Hi: 0x1faaf, Stride: 1},
		{Lo: 0x1fabb, Hi: 0x1fabd, Stride: 1},
		{Lo: 0x1fabf, Hi: 0x1fabf, Stride: 1},
		{Lo: 0x1face, Hi: 0x1facf, Stride: 1},
		{Lo: 0x1fada, Hi: 0x1fadb, Stride: 1},
		{Lo: 0x1fae8, Hi: 0x1fae8, Stride: 1},
		{Lo: 0x1faf7, Hi: 0x1faf8, Stride: 1},
		{Lo: 0x2b739, Hi: 0x2b739, Stride: 1},
		{Lo: 0x31350, Hi: 0x323af, Stride: 1},
	},
}

package models

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"time"
)

// object is a decoded JSON object whose values stay undecoded until asked for,
// so a value of an unexpected type fails only what reads it.
type object map[string]json.RawMessage

var errNotObject = errors.New("not a JSON object")
var errNotArray = errors.New("not a JSON array")

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
	k := jsonKind(raw)
	return k == 0 || (k == 'n' && bytes.Equal(bytes.TrimSpace(raw), []byte("null")))
}

// decodeObject decodes raw as an object; absent gives (nil, nil).
func decodeObject(raw []byte) (object, error) {
	if isAbsent(raw) {
		return nil, nil
	}
	if jsonKind(raw) != '{' {
		if !json.Valid(raw) {
			return nil, errors.New("not valid JSON")
		}
		return nil, errNotObject
	}
	var o object
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, err
	}
	return o, nil
}

// decodeArray decodes raw as an array of undecoded elements; absent gives (nil, nil).
func decodeArray(raw []byte) ([]json.RawMessage, error) {
	if isAbsent(raw) {
		return nil, nil
	}
	if jsonKind(raw) != '[' {
		if !json.Valid(raw) {
			return nil, errors.New("not valid JSON")
		}
		return nil, errNotArray
	}
	var a []json.RawMessage
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, err
	}
	return a, nil
}

// raw returns the value at key, nil when absent or null.
func (o object) raw(key string) JSON {
	v := o[key]
	if isAbsent(v) {
		return nil
	}
	return JSON(v)
}

// has reports whether key is present with a non-null value.
func (o object) has(key string) bool { return !isAbsent(o[key]) }

// str returns the string at key; nil when absent or not a string.
func (o object) str(key string) *string {
	v := o[key]
	if jsonKind(v) != '"' {
		return nil
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return nil
	}
	return &s
}

// text returns the string at key, "" when absent or not a string.
func (o object) text(key string) string {
	if s := o.str(key); s != nil {
		return *s
	}
	return ""
}

// float returns the number at key; nil when absent or not a number.
func (o object) float(key string) *float64 {
	v := o[key]
	k := jsonKind(v)
	if k != '-' && (k < '0' || k > '9') {
		return nil
	}
	var f float64
	if json.Unmarshal(v, &f) != nil {
		return nil
	}
	return &f
}

// int returns the number at key as an int (fractions truncated); nil when absent or not a number.
func (o object) int(key string) *int {
	f := o.float(key)
	if f == nil || math.IsInf(*f, 0) || math.Abs(*f) > math.MaxInt64/2 {
		return nil
	}
	i := int(*f)
	return &i
}

// bool returns the boolean at key; nil when absent or not a boolean.
func (o object) bool(key string) *bool {
	switch string(bytes.TrimSpace(o[key])) {
	case "true":
		t := true
		return &t
	case "false":
		f := false
		return &f
	}
	return nil
}

// epoch returns the epoch-seconds timestamp at key as a time; nil when absent or not a number.
func (o object) epoch(key string) *time.Time {
	f := o.float(key)
	if f == nil || math.IsInf(*f, 0) || math.Abs(*f) > 1e13 {
		return nil
	}
	t := fromEpoch(int64(*f))
	return &t
}

// object returns the object at key; nil when absent or not an object.
func (o object) object(key string) object {
	sub, err := decodeObject(o[key])
	if err != nil {
		return nil
	}
	return sub
}

// array returns the elements of the array at key; an error when present but not an array.
func (o object) array(key string) ([]json.RawMessage, error) {
	return decodeArray(o[key])
}

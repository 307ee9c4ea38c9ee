package dataset

import (
	"bytes"
	"encoding/json"
)

// field is one key of an object.
type field struct {
	key   string
	value any
}

// object is a JSON object of the application's making (session state,
// metadata, structured outputs, workflow inputs) that keeps its keys in
// insertion order, like a Python dict.
type object []field

// MarshalJSON writes the keys in order.
func (o object) MarshalJSON() ([]byte, error) {
	if o == nil {
		return []byte("null"), nil
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := encodeTo(&buf, f.key); err != nil {
			return nil, err
		}
		buf.WriteByte(':')
		if err := encodeTo(&buf, f.value); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// encodeTo appends the JSON of v without HTML escaping (Python's json.dumps
// does not turn < > & into \u003c escapes either) and without the trailing newline.
func encodeTo(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1)
	return nil
}

// mustJSON encodes a value built by this package. The types are fixed and hold
// no floats that could be NaN, so an error is a bug in the generator itself.
func mustJSON(v any) json.RawMessage {
	var buf bytes.Buffer
	if err := encodeTo(&buf, v); err != nil {
		panic("dataset: encoding generated value: " + err.Error())
	}
	return buf.Bytes()
}

// jsonValue is an application value as models' documents take it: a string
// as it is, an object encoded.
func jsonValue(v any) any {
	if o, ok := v.(object); ok {
		return mustJSON(o)
	}
	return v
}

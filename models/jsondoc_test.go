package models

import "testing"

// TestAbsentKey: the shortcut may only report keys that gjson would not
// find, whatever the spelling of the document.
func TestAbsentKey(t *testing.T) {
	for _, c := range []struct {
		doc, key string
		absent   bool
	}{
		{`{"role": "user", "content": "hi"}`, "tool_calls", true},
		{`{"role": "user", "tool_calls": []}`, "tool_calls", false},
		{`{"role": "user", "content": "say \"tool_calls\""}`, "tool_calls", true}, // escaped quotes: not a key
		{`{"role": "user", "tool\u005fcalls": [1]}`, "tool_calls", false},         // an escaped key
		{`{"role": "caf\u00e9"}`, "tool_calls", false},                            // any \u: gjson decides
		{`{"metrics": {"duration": 1}}`, "metrics.duration", false},               // a path
		{`{}`, "tool_calls", true},
		{`{"content": {"tool_calls": 1}}`, "tool_calls", false}, // a nested key: gjson decides
	} {
		if got := absentKey([]byte(c.doc), c.key); got != c.absent {
			t.Errorf("absentKey(%s, %q) = %v, want %v", c.doc, c.key, got, c.absent)
		}
		if got := (object{b: []byte(c.doc)}).get(c.key) != nil; c.absent && got {
			t.Errorf("get(%q) of %s exists but was reported absent", c.key, c.doc)
		}
	}
	// The escaped key is found, as gjson finds it.
	if got := (object{b: []byte(`{"tool\u005fcalls": [1]}`)}).value("tool_calls"); string(got) != "[1]" {
		t.Errorf("escaped key: value = %s", got)
	}
}

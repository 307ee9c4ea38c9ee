package models

import (
	"encoding/json"
)

// deriveSessionName is Agno's get_session_name for a session without a stored
// name: workflows use the first run's input; agents the first user message of
// any run; teams only the leader's runs (runs without agent_id).
func deriveSessionName(s *SessionCore) string {
	var name string
	var decided bool
	if m := s.row.NameMemo; m != nil && !s.row.loaded().Runs {
		name, decided = m.derive(func() (string, bool) { return nameFromRuns(s) })
	} else {
		name, decided = nameFromRuns(s)
	}
	if decided || s.typ != SessionTypeWorkflow {
		return name
	}
	wd, _ := decodeObject(s.row.WorkflowData) // read whenever a name is
	if name := wd.text("name"); name != "" {
		return "New " + name + " Session"
	}
	return ""
}

// nameFromRuns is the part of deriveSessionName its runs decide, and whether
// they did: a workflow session's name falls back to its workflow's name
// when they do not.
func nameFromRuns(s *SessionCore) (string, bool) {
	runs := s.runsForName()
	if len(runs) == 0 { // no fallback then, as in Agno
		return "", true
	}
	if s.typ == SessionTypeWorkflow {
		var input json.RawMessage
		if first := runs[0]; first.index == 0 {
			input = first.doc.value("input")
		}
		switch jsonKind(input) {
		case '"':
			text, _ := messageText(input)
			return text, true
		case '{':
			if out, err := PythonJSONDumps(input, 0); err == nil {
				return out, true
			}
		}
		return "", false
	}
	for _, r := range runs {
		if s.typ == SessionTypeTeam && r.doc.text("agent_id") != "" {
			continue
		}
		msgs, _ := r.messages()
		for _, m := range msgs {
			if m.Role() != "user" {
				continue
			}
			if text, ok := messageText(m.doc.value("content")); ok && text != "" {
				return text, true
			}
		}
		if r.doc.has("input") {
			return stringifyInputContent(r.doc.value("input")), true
		}
	}
	return "", true
}

// deriveRunInput is Agno's get_run_input: the stored input content as text,
// else (workflows) the first step's last user message, else the run's last
// user message, else "".
func deriveRunInput(r *RunCore) string {
	workflow := r.TypeName() == "WorkflowRun"
	if !workflow {
		if in := r.doc.object("input"); in.has("input_content") {
			return stringifyInputContent(in.value("input_content"))
		}
	} else {
		if r.doc.has("input") {
			return stringifyInputContent(r.doc.value("input"))
		}
		if steps, _ := r.nested("step_executor_runs"); len(steps) > 0 {
			if text, ok := lastUserMessage(steps[0]); ok {
				return text
			}
		}
	}
	if text, ok := lastUserMessage(r); ok {
		return text
	}
	return ""
}

func lastUserMessage(r *RunCore) (string, bool) {
	msgs, _ := r.messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role() == "user" {
			text, _ := messageText(msgs[i].doc.value("content"))
			return text, true
		}
	}
	return "", false
}

// stringifyInputContent is Agno's stringify_input_content: strings as is,
// objects as json.dumps(indent=2), a list of message dicts as the first one's
// content, anything else as Python's str().
func stringifyInputContent(raw json.RawMessage) string {
	switch jsonKind(raw) {
	case '"':
		s, _ := decodeString(raw)
		return s
	case '{':
		if out, err := PythonJSONDumps(raw, 2); err == nil {
			return out
		}
	case '[':
		elems, _ := nestedArray(raw)
		if len(elems) > 0 {
			if first, _ := nestedObject(elems[0]); !first.absent() && first.text("role") == "user" {
				if content := first.value("content"); content != nil {
					text, _ := messageText(content)
					return text
				}
			}
		}
	}
	out, _ := PythonRepr(raw)
	return out
}

// messageText returns a message content as text: a string as is, the text
// parts of a multimodal array joined (Agno would fail on these), other values
// as JSON. ok is false when the content is absent or null.
func messageText(raw json.RawMessage) (text string, ok bool) {
	switch jsonKind(raw) {
	case 0, 'n':
		return "", false
	case '"':
		_ = json.Unmarshal(raw, &text)
		return text, true
	case '[':
		parts, _ := nestedArray(raw)
		for _, p := range parts {
			if o, _ := nestedObject(p); !o.absent() && o.text("type") == "text" {
				text += o.text("text")
			}
		}
		return text, true
	}
	if s := textOrJSON(raw); s != nil {
		return *s, true
	}
	return "", false
}

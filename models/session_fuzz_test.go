package models_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

// FuzzSession builds a session from arbitrary column bytes and reads every
// field of it and of its runs (ids, messages, tools, events, steps, member and
// step runs, derived name and input, chat history, run connections). It
// checks that nothing panics; that every error is DATA_CORRUPT (all columns
// were read, so nothing else is right); that each JSON column fails exactly
// when it is not valid JSON of its shape, double-encoded text included; that
// every JSON value handed out is valid; that ids parse back; that a stored
// name wins over a derived one; that paging visits every run once; and that
// a row read from PostgreSQL (valid by construction, so not validated) or
// with only the runs name derivation needs reads the same.
func FuzzSession(f *testing.F) {
	for _, row := range agnotest.LoadRows(f, "sessions.json") {
		component := row.AgentData
		if component == nil {
			component = row.TeamData
		}
		f.Add(row.SessionType, []byte(row.SessionData), []byte(component), []byte(row.WorkflowData), []byte(row.Metadata), []byte(row.Summary), []byte(row.Runs))
		if row.SessionID == "s-100" || row.SessionID == "s-200" || row.SessionID == "s-300" {
			// What the Store would hand over if it did not undo SQLite's double encoding.
			f.Add(row.SessionType, sqliteText(f, row.SessionData), sqliteText(f, component), sqliteText(f, row.WorkflowData),
				sqliteText(f, row.Metadata), sqliteText(f, row.Summary), sqliteText(f, row.Runs))
		}
	}
	long := strings.Repeat("All work and no play. ", 5000)
	for _, seed := range []struct {
		sessionType                                    string
		data, component, workflow, meta, summary, runs string
	}{
		{"agent", `null`, `null`, `null`, `null`, `null`, `null`},
		{"", "", "", "", "", "", ""},
		{"\x00", "\x00", "\x00{}", "{}\x00", "{\x00}", `"\u0000"`, "[\x00]"},
		{"team", `{"session_name": null}`, `{"model": "gpt"}`, `{"steps": {}}`, `[]`, `{"summary": 7}`, `{"run_id": "not an array"}`},
		{"workflow", `{"session_name": 42}`, `[]`, `{"steps": [null, 1, {"name": "s"}]}`, `"meta"`, `{"summary": "s", "topics": "t", "updated_at": "yesterday"}`,
			`[{"input": {"b": [1, 2.50, 1e400]}, "workflow_id": "w", "step_executor_runs": [{"messages": [{"role": "user", "content": "step"}]}, "bad"]}]`},
		{"legacy", `{}`, `{}`, `{}`, `{}`, `{}`, `[{"run_id": "r", "messages": [{"role": "user", "content": "` + long + `"}]}]`},
		{"agent", `{}`, `{}`, `{}`, `{}`, `{}`,
			`[{"run_id": "a", "parent_run_id": "a", "status": "DONE", "created_at": 1e300, "member_responses": [{"run_id": "a"}, 5], "tools": [1, {"tool_args": null, "result": {"x": [1]}, "metrics": {"duration": "1"}}], "events": {}, "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}], "from_history": true}, {"role": "system"}, "m"]}, {"run_id": "a"}, [], null, "r"]`},
		{"team", `{}`, `{}`, `{}`, `{}`, `{}`,
			`[{"run_id": "t1", "team_id": "t", "input": {"input_content": [{"role": "user", "content": "hi"}]}}, {"run_id": "m1", "agent_id": "a", "parent_run_id": "t1", "messages": [{"role": "user", "content": "member"}]}]`},
		{"agent", `{"session_metrics": {"total_tokens": 1e30, "cost": "free"}}`, `{}`, `{}`, `{}`, `{}`,
			`[{"run_id": "r", "input": {"input_content": {"z": "\u00e9", "a": [true, null]}}, "metrics": {"input_tokens": -9223372036854775808}}]`},
		{"agent", `{"session_name": "Caf\u00e9", "session_name": "second"}`, `{}`, `{}`, `{}`, `{}`, `[{"run\u005fid": "escaped"}]`},
		{"agent", `{`, `{"a":}`, `[`, `nul`, `{"summary": "s"} x`, `[{"run_id": "r"},]`},
		{"agent", `"{\"session_name\": \"double\"}"`, `"{}"`, `"{}"`, `"{}"`, `"{\"summary\": \"s\"}"`, `"[{\"run_id\": \"r\"}]"`},
		{"agent", `{}`, `{}`, `{}`, `{}`, `{}`, "eyJydW5faWQiOiAiciJ9"},
		{"agent", `{}`, `{}`, `{}`, `{}`, `{}`, strings.Repeat("[", 12_000) + strings.Repeat("]", 12_000)},
	} {
		f.Add(seed.sessionType, []byte(seed.data), []byte(seed.component), []byte(seed.workflow), []byte(seed.meta), []byte(seed.summary), []byte(seed.runs))
	}
	f.Fuzz(func(t *testing.T, sessionType string, data, component, workflow, meta, summary, runs []byte) {
		row := models.SessionRow{SessionID: "s-1", SessionType: sessionType, SessionData: data, AgentData: component,
			TeamData: component, WorkflowData: workflow, Metadata: meta, Summary: summary, Runs: runs, CreatedAt: 1757346730}
		// encoding/json, the reference, refuses to nest deeper than 10000.
		shallow := true
		for _, col := range [][]byte{data, component, workflow, meta, summary, runs} {
			shallow = shallow && bytes.Count(col, []byte("["))+bytes.Count(col, []byte("{")) < 9000
		}
		r := &sessionReader{t: t, checkJSON: shallow}
		s := models.NewSession("default", row)
		r.session(s)
		if shallow {
			checkColumns(t, s.Core(), row)
		}

		allValid := true
		for _, col := range [][]byte{data, component, workflow, meta, summary, runs} {
			allValid = allValid && (col == nil || json.Valid(col))
		}
		if allValid && shallow {
			pgRow := row
			pgRow.ValidJSON = true
			pg := &sessionReader{t: t, checkJSON: true}
			pg.session(models.NewSession("default", pgRow))
			if pg.out.String() != r.out.String() {
				t.Errorf("the row read as jsonb reads differently:\n%s", diffLines(r.out.String(), pg.out.String()))
			}
		}

		// SQLite hands over the whole runs column as NameRuns when no name is stored.
		nameRow := row
		nameRow.Loaded = &models.SessionColumns{SessionData: true, WorkflowData: true, NameRuns: true}
		nameRow.NameRuns = runs
		named := models.NewSession("default", nameRow).Core()
		if named.Name() != s.Core().Name() || named.NameIsDerived() != s.Core().NameIsDerived() {
			t.Errorf("name from NameRuns = %s, from runs = %s", abbrev(named.Name()), abbrev(s.Core().Name()))
		}
	})
}

// sqliteText is a document as Agno's SQLite backend up to 2.9 stores it: a
// JSON string whose content is the document (json.dumps twice).
func sqliteText(tb testing.TB, doc json.RawMessage) []byte {
	if doc == nil {
		return nil
	}
	inner, err := models.PythonJSONDumps(doc, 0)
	if err != nil {
		tb.Fatal(err)
	}
	outer, _ := json.Marshal(inner)
	return outer
}

// sessionReader reads every field of a session, checks what holds for each
// field alone, and writes what it read to out.
type sessionReader struct {
	t         *testing.T
	checkJSON bool
	out       strings.Builder
}

func (r *sessionReader) printf(format string, args ...any) { fmt.Fprintf(&r.out, format+"\n", args...) }

// value records a field's value, as JSON for the typed structs.
func (r *sessionReader) value(field string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(err.Error()) // a time beyond year 9999
	}
	r.printf("%s = %s", field, b)
}

// err records a field's error, which bad data must report as DATA_CORRUPT.
func (r *sessionReader) err(field string, err error) {
	if err == nil {
		return
	}
	if code := models.ErrorCode(err); code != models.DataCorrupt {
		r.t.Errorf("%s failed with code %s: %v", field, code, err)
	}
	r.printf("%s: error %s", field, models.ErrorCode(err))
}

// json records a JSON value handed to clients, which must be valid JSON.
func (r *sessionReader) json(field string, j models.JSON) {
	if j != nil && r.checkJSON && !json.Valid(j) {
		r.t.Errorf("%s is not valid JSON: %s", field, abbrev([]byte(j)))
	}
	r.printf("%s = %s", field, abbrev([]byte(j)))
}

func (r *sessionReader) session(s models.Session) {
	c := s.Core()
	id, err := models.ParseGlobalID(c.ID())
	wantType := map[models.SessionType]string{models.SessionTypeAgent: "AgentSession", models.SessionTypeTeam: "TeamSession", models.SessionTypeWorkflow: "WorkflowSession"}[c.Type()]
	if err != nil || id.TypeName != wantType || id.SessionID != c.SessionID() || id.DBID != c.DBID() || sessionTypeName(s) != wantType {
		r.t.Errorf("session %T of type %s has id %+v, %v", s, c.Type(), id, err)
	}
	data, err := c.Data()
	r.json("data", data)
	r.err("data", err)
	state, err := c.State()
	r.json("state", state)
	r.err("state", err)
	metrics, err := c.Metrics()
	r.value("metrics", metrics)
	if metrics != nil {
		r.json("metrics.raw", metrics.Raw)
	}
	r.err("metrics", err)
	tokens, err := c.TotalTokens()
	r.value("totalTokens", tokens)
	r.err("totalTokens", err)
	meta, err := c.Metadata()
	r.json("metadata", meta)
	r.err("metadata", err)
	for _, component := range []struct {
		field string
		read  func() (*models.ComponentInfo, error)
	}{{"agent", c.Agent}, {"team", c.Team}} {
		field := component.field
		info, err := component.read()
		r.value(field, info)
		if info != nil {
			r.json(field+".raw", info.Raw)
		}
		r.err(field, err)
	}
	wf, err := c.Workflow()
	r.value("workflow", wf)
	if wf != nil {
		r.json("workflow.raw", wf.Raw)
	}
	r.err("workflow", err)
	sum, err := c.Summary()
	r.value("summary", sum)
	r.err("summary", err)

	stored := c.StoredName()
	r.value("name", []any{c.Name(), c.NameIsDerived(), stored})
	if stored != nil && (c.Name() != *stored || c.NameIsDerived()) {
		r.t.Errorf("stored name %s, but Name() = %s (derived %v)", abbrev(*stored), abbrev(c.Name()), c.NameIsDerived())
	}
	if stored == nil && !c.NameIsDerived() {
		r.t.Errorf("no stored name, but the name %s is not derived", abbrev(c.Name()))
	}

	runs, err := c.Runs()
	r.err("runs", err)
	for i, run := range runs {
		r.run(fmt.Sprintf("runs[%d]", i), run, 0)
		if id := run.Core().RunID(); id != "" {
			if found := c.FindRun(id); found == nil || found.Core().RunID() != id {
				r.t.Errorf("FindRun(%s) = %v", abbrev(id), found)
			}
		}
	}
	history, err := c.ChatHistory()
	r.err("chatHistory", err)
	for i, m := range history {
		if m.FromHistory() || m.Role() == "system" || m.Role() == "tool" {
			r.t.Errorf("chatHistory[%d] is a %s message (from history %v)", i, m.Role(), m.FromHistory())
		}
		r.message(fmt.Sprintf("chatHistory[%d]", i), m)
	}
	r.pages(c, runs)
}

// pages pages through the runs two at a time, all of them and the top-level ones.
func (r *sessionReader) pages(c *models.SessionCore, runs []models.Run) {
	two, yes := 2, true
	for _, filter := range []*models.RunFilter{nil, {TopLevel: &yes}} {
		var want []int
		for _, run := range runs {
			if filter == nil || run.Core().ParentRunID() == nil || *run.Core().ParentRunID() == "" {
				want = append(want, run.Core().Index())
			}
		}
		var got []int
		var after *string
		for range len(runs) + 1 {
			conn, err := c.RunConnection(models.PageArgs{First: &two, After: after}, filter)
			r.err("runConnection", err)
			if conn == nil {
				r.t.Fatalf("runConnection after %s: %v", abbrev(after), err)
			}
			if total, _ := conn.TotalCount(context.Background()); total != len(want) {
				r.t.Errorf("runConnection(filter %+v) totalCount = %d, want %d", filter, total, len(want))
			}
			for i, n := range conn.Nodes {
				if conn.Edges[i].Node != n {
					r.t.Errorf("edge %d and node %d differ", i, i)
				}
				got = append(got, n.Core().Index())
			}
			if !conn.PageInfo.HasNextPage {
				break
			}
			after = conn.PageInfo.EndCursor()
		}
		if !slices.Equal(got, want) {
			r.t.Errorf("paging runs (filter %+v) visited %v, want %v", filter, got, want)
		}
	}
}

// maxRunDepth bounds the walk through member and step runs: a run may name
// itself as its parent.
const maxRunDepth = 3

func (r *sessionReader) run(field string, run models.Run, depth int) {
	c := run.Core()
	id, err := models.ParseGlobalID(c.ID())
	if err != nil || id.TypeName != c.TypeName() || id.RunID != c.RunID() || id.SessionID != c.SessionID() || runTypeName(run) != c.TypeName() {
		r.t.Errorf("%s: run %T of type %s has id %+v, %v", field, run, c.TypeName(), id, err)
	}
	r.value(field, []any{c.TypeName(), c.Index(), c.RunID(), c.ParentRunID(), c.UserID(), c.ContentType(), c.Model(), c.ModelProvider(),
		c.CreatedAt(), c.AgentID(), c.AgentName(), c.TeamID(), c.TeamName(), c.WorkflowID(), c.WorkflowName(), c.Metrics()})
	if m := c.Metrics(); m != nil {
		r.json(field+".metrics.raw", m.Raw)
	}
	status, err := c.Status()
	r.err(field+".status", err)
	if status != nil && !status.IsValid() {
		r.t.Errorf("%s.status = %s", field, *status)
	}
	r.value(field+".status", status)
	if c.Input() == nil {
		r.t.Errorf("%s.input is nil", field)
	}
	r.value(field+".input", c.Input())
	r.json(field+".inputRaw", c.InputRaw())
	r.json(field+".content", c.Content())
	r.json(field+".raw", c.Raw())

	all, err := c.Messages(nil, nil)
	r.err(field+".messages", err)
	for i, m := range all {
		r.message(fmt.Sprintf("%s.messages[%d]", field, i), m)
	}
	no := false
	users, _ := c.Messages([]string{"user"}, &no)
	for _, m := range users {
		if m.Role() != "user" || m.FromHistory() || !slices.Contains(all, m) {
			r.t.Errorf("%s.messages(user, no history) has a %s message (from history %v)", field, m.Role(), m.FromHistory())
		}
	}

	tools, err := c.Tools()
	r.err(field+".tools", err)
	for i, tool := range tools {
		r.value(fmt.Sprintf("%s.tools[%d]", field, i), []any{tool.ToolCallID(), tool.ToolName(), tool.Result(),
			tool.Error(), tool.ChildRunID(), tool.DurationSeconds(), tool.CreatedAt()})
		r.json(fmt.Sprintf("%s.tools[%d].args", field, i), tool.ToolArgs())
	}
	events, err := c.Events()
	r.err(field+".events", err)
	for i, e := range events {
		r.json(fmt.Sprintf("%s.events[%d]", field, i), e)
	}
	steps, err := c.Steps()
	r.err(field+".steps", err)
	for i, step := range steps {
		r.value(fmt.Sprintf("%s.steps[%d]", field, i), step)
		r.json(fmt.Sprintf("%s.steps[%d].content", field, i), step.Content)
	}
	if depth == maxRunDepth {
		return
	}
	for _, nested := range []struct {
		name string
		read func() ([]models.Run, error)
	}{{"memberRuns", c.MemberRuns}, {"stepRuns", c.StepRuns}} {
		name := nested.name
		nested, err := nested.read()
		r.err(field+"."+name, err)
		for i, n := range nested {
			r.run(fmt.Sprintf("%s.%s[%d]", field, name, i), n, depth+1)
		}
	}
}

func (r *sessionReader) message(field string, m *models.Message) {
	r.value(field, []any{m.ID(), m.Role(), m.Name(), m.ToolCallID(), m.ToolName(), m.FromHistory(), m.Metrics(), m.CreatedAt(), m.ToolCalls()})
	r.json(field+".content", m.Content())
	r.json(field+".toolArgs", m.ToolArgs())
	r.json(field+".raw", m.Raw())
	if mm := m.Metrics(); mm != nil {
		r.json(field+".metrics.raw", mm.Raw)
	}
}

func sessionTypeName(s models.Session) string {
	switch s.(type) {
	case *models.AgentSession:
		return "AgentSession"
	case *models.TeamSession:
		return "TeamSession"
	case *models.WorkflowSession:
		return "WorkflowSession"
	}
	return fmt.Sprintf("%T", s)
}

func runTypeName(r models.Run) string {
	switch r.(type) {
	case *models.AgentRun:
		return "AgentRun"
	case *models.TeamRun:
		return "TeamRun"
	case *models.WorkflowRun:
		return "WorkflowRun"
	}
	return fmt.Sprintf("%T", r)
}

// columnShape is how encoding/json sees a stored column: absent (SQL NULL or
// JSON null), invalid, or the first byte of a valid value.
func columnShape(raw []byte) byte {
	trimmed := bytes.Trim(raw, " \t\r\n")
	switch {
	case len(trimmed) == 0 || string(trimmed) == "null":
		return 0
	case !json.Valid(raw):
		return '!'
	}
	return trimmed[0]
}

// checkColumns checks that each column's fields fail with DATA_CORRUPT
// exactly when the column is present but not valid JSON of its shape.
func checkColumns(t *testing.T, c *models.SessionCore, row models.SessionRow) {
	t.Helper()
	objectColumn := func(name string, raw []byte, err error) {
		shape := columnShape(raw)
		if ok := shape == 0 || shape == '{'; ok != (err == nil) || (err != nil && models.ErrorCode(err) != models.DataCorrupt) {
			t.Errorf("%s %s: error %v", name, abbrev(raw), err)
		}
	}
	_, err := c.Data()
	objectColumn("session_data", row.SessionData, err)
	_, err = c.Metadata()
	objectColumn("metadata", row.Metadata, err)
	_, err = c.Agent()
	objectColumn("agent_data", row.AgentData, err)
	_, err = c.Team()
	objectColumn("team_data", row.TeamData, err)
	_, err = c.Workflow()
	objectColumn("workflow_data", row.WorkflowData, err)

	sum, err := c.Summary()
	var doc struct{ Summary any }
	wantSummary := columnShape(row.Summary) == '{' && json.Unmarshal(row.Summary, &doc) == nil
	if _, isString := doc.Summary.(string); wantSummary && !isString {
		wantSummary = false
	}
	switch {
	case columnShape(row.Summary) == 0:
		if sum != nil || err != nil {
			t.Errorf("summary of absent %s = %+v, %v", abbrev(row.Summary), sum, err)
		}
	case wantSummary != (err == nil) || (err != nil && models.ErrorCode(err) != models.DataCorrupt):
		t.Errorf("summary %s: error %v", abbrev(row.Summary), err)
	}

	runs, err := c.Runs()
	switch shape := columnShape(row.Runs); shape {
	case 0:
		if len(runs) != 0 || err != nil {
			t.Errorf("runs of absent %s = %d runs, %v", abbrev(row.Runs), len(runs), err)
		}
	case '[':
		var elems []json.RawMessage
		_ = json.Unmarshal(row.Runs, &elems)
		objects := 0
		for _, e := range elems {
			if e[0] == '{' {
				objects++
			}
		}
		if len(runs) != objects || (err == nil) != (objects == len(elems)) {
			t.Errorf("runs %s = %d runs, %v; want %d of %d elements", abbrev(row.Runs), len(runs), err, objects, len(elems))
		}
	default:
		if len(runs) != 0 || models.ErrorCode(err) != models.DataCorrupt {
			t.Errorf("runs %s = %d runs, %v", abbrev(row.Runs), len(runs), err)
		}
	}
}

// diffLines returns the first lines where two readings differ.
func diffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n  %s\n  %s", i, abbrev(al[i]), abbrev(bl[i]))
		}
	}
	return fmt.Sprintf("%d lines vs %d lines", len(al), len(bl))
}

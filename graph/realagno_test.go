package graph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
)

// TestRealAgnoAnswersAsAgentOS asks the GraphQL API, through the real HTTP
// handler, every question that AgentOS's session REST router was asked over
// the same database (testdata/realagno: real Agno 2.9 and 3.0 wrote the
// databases, and each truth-* folder holds AgentOS's answers over that very
// file or PostgreSQL database), and compares the answers field by field. A
// failure lists every difference as path, REST value, GraphQL value.
//
// Compared, wherever AgentOS's answer has the key:
//   - listings (GET /sessions, per type, per type and user): the session ids
//     in order (REST's default: created_at desc), total_count, and each
//     session's fields as below;
//   - a session (GET /sessions/{id} with and without type): session_id,
//     agent_session_id, session_name, session_type, user_id, the component id
//     (agent_id / team_id / workflow_id, also as componentId), session_state,
//     session_data, metadata, metrics (and its token counters), total_tokens,
//     agent_data / team_data / workflow_data, session_summary, chat_history,
//     created_at, updated_at;
//   - runs (GET /sessions/{id}/runs, and each GET .../runs/{run_id}): run ids
//     in order, run_id, parent_run_id, agent_id, team_id, workflow_id,
//     user_id, status, run_input, content, run_response_format, content_type,
//     metrics (and token counters), messages, tools, events, created_at,
//     step_results, step_executor_runs, and a team run's member runs (the
//     runs whose parent_run_id it is) against TeamRun.memberRuns;
//   - messages (also in chat_history): id, role, content, name, tool_call_id,
//     tool_name, tool_args, from_history, created_at, tool_calls, metrics;
//   - tools: tool_call_id, tool_name, tool_args, result, tool_call_error,
//     child_run_id, created_at;
//   - step_results: step_name, step_id, step_type, executor_type,
//     executor_name, content, success, error, metrics;
//   - step_executor_runs (stored run objects): run_id, agent_id, agent_name,
//     team_id, team_name, workflow_id, session_id, parent_run_id, user_id,
//     content, content_type, model, model_provider, created_at, status,
//     metrics, messages, tools, input, events.
//
// Skipped, having no GraphQL field of their own (they are in Run.raw or
// Message.raw at most): a run's reasoning_content, reasoning_steps,
// reasoning_messages, references, citations, session_state, images, videos,
// audio, files, response_audio, input_media, followups, forked_from_run_id,
// forked_from_message_index, forked_from_session_id, regenerated_from,
// last_checkpoint_at_message_index, step_requirements, pause_kind,
// paused_step_name, paused_step_index; a step executor run's session_state,
// workflow_step_id, metadata; a message's stop_after_tool_call and
// tool_call_error; a tool's metrics, stop_after_tool_call,
// requires_confirmation, confirmed, confirmation_note, requires_user_input,
// user_input_schema, user_feedback_schema, answered,
// external_execution_required, external_execution_silent, approval_type,
// approval_id; a step result's step_run_id, images, videos, audio, files,
// stop, is_paused; a session's workflow_name (always null in Agno);
// session_summary.updated_at (an isoformat string there, a DateTime here);
// a listing's meta other than total_count. Timings (duration,
// time_to_first_token, at any depth of a metrics object) differ between
// runs of the model and are left out of every comparison.
func TestRealAgnoAnswersAsAgentOS(t *testing.T) {
	for _, fixture := range agnotest.RealAgnoFixtures {
		t.Run(fixture, func(t *testing.T) {
			t.Run("sqlite", func(t *testing.T) {
				compareWithAgentOS(t, agnotest.OpenRealAgnoSQLite(t, fixture), agnotest.RealAgnoPath(fixture, "truth-sqlite"))
			})
			t.Run("postgres", func(t *testing.T) {
				compareWithAgentOS(t, agnotest.OpenRealAgnoPostgres(t, fixture), agnotest.RealAgnoPath(fixture, "truth-pg"))
			})
		})
	}
}

// restAnswer is one recorded AgentOS answer (rest_truth.py's file format).
type restAnswer struct {
	Request string `json:"request"`
	Status  int    `json:"status"`
	Body    any    `json:"body"`
}

// restIndex is a truth folder's index.json: what was asked, in order.
type restIndex struct {
	AgnoVersion string `json:"agno_version"`
	Requests    []struct {
		File    string `json:"file"`
		Request string `json:"request"`
		Status  int    `json:"status"`
	} `json:"requests"`
}

// compareWithAgentOS asks the GraphQL equivalent of every request in the
// truth folder dir and reports every difference at once.
func compareWithAgentOS(t *testing.T, store *db.Store, dir string) {
	var index restIndex
	readJSONFile(t, filepath.Join(dir, "index.json"), &index)
	c := agentOSComparison{t: t, h: newHandler(store)}
	for _, req := range index.Requests {
		var answer restAnswer
		readJSONFile(t, filepath.Join(dir, req.File), &answer)
		if answer.Status != http.StatusOK {
			t.Fatalf("%s: AgentOS answered %d; the comparison expects every request answered", req.File, answer.Status)
		}
		c.request(req.File, answer)
	}
	if len(c.diffs) > 0 {
		var b strings.Builder
		for _, d := range c.diffs {
			fmt.Fprintf(&b, "\n%s\n\tREST:    %s\n\tGraphQL: %s", d.path, shortJSON(d.rest), shortJSON(d.gql))
		}
		t.Errorf("%d differences from AgentOS (Agno %s, %s):%s", len(c.diffs), index.AgnoVersion, dir, b.String())
	}
}

func readJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// absent marks a value that one side does not have at all.
type absent struct{}

func (absent) MarshalJSON() ([]byte, error) { return []byte(`"(absent)"`), nil }

// difference is one field whose REST and GraphQL values differ.
type difference struct {
	path      string
	rest, gql any
}

func shortJSON(v any) string {
	b, _ := json.Marshal(v)
	if s := string(b); len(s) <= 400 {
		return s
	}
	return string(b[:400]) + "…"
}

// agentOSComparison collects the differences of one database.
type agentOSComparison struct {
	t     *testing.T
	h     http.Handler
	diffs []difference
}

func (c *agentOSComparison) differ(path string, rest, gql any) {
	c.diffs = append(c.diffs, difference{path, rest, gql})
}

// request compares one AgentOS answer with the GraphQL answer to the same question.
func (c *agentOSComparison) request(file string, answer restAnswer) {
	u, err := url.Parse(answer.Request)
	if err != nil {
		c.t.Fatalf("%s: %v", file, err)
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	q := u.Query()
	typ := strings.ToUpper(q.Get("type"))
	switch {
	case len(parts) == 1 && parts[0] == "sessions":
		c.listing(file, q, answer.Body)
	case len(parts) == 2:
		c.session(file, parts[1], typ, answer.Body)
	case len(parts) == 3 && parts[2] == "runs":
		c.runs(file, parts[1], typ, answer.Body)
	case len(parts) == 4 && parts[2] == "runs":
		c.run(file, parts[1], parts[3], answer.Body)
	default:
		c.t.Fatalf("%s: no GraphQL equivalent known for %s", file, answer.Request)
	}
}

// ask runs a GraphQL query; errors become differences (AgentOS answered 200).
func (c *agentOSComparison) ask(file, doc string, vars map[string]any) map[string]any {
	resp := query(c.t, c.h, doc, vars)
	if len(resp.Errors) > 0 {
		msgs := make([]string, len(resp.Errors))
		for i, e := range resp.Errors {
			msgs[i] = pathText(e.Path) + ": " + e.Message
		}
		c.differ(file+" (GraphQL errors)", nil, msgs)
	}
	var data map[string]any
	if len(resp.Data) > 0 {
		if err := json.Unmarshal(resp.Data, &data); err != nil {
			c.t.Fatalf("%s: data %s: %v", file, resp.Data, err)
		}
	}
	return data
}

// The GraphQL selections that answer AgentOS's session and run schemas.
const (
	restSessionFields = `fragment SessionFields on Session {
		__typename sessionId type name userId componentId state data metadata totalTokens createdAt updatedAt
		metrics { inputTokens outputTokens totalTokens raw }
		... on AgentSession { agentId agent { raw } summary { summary topics } }
		... on TeamSession { teamId team { raw } summary { summary topics } }
		... on WorkflowSession { workflowId workflow { raw } } }`
	restMessageFields = `fragment MessageFields on Message {
		id role content name toolCallId toolName toolArgs fromHistory createdAt
		toolCalls { id type name arguments } metrics { raw } }`
	// RunFields cannot select stepRuns with itself (fragments may not
	// recurse), so step runs get StepRunFields.
	restStepRunFields = `fragment StepRunFields on Run {
		__typename runId sessionId parentRunId userId status input inputRaw content contentType model modelProvider createdAt events
		metrics { inputTokens outputTokens totalTokens raw }
		messages { ...MessageFields }
		tools { toolCallId toolName toolArgs result error childRunId createdAt }
		... on AgentRun { agentId agentName }
		... on TeamRun { teamId teamName memberRuns { runId } }
		... on WorkflowRun { workflowId workflowName } }`
	restRunFields = `fragment RunFields on Run {
		...StepRunFields
		... on WorkflowRun {
			steps { stepName stepId stepType executorType executorName content success error metrics { raw } }
			stepRuns { ...StepRunFields } } }` + restStepRunFields + restMessageFields
)

func (c *agentOSComparison) listing(file string, q url.Values, body any) {
	filter := map[string]any{}
	for key := range q {
		switch key {
		case "type":
			filter["type"] = strings.ToUpper(q.Get(key))
		case "user_id":
			filter["userId"] = q.Get(key)
		case "limit": // every listing asks for all; 24 sessions fit in one page of 100
		default:
			c.t.Fatalf("%s: no GraphQL equivalent known for the parameter %s", file, key)
		}
	}
	data := c.ask(file, `query($filter: SessionFilter) {
		sessions(first: 100, filter: $filter, orderBy: {field: CREATED_AT, direction: DESC}) { totalCount nodes { ...SessionFields } } }`+restSessionFields,
		map[string]any{"filter": filter})
	c.compare(file+".meta.total_count", agnotest.At(body, "meta", "total_count"), agnotest.At(data, "sessions", "totalCount"))
	c.sameByID(file+".data", "session_id", "sessionId", agnotest.List(agnotest.At(body, "data")), agnotest.List(agnotest.At(data, "sessions", "nodes")), restSessionFieldMap)
}

func (c *agentOSComparison) session(file, sessionID, typ string, body any) {
	vars := map[string]any{"id": sessionID}
	args := "sessionId: $id"
	decl := "$id: String!"
	if typ != "" {
		vars["type"] = typ
		args += ", type: $type"
		decl += ", $type: SessionType"
	}
	data := c.ask(file, `query(`+decl+`) { session(`+args+`) { ...SessionFields chatHistory { ...MessageFields } } }`+restSessionFields+restMessageFields, vars)
	c.object(file, body, agnotest.At(data, "session"), restSessionFieldMap)
}

func (c *agentOSComparison) runs(file, sessionID, typ string, body any) {
	rest := agnotest.List(body)
	// One more than AgentOS listed, so that an extra run shows; no more,
	// for the query's complexity.
	data := c.ask(file, `query($id: String!, $type: SessionType, $first: Int) {
		runs(sessionId: $id, type: $type, first: $first) { totalCount nodes { ...RunFields } } }`+restRunFields,
		map[string]any{"id": sessionID, "type": nullWhenEmpty(typ), "first": len(rest) + 1})
	gql := agnotest.List(agnotest.At(data, "runs", "nodes"))
	c.compare(file+".length (totalCount)", float64(len(rest)), agnotest.At(data, "runs", "totalCount"))
	c.sameByID(file, "run_id", "runId", rest, gql, restRunFieldMap)
	// A team run's members are the runs listed with its id as parent_run_id.
	byID := indexByKey(gql, "runId")
	for _, r := range rest {
		id, _ := agnotest.At(r, "run_id").(string)
		g, ok := byID[id]
		if !ok || agnotest.At(g, "__typename") != "TeamRun" {
			continue
		}
		members := []any{}
		for _, m := range rest {
			if agnotest.At(m, "parent_run_id") == id {
				members = append(members, agnotest.At(m, "run_id"))
			}
		}
		var got []any
		for _, m := range agnotest.List(agnotest.At(g, "memberRuns")) {
			got = append(got, agnotest.At(m, "runId"))
		}
		c.compare(fmt.Sprintf("%s[%s].(runs with this parent_run_id) vs memberRuns", file, id), members, orEmptyList(got))
	}
}

func (c *agentOSComparison) run(file, sessionID, runID string, body any) {
	data := c.ask(file, `query($id: String!, $run: String!) { run(sessionId: $id, runId: $run) { ...RunFields } }`+restRunFields,
		map[string]any{"id": sessionID, "run": runID})
	c.object(file, body, agnotest.At(data, "run"), restRunFieldMap)
}

// sameByID compares two lists of objects: first their ids in order, then
// each REST object with the GraphQL object of the same id, so that one
// missing element does not make every later one differ.
func (c *agentOSComparison) sameByID(path, restKey, gqlKey string, rest, gql []any, fields []restField) {
	var restIDs, gqlIDs []any
	for _, r := range rest {
		restIDs = append(restIDs, agnotest.At(r, restKey))
	}
	for _, g := range gql {
		gqlIDs = append(gqlIDs, agnotest.At(g, gqlKey))
	}
	if !reflect.DeepEqual(restIDs, gqlIDs) {
		c.differ(path+" ("+restKey+" in order)", orEmptyList(restIDs), orEmptyList(gqlIDs))
	}
	byID := indexByKey(gql, gqlKey)
	for _, r := range rest {
		id, _ := agnotest.At(r, restKey).(string)
		p := fmt.Sprintf("%s[%s]", path, id)
		g, ok := byID[id]
		if !ok {
			continue // reported with the ids
		}
		c.object(p, r, g, fields)
	}
}

func indexByKey(list []any, key string) map[string]any {
	m := make(map[string]any, len(list))
	for _, v := range list {
		if id, ok := agnotest.At(v, key).(string); ok {
			m[id] = v
		}
	}
	return m
}

// object compares a REST object with a GraphQL object key by key, for each
// key of fields that the REST object has.
func (c *agentOSComparison) object(path string, rest, gql any, fields []restField) {
	r, ok := rest.(map[string]any)
	if !ok {
		c.t.Fatalf("%s: AgentOS's answer is not an object: %s", path, shortJSON(rest))
	}
	g, ok := gql.(map[string]any)
	if !ok {
		c.differ(path, "(an object)", gql)
		return
	}
	for _, f := range fields {
		if v, ok := r[f.key]; ok {
			f.compare(c, path+"."+f.key, v, g)
		}
	}
}

// list compares two lists element by element with fields; a REST null is
// an empty list, as GraphQL's lists are never null.
func (c *agentOSComparison) list(path string, rest, gql any, fields []restField) {
	r := orEmptyList(agnotest.List(rest))
	g := orEmptyList(agnotest.List(gql))
	if len(r) != len(g) {
		c.differ(path+".length", len(r), len(g))
	}
	for i := range min(len(r), len(g)) {
		c.object(fmt.Sprintf("%s[%d]", path, i), r[i], g[i], fields)
	}
}

// compare compares two JSON values, descending into objects and arrays so
// that a difference names the innermost path.
func (c *agentOSComparison) compare(path string, rest, gql any) {
	switch r := rest.(type) {
	case map[string]any:
		g, ok := gql.(map[string]any)
		if !ok {
			c.differ(path, rest, gql)
			return
		}
		keys := make([]string, 0, len(r)+len(g))
		for k := range r {
			keys = append(keys, k)
		}
		for k := range g {
			if _, ok := r[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			rv, rok := r[k]
			gv, gok := g[k]
			switch {
			case !rok:
				c.differ(path+"."+k, absent{}, gv)
			case !gok:
				c.differ(path+"."+k, rv, absent{})
			default:
				c.compare(path+"."+k, rv, gv)
			}
		}
	case []any:
		g, ok := gql.([]any)
		if !ok || len(g) != len(r) {
			c.differ(path, rest, gql)
			return
		}
		for i := range r {
			c.compare(fmt.Sprintf("%s[%d]", path, i), r[i], g[i])
		}
	default:
		if !reflect.DeepEqual(rest, gql) {
			c.differ(path, rest, gql)
		}
	}
}

// restField is one key of an AgentOS answer and how it is compared with
// the GraphQL object that answers the same question.
type restField struct {
	key     string
	compare func(c *agentOSComparison, path string, rest any, gql map[string]any)
}

// field: the REST value equals the GraphQL field's.
func field(key, gqlField string) restField {
	return restField{key, func(c *agentOSComparison, path string, rest any, g map[string]any) {
		c.compare(path, rest, g[gqlField])
	}}
}

// derived: the REST value equals a value computed from the GraphQL object.
func derived(key string, f func(g map[string]any) any) restField {
	return restField{key, func(c *agentOSComparison, path string, rest any, g map[string]any) {
		c.compare(path, rest, f(g))
	}}
}

// emptyWhenNull: AgentOS's run schemas send "" where the stored key is
// missing (run_dict.get(key, "")), and null where it is stored as null.
func emptyWhenNull(key, gqlField string) restField {
	return restField{key, func(c *agentOSComparison, path string, rest any, g map[string]any) {
		if g[gqlField] == nil && (rest == "" || rest == nil) {
			return
		}
		c.compare(path, rest, g[gqlField])
	}}
}

// epochField: a stored created_at (epoch seconds) against a DateTime.
func epochField(key, gqlField string) restField {
	return restField{key, func(c *agentOSComparison, path string, rest any, g map[string]any) {
		if sec, ok := rest.(float64); ok {
			rest = time.Unix(int64(sec), 0).UTC().Format(time.RFC3339)
		}
		c.compare(path, rest, g[gqlField])
	}}
}

// rawOf: the REST value equals the raw JSON of a GraphQL object field, timings left out.
func rawOf(key, gqlField string) restField {
	return restField{key, func(c *agentOSComparison, path string, rest any, g map[string]any) {
		c.compare(path, withoutTimings(rest), withoutTimings(agnotest.At(g, gqlField, "raw")))
	}}
}

// metricsField compares a metrics object (timings left out; AgentOS sends {}
// for a session without metrics, GraphQL null) and its token counters with
// the typed fields.
func metricsField(key string) restField {
	return restField{key, func(c *agentOSComparison, path string, rest any, g map[string]any) {
		m, _ := g["metrics"].(map[string]any)
		raw := m["raw"]
		if r, ok := rest.(map[string]any); ok && len(r) == 0 && raw == nil {
			raw = map[string]any{}
		}
		c.compare(path, withoutTimings(rest), withoutTimings(raw))
		for _, counter := range [][2]string{{"input_tokens", "inputTokens"}, {"output_tokens", "outputTokens"}, {"total_tokens", "totalTokens"}} {
			if v, ok := agnotest.At(rest, counter[0]).(float64); ok {
				c.compare(path+"."+counter[1], v, m[counter[1]])
			}
		}
	}}
}

// listField compares a list of objects element by element.
func listField(key, gqlField string, fields []restField) restField {
	return restField{key, func(c *agentOSComparison, path string, rest any, g map[string]any) {
		c.list(path, rest, g[gqlField], fields)
	}}
}

// valuesField compares a list of JSON values; null is an empty list.
func valuesField(key, gqlField string) restField {
	return restField{key, func(c *agentOSComparison, path string, rest any, g map[string]any) {
		c.compare(path, orEmptyList(agnotest.List(rest)), orEmptyList(agnotest.List(g[gqlField])))
	}}
}

// withoutTimings drops duration and time_to_first_token at any depth: they
// are perf_counter readings, real even with Agno's clock faked.
func withoutTimings(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if k != "duration" && k != "time_to_first_token" {
				out[k] = withoutTimings(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = withoutTimings(e)
		}
		return out
	}
	return v
}

func nullWhenEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func orEmptyList(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

// componentField compares agent_id / team_id / workflow_id with the
// concrete type's field and with componentId.
func componentField(key, gqlField string) restField {
	return restField{key, func(c *agentOSComparison, path string, rest any, g map[string]any) {
		c.compare(path, rest, g[gqlField])
		c.compare(path+" (componentId)", rest, g["componentId"])
	}}
}

// AgentOS's SessionSchema and the detail schemas, key by key.
var restSessionFieldMap = []restField{
	field("session_id", "sessionId"),
	field("agent_session_id", "sessionId"),
	field("session_name", "name"),
	derived("session_type", func(g map[string]any) any {
		s, _ := g["type"].(string)
		return strings.ToLower(s)
	}),
	field("user_id", "userId"),
	componentField("agent_id", "agentId"),
	componentField("team_id", "teamId"),
	componentField("workflow_id", "workflowId"),
	field("session_state", "state"),
	derived("session_data", func(g map[string]any) any { return withoutTimings(g["data"]) }),
	field("metadata", "metadata"),
	metricsField("metrics"),
	field("total_tokens", "totalTokens"),
	rawOf("agent_data", "agent"),
	rawOf("team_data", "team"),
	rawOf("workflow_data", "workflow"),
	derived("session_summary", func(g map[string]any) any {
		if g["summary"] == nil {
			return nil
		}
		return map[string]any{"summary": agnotest.At(g, "summary", "summary"), "topics": agnotest.At(g, "summary", "topics")}
	}),
	listField("chat_history", "chatHistory", restMessageFieldMap),
	field("created_at", "createdAt"),
	field("updated_at", "updatedAt"),
}

// AgentOS's RunSchema, TeamRunSchema and WorkflowRunSchema, key by key.
var restRunFieldMap = []restField{
	field("run_id", "runId"),
	emptyWhenNull("parent_run_id", "parentRunId"),
	emptyWhenNull("agent_id", "agentId"),
	emptyWhenNull("team_id", "teamId"),
	emptyWhenNull("workflow_id", "workflowId"),
	emptyWhenNull("user_id", "userId"),
	field("status", "status"),
	field("run_input", "input"),
	field("content", "content"),
	// Agno: "text" when content_type is "str", else "json".
	derived("run_response_format", func(g map[string]any) any {
		if g["contentType"] == "str" {
			return "text"
		}
		return "json"
	}),
	field("content_type", "contentType"),
	metricsField("metrics"),
	listField("messages", "messages", restMessageFieldMap),
	listField("tools", "tools", restToolFieldMap),
	valuesField("events", "events"),
	field("created_at", "createdAt"),
	listField("step_results", "steps", restStepResultFieldMap),
	listField("step_executor_runs", "stepRuns", storedRunFieldMap),
}

// A run object as Agno stores it (AgentOS passes step_executor_runs through).
var storedRunFieldMap = []restField{
	field("run_id", "runId"),
	field("agent_id", "agentId"),
	field("agent_name", "agentName"),
	field("team_id", "teamId"),
	field("team_name", "teamName"),
	field("workflow_id", "workflowId"),
	field("session_id", "sessionId"),
	field("parent_run_id", "parentRunId"),
	field("user_id", "userId"),
	field("content", "content"),
	field("content_type", "contentType"),
	field("model", "model"),
	field("model_provider", "modelProvider"),
	epochField("created_at", "createdAt"),
	field("status", "status"),
	metricsField("metrics"),
	listField("messages", "messages", restMessageFieldMap),
	listField("tools", "tools", restToolFieldMap),
	field("input", "inputRaw"),
	valuesField("events", "events"),
}

// A message as Agno stores it (AgentOS passes messages through).
var restMessageFieldMap = []restField{
	field("id", "id"),
	field("role", "role"),
	field("content", "content"),
	field("name", "name"),
	field("tool_call_id", "toolCallId"),
	field("tool_name", "toolName"),
	field("tool_args", "toolArgs"),
	field("from_history", "fromHistory"),
	epochField("created_at", "createdAt"),
	// OpenAI's shape: {id, type, function: {name, arguments}}.
	derived("tool_calls", func(g map[string]any) any {
		var out []any
		for _, tc := range agnotest.List(g["toolCalls"]) {
			out = append(out, map[string]any{
				"id": agnotest.At(tc, "id"), "type": agnotest.At(tc, "type"),
				"function": map[string]any{"name": agnotest.At(tc, "name"), "arguments": agnotest.At(tc, "arguments")},
			})
		}
		return orEmptyList(out)
	}),
	rawOf("metrics", "metrics"),
}

// A tool execution as Agno stores it.
var restToolFieldMap = []restField{
	field("tool_call_id", "toolCallId"),
	field("tool_name", "toolName"),
	field("tool_args", "toolArgs"),
	field("result", "result"),
	field("tool_call_error", "error"),
	field("child_run_id", "childRunId"),
	epochField("created_at", "createdAt"),
}

// A workflow step's result as Agno stores it.
var restStepResultFieldMap = []restField{
	field("step_name", "stepName"),
	field("step_id", "stepId"),
	field("step_type", "stepType"),
	field("executor_type", "executorType"),
	field("executor_name", "executorName"),
	field("content", "content"),
	field("success", "success"),
	field("error", "error"),
	rawOf("metrics", "metrics"),
}

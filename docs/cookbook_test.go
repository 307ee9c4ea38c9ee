package docs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"sessiongraph/dataset"
	"sessiongraph/db"
	"sessiongraph/graph"
	"sessiongraph/httpserver"
	"sessiongraph/internal/agnotest"
)

var update = flag.Bool("update", false, "rewrite the embedded examples of cookbook.md from the files under cookbook/")

// embedMarker opens an embedded file in cookbook.md; the generated block runs
// up to the next embedEnd.
var embedMarker = regexp.MustCompile(`<!-- embed: (cookbook/[A-Za-z0-9._-]+) -->\n`)

const embedEnd = "<!-- /embed -->"

// TestCookbookMarkdownEmbedsEveryExampleFile: every file under cookbook/ is
// embedded once in cookbook.md, exactly as it is on disk (go test ./docs -update
// rewrites the blocks after an example changes).
func TestCookbookMarkdownEmbedsEveryExampleFile(t *testing.T) {
	doc, err := os.ReadFile("cookbook.md")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	embedded := map[string]int{}
	rest := doc
	for {
		loc := embedMarker.FindSubmatchIndex(rest)
		if loc == nil {
			out.Write(rest)
			break
		}
		path := string(rest[loc[2]:loc[3]])
		out.Write(rest[:loc[1]])
		rest = rest[loc[1]:]
		end := bytes.Index(rest, []byte(embedEnd))
		if end < 0 {
			t.Fatalf("cookbook.md: the embed of %s has no %s", path, embedEnd)
		}
		block, err := renderEmbed(path)
		if err != nil {
			t.Errorf("cookbook.md embeds %s: %v", path, err)
			block = string(rest[:end])
		}
		if string(rest[:end]) != block && !*update {
			t.Errorf("cookbook.md: the block of %s differs from the file; run go test ./docs -run Markdown -update", path)
		}
		out.WriteString(block)
		rest = rest[end:]
		embedded[path]++
	}
	files, err := exampleFiles("*")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		switch n := embedded[f]; {
		case n == 0:
			t.Errorf("cookbook.md does not embed %s: add <!-- embed: %s --><newline><!-- /embed --> where it belongs and run go test ./docs -run Markdown -update", f, f)
		case n > 1:
			t.Errorf("cookbook.md embeds %s %d times", f, n)
		}
	}
	if *update && !bytes.Equal(out.Bytes(), doc) {
		if err := os.WriteFile("cookbook.md", out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("cookbook.md rewritten")
	}
}

// renderEmbed is the markdown block that shows an example file.
func renderEmbed(path string) (string, error) {
	content, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	lang := strings.TrimPrefix(filepath.Ext(path), ".")
	body := strings.TrimRight(string(content), "\n")
	return fmt.Sprintf("[`%s`](%s):\n\n```%s\n%s\n```\n", path, path, lang, body), nil
}

// exampleFiles lists cookbook/<pattern> files with forward slashes, sorted.
func exampleFiles(pattern string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join("cookbook", pattern))
	for i := range files {
		files[i] = filepath.ToSlash(files[i])
	}
	slices.Sort(files)
	return files, err
}

// example says how to judge one variables file of the cookbook. The file
// cookbook/<query>.<case>.json holds variables of cookbook/<query>.graphql.
type example struct {
	// pick replaces documented variables (a deep copy it may change) with
	// ones chosen from the dataset by querying it, so that the test does not
	// depend on the ids the markdown shows; nil keeps them.
	pick func(t *testing.T, h http.Handler, vars map[string]any)
	// check asserts that the data is what the screen needs.
	check func(t *testing.T, h http.Handler, vars map[string]any, data any)
	// wantCode: the example shows a refusal with this extensions.code.
	wantCode string
	// writes: the example changes data, so each run gets its own copy of the dataset.
	writes bool
}

// examples holds one entry per variables file under cookbook/.
var examples = map[string]example{
	"session-list.json": {
		check: func(t *testing.T, _ http.Handler, vars map[string]any, data any) {
			nodes := listAt(t, data, "sessions", "nodes")
			if len(nodes) != 20 || num(data, "sessions", "totalCount") < 100 {
				t.Errorf("want a full first page of 20 out of the 500 demo sessions, got %d of %v", len(nodes), agnotest.At(data, "sessions", "totalCount"))
			}
			wantNewestFirst(t, nodes, "updatedAt")
			for _, n := range nodes {
				if str(n, "sessionId") == "" || str(n, "__typename") == "" || str(n, "type") == "" {
					t.Errorf("a row lacks its id or type: %s", jsonText(n))
				}
			}
		},
	},
	"failed-runs.json": {
		check: func(t *testing.T, _ http.Handler, _ map[string]any, data any) {
			nodes := listAt(t, data, "allRuns", "nodes")
			if len(nodes) == 0 || num(data, "allRuns", "totalCount") < len(nodes) {
				t.Fatalf("want the demo's failed runs, got %d of %v", len(nodes), agnotest.At(data, "allRuns", "totalCount"))
			}
			wantNewestFirst(t, nodes, "createdAt")
			for _, n := range nodes {
				if str(n, "status") != "ERROR" || str(n, "session", "sessionId") == "" {
					t.Errorf("not a failed run with its session: %s", jsonText(n))
				}
			}
		},
	},
	"failed-runs.by-agent.json": {
		pick: func(t *testing.T, h http.Handler, vars map[string]any) {
			failed := mustData(t, h, `{ allRuns(first: 1, filter: {status: [ERROR], sessionType: AGENT}) { nodes { ... on AgentRun { agentId } } } }`, nil)
			nodes := listAt(t, failed, "allRuns", "nodes")
			if len(nodes) == 0 {
				t.Fatal("the demo dataset has no failed agent run")
			}
			vars["filter"].(map[string]any)["componentId"] = str(nodes[0], "agentId")
		},
		check: func(t *testing.T, h http.Handler, vars map[string]any, data any) {
			agent := vars["filter"].(map[string]any)["componentId"]
			nodes := listAt(t, data, "allRuns", "nodes")
			if len(nodes) == 0 {
				t.Fatalf("agent %v has no failed runs", agent)
			}
			for _, n := range nodes {
				if str(n, "status") != "ERROR" || str(n, "__typename") != "AgentRun" {
					t.Errorf("not a failed agent run: %s", jsonText(n))
				}
			}
			ids := mustData(t, h, `query($a: String) { allRuns(first: 100, filter: {status: [ERROR], sessionType: AGENT, componentId: $a}) { nodes { ... on AgentRun { agentId } } } }`, map[string]any{"a": agent})
			for _, n := range listAt(t, ids, "allRuns", "nodes") {
				if str(n, "agentId") != agent {
					t.Errorf("a run of agent %v among %v's", str(n, "agentId"), agent)
				}
			}
		},
	},
	"session-list.filters.json": {
		pick: func(t *testing.T, h http.Handler, vars map[string]any) {
			s := firstSession(t, h, "AGENT", "userId componentId createdAt", func(n any) bool { return str(n, "userId") != "" })
			created := parseTime(t, str(s, "createdAt"))
			vars["filter"] = map[string]any{
				"type": "AGENT", "userId": str(s, "userId"), "componentId": str(s, "componentId"),
				"createdAfter":  created.Add(-24 * time.Hour).Format(time.RFC3339),
				"createdBefore": created.Add(24 * time.Hour).Format(time.RFC3339),
			}
		},
		check: func(t *testing.T, _ http.Handler, vars map[string]any, data any) {
			nodes := listAt(t, data, "sessions", "nodes")
			if len(nodes) == 0 {
				t.Fatal("the filters match no session")
			}
			f := vars["filter"].(map[string]any)
			after, before := parseTime(t, f["createdAfter"].(string)), parseTime(t, f["createdBefore"].(string))
			for _, n := range nodes {
				created := parseTime(t, str(n, "createdAt"))
				if str(n, "type") != f["type"] || str(n, "userId") != f["userId"] || str(n, "componentId") != f["componentId"] ||
					created.Before(after) || created.After(before) {
					t.Errorf("%s does not match the filter %s", jsonText(n), jsonText(f))
				}
			}
			wantNewestFirst(t, nodes, "createdAt")
		},
	},
	"session-list.search.json": {
		pick: func(t *testing.T, h http.Handler, vars map[string]any) {
			word := ""
			firstSession(t, h, "", "name nameIsDerived", func(n any) bool {
				if b, _ := agnotest.At(n, "nameIsDerived").(bool); b {
					return false
				}
				word = asciiWord(str(n, "name"))
				return word != ""
			})
			// Upper case: the search ignores ASCII case.
			vars["filter"] = map[string]any{"nameContains": strings.ToUpper(word)}
		},
		check: func(t *testing.T, _ http.Handler, vars map[string]any, data any) {
			needle := asciiLower(vars["filter"].(map[string]any)["nameContains"].(string))
			nodes := listAt(t, data, "sessions", "nodes")
			if len(nodes) == 0 {
				t.Fatalf("no stored name contains %q", needle)
			}
			prev := ""
			for _, n := range nodes {
				name := asciiLower(str(n, "name"))
				if derived, _ := agnotest.At(n, "nameIsDerived").(bool); derived || !strings.Contains(name, needle) {
					t.Errorf("%s is not a stored name containing %q", jsonText(n), needle)
				}
				if name < prev {
					t.Errorf("names are not in NAME ASC order: %q after %q", name, prev)
				}
				prev = name
			}
		},
	},
	"session-list.next-page.json": {
		pick: func(t *testing.T, h http.Handler, vars map[string]any) {
			vars["after"] = str(sessionPage(t, h, vars, map[string]any{"after": nil}), "pageInfo", "endCursor")
		},
		check: func(t *testing.T, h http.Handler, vars map[string]any, data any) {
			first := idsOf(t, sessionPage(t, h, vars, map[string]any{"after": nil}), "nodes")
			next := idsOf(t, agnotest.At(data, "sessions"), "nodes")
			if len(next) == 0 {
				t.Fatal("the second page is empty")
			}
			for _, id := range next {
				if slices.Contains(first, id) {
					t.Errorf("%s is on both pages", id)
				}
			}
		},
	},
	"session-list.previous-page.json": {
		pick: func(t *testing.T, h http.Handler, vars map[string]any) {
			forward := map[string]any{"first": 20, "last": nil, "before": nil}
			first := sessionPage(t, h, vars, forward)
			forward["after"] = str(first, "pageInfo", "endCursor")
			vars["before"] = str(sessionPage(t, h, vars, forward), "pageInfo", "startCursor")
		},
		check: func(t *testing.T, h http.Handler, vars map[string]any, data any) {
			first := idsOf(t, sessionPage(t, h, vars, map[string]any{"first": 20, "last": nil, "before": nil}), "nodes")
			back := idsOf(t, agnotest.At(data, "sessions"), "nodes")
			if !slices.Equal(back, first) {
				t.Errorf("going back from page 2 gives %v, want page 1 %v", back, first)
			}
		},
	},
	"session-counts.json": {
		check: func(t *testing.T, _ http.Handler, _ map[string]any, data any) {
			all, agents := num(data, "all", "totalCount"), num(data, "agents", "totalCount")
			teams, workflows := num(data, "teams", "totalCount"), num(data, "workflows", "totalCount")
			support := num(data, "supportAgent", "totalCount")
			if all == 0 || all != agents+teams+workflows || support == 0 || support > agents {
				t.Errorf("counts do not add up: %s", jsonText(data))
			}
		},
	},
	"chat.json": {
		pick: pickSessionID("AGENT", agentWithTools),
		check: func(t *testing.T, _ http.Handler, _ map[string]any, data any) {
			msgs := listAt(t, data, "session", "chatHistory")
			roles := map[string]bool{}
			for _, m := range msgs {
				roles[str(m, "role")] = true
			}
			if len(msgs) < 2 || str(msgs[0], "role") != "user" || !roles["assistant"] || len(roles) != 2 {
				t.Errorf("want a user/assistant conversation starting with the user, got roles %v in %d messages", roles, len(msgs))
			}
		},
	},
	"transcript.json": {
		pick: pickSessionID("AGENT", agentWithTools),
		check: func(t *testing.T, _ http.Handler, _ map[string]any, data any) {
			runs := listAt(t, data, "session", "runs", "nodes")
			if len(runs) == 0 {
				t.Fatal("the transcript has no runs")
			}
			roles := map[string]int{}
			calls, results, executions := map[string]bool{}, 0, 0
			for _, r := range runs {
				for _, m := range listAt(t, r, "messages") {
					roles[str(m, "role")]++
					for _, c := range listAt(t, m, "toolCalls") {
						calls[str(c, "id")] = true
					}
					if str(m, "role") == "tool" {
						results++
						if !calls[str(m, "toolCallId")] {
							t.Errorf("tool result %s answers no tool call before it", jsonText(m))
						}
					}
				}
				executions += len(listAt(t, r, "tools"))
			}
			if roles["user"] == 0 || roles["assistant"] == 0 || len(calls) == 0 || results == 0 || executions == 0 {
				t.Errorf("want user and assistant messages, tool calls, tool results and tool executions; got roles %v, %d calls, %d results, %d executions",
					roles, len(calls), results, executions)
			}
		},
	},
	"usage-sessions.by-user.json": {
		pick: func(t *testing.T, h http.Handler, vars map[string]any) {
			vars["filter"] = map[string]any{"userId": busiestUser(t, h)}
		},
		check: func(t *testing.T, _ http.Handler, vars map[string]any, data any) {
			user := vars["filter"].(map[string]any)["userId"]
			checkUsage(t, data, func(n any) bool { return str(n, "userId") == user })
		},
	},
	"usage-sessions.by-agent.json": {
		pick: func(t *testing.T, h http.Handler, vars map[string]any) {
			s := firstSession(t, h, "AGENT", "componentId", func(n any) bool { return str(n, "componentId") != "" })
			vars["filter"] = map[string]any{"type": "AGENT", "componentId": str(s, "componentId")}
		},
		check: func(t *testing.T, _ http.Handler, vars map[string]any, data any) {
			agent := vars["filter"].(map[string]any)["componentId"]
			checkUsage(t, data, func(n any) bool { return str(n, "type") == "AGENT" && str(n, "componentId") == agent })
		},
	},
	"usage.tokens-per-day-per-agent.json": {
		pick: func(_ *testing.T, _ http.Handler, vars map[string]any) {
			vars["runFilter"] = map[string]any{"createdAfter": time.Now().AddDate(0, 0, -30).UTC().Format(time.RFC3339)}
		},
		check: func(t *testing.T, h http.Handler, vars map[string]any, data any) {
			paris, err := time.LoadLocation("Europe/Paris")
			if err != nil {
				t.Fatal(err)
			}
			runs, tokens := 0, 0
			for _, b := range listAt(t, data, "usage", "nodes") {
				if p := parseTime(t, str(b, "key", "period")).In(paris); p.Hour() != 0 || p.Minute() != 0 {
					t.Errorf("a day starts at %s in Paris, not at midnight", p)
				}
				if str(b, "key", "componentId") == "" {
					t.Errorf("a bucket without its component: %s", jsonText(b))
				}
				runs += num(b, "runs")
				tokens += num(b, "totalTokens")
			}
			if want := countRuns(t, h, vars["runFilter"]); runs != want || runs == 0 || tokens == 0 {
				t.Errorf("the buckets hold %d runs and %d tokens; allRuns counts %d runs for the same filter", runs, tokens, want)
			}
		},
	},
	"usage.cost-per-user-this-month.json": {
		pick: func(_ *testing.T, _ http.Handler, vars map[string]any) {
			now := time.Now().UTC()
			vars["runFilter"] = map[string]any{"createdAfter": time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)}
		},
		check: func(t *testing.T, h http.Handler, vars map[string]any, data any) {
			runs := 0
			for _, b := range listAt(t, data, "usage", "nodes") {
				runs += num(b, "runs")
			}
			if want := countRuns(t, h, vars["runFilter"]); runs != want {
				t.Errorf("the buckets hold %d runs; allRuns counts %d for the same filter", runs, want)
			}
		},
	},
	"usage.error-rate-per-model.json": {
		check: func(t *testing.T, h http.Handler, _ map[string]any, data any) {
			errors, priced := 0, 0
			for _, b := range listAt(t, data, "usage", "nodes") {
				errors += num(b, "errorRuns")
				if agnotest.At(b, "cost") != nil {
					priced++
				}
				if str(b, "key", "model") != "" && str(b, "key", "modelProvider") == "" {
					t.Errorf("a model without its provider: %s", jsonText(b))
				}
			}
			want := countRuns(t, h, map[string]any{"status": []any{"ERROR"}, "topLevel": true})
			if errors != want || errors == 0 || priced == 0 {
				t.Errorf("the buckets hold %d failed runs (allRuns counts %d) and %d with a cost; want failures and costs", errors, want, priced)
			}
		},
	},
	"usage.top-users.json": {
		check: func(t *testing.T, h http.Handler, _ map[string]any, data any) {
			tokens := 0
			for _, b := range listAt(t, data, "usage", "nodes") {
				tokens += num(b, "totalTokens")
			}
			if want := sessionTokens(t, h); tokens != want || tokens == 0 {
				t.Errorf("the users' buckets add up to %d tokens; the sessions' session_metrics to %d", tokens, want)
			}
		},
	},
	"search.json": {
		check: func(t *testing.T, h http.Handler, vars map[string]any, data any) {
			checkSearch(t, h, vars, data)
		},
	},
	"search.narrowed.json": {
		pick: func(t *testing.T, h http.Handler, vars map[string]any) {
			vars["filter"].(map[string]any)["userId"] = busiestUser(t, h)
		},
		check: func(t *testing.T, h http.Handler, vars map[string]any, data any) {
			checkSearch(t, h, vars, data)
			user := vars["filter"].(map[string]any)["userId"]
			for _, n := range listAt(t, data, "sessions", "nodes") {
				if str(n, "userId") != user {
					t.Errorf("session %s of %s is not %s's", str(n, "sessionId"), str(n, "userId"), user)
				}
			}
		},
	},
	"facets.json": {
		check: func(t *testing.T, h http.Handler, vars map[string]any, data any) {
			filter := vars["filter"].(map[string]any)
			users := listAt(t, data, "facets", "users")
			if len(users) == 0 || len(listAt(t, data, "facets", "components")) == 0 || len(listAt(t, data, "facets", "models")) == 0 {
				t.Fatalf("want users, components and models; got %s", jsonText(data))
			}
			// Each user's count is the number of that user's sessions the filter finds.
			for _, u := range users[:min(3, len(users))] {
				narrowed := map[string]any{"userId": str(u, "value")}
				for k, v := range filter {
					narrowed[k] = v
				}
				got := num(mustData(t, h, `query($f: SessionFilter) { sessions(filter: $f, first: 0) { totalCount } }`, map[string]any{"f": narrowed}), "sessions", "totalCount")
				if got != num(u, "count") {
					t.Errorf("facet says %s has %d sessions; sessions counts %d", str(u, "value"), num(u, "count"), got)
				}
			}
		},
	},
	"trace.json": {
		check: func(t *testing.T, _ http.Handler, _ map[string]any, data any) {
			trace := agnotest.At(data, "run", "trace")
			if trace == nil {
				t.Fatal("the run has no trace")
			}
			roots := listAt(t, trace, "spans")
			var walk func(span any, depth int) (spans, deepest int)
			walk = func(span any, depth int) (int, int) {
				spans, deepest := 1, depth
				start := parseTime(t, str(span, "startTime"))
				for _, c := range listAt(t, span, "children") {
					if parseTime(t, str(c, "startTime")).Before(start) {
						t.Errorf("span %s starts before its parent %s", str(c, "name"), str(span, "name"))
					}
					n, d := walk(c, depth+1)
					spans, deepest = spans+n, max(deepest, d)
				}
				return spans, deepest
			}
			if len(roots) != 1 || !strings.HasSuffix(str(roots[0], "name"), ".run") {
				t.Fatalf("want one root span, the team's run; got %s", jsonText(roots))
			}
			if spans, deepest := walk(roots[0], 1); spans < 4 || deepest < 3 {
				t.Errorf("want the team run, its model calls and a member's run with its own calls; got %d spans, %d levels", spans, deepest)
			}
		},
	},
	"usage-runs.json": {
		pick: pickSessionID("TEAM", teamWithMembers),
		check: func(t *testing.T, _ http.Handler, _ map[string]any, data any) {
			runs := listAt(t, data, "session", "runs", "nodes")
			sum, members, models := 0, 0, map[string]bool{}
			for _, r := range runs {
				sum += num(r, "metrics", "totalTokens")
				models[str(r, "model")] = true
				if str(r, "parentRunId") != "" {
					members++
				}
			}
			if total := num(data, "session", "metrics", "totalTokens"); total == 0 || sum != total {
				t.Errorf("the runs' totalTokens add up to %d, the session's totalTokens is %d", sum, total)
			}
			if members == 0 || len(models) == 0 {
				t.Errorf("want member runs among the runs, and their models; got %d member runs, models %v", members, models)
			}
		},
	},
	"team-delegation.json": {
		pick: pickSessionID("TEAM", teamWithMembers),
		check: func(t *testing.T, _ http.Handler, _ map[string]any, data any) {
			delegations := 0
			for _, r := range listAt(t, data, "session", "runs", "nodes") {
				if str(r, "__typename") != "TeamRun" {
					continue
				}
				children := map[string]bool{}
				for _, tool := range listAt(t, r, "tools") {
					children[str(tool, "childRunId")] = true
				}
				for _, m := range listAt(t, r, "memberRuns") {
					delegations++
					if str(m, "parentRunId") != str(r, "runId") {
						t.Errorf("member run %s has parent %s, want %s", str(m, "runId"), str(m, "parentRunId"), str(r, "runId"))
					}
					if !children[str(m, "runId")] {
						t.Errorf("no delegation tool call of team run %s started member run %s", str(r, "runId"), str(m, "runId"))
					}
					if str(m, "__typename") == "AgentRun" && str(m, "agentName") == "" {
						t.Errorf("member run %s has no agent name", str(m, "runId"))
					}
				}
			}
			if delegations == 0 {
				t.Error("the delegation tree has no member runs")
			}
		},
	},
	"workflow-steps.json": {
		pick: pickSessionID("WORKFLOW", workflowWithSteps),
		check: func(t *testing.T, _ http.Handler, _ map[string]any, data any) {
			if len(listAt(t, data, "session", "workflow", "steps")) == 0 {
				t.Error("the workflow declares no steps")
			}
			steps, stepRuns := 0, 0
			for _, r := range listAt(t, data, "session", "runs", "nodes") {
				for _, s := range listAt(t, r, "steps") {
					steps++
					if str(s, "stepName") == "" || str(s, "executorName") == "" {
						t.Errorf("step result without a name or executor: %s", jsonText(s))
					}
				}
				for _, sr := range listAt(t, r, "stepRuns") {
					stepRuns++
					if str(sr, "parentRunId") != str(r, "runId") {
						t.Errorf("step run %s has parent %s, want %s", str(sr, "runId"), str(sr, "parentRunId"), str(r, "runId"))
					}
					if len(listAt(t, sr, "messages")) == 0 {
						t.Errorf("step run %s has no user or assistant messages", str(sr, "runId"))
					}
				}
			}
			if steps == 0 || stepRuns == 0 {
				t.Errorf("want step results and step runs, got %d and %d", steps, stepRuns)
			}
		},
	},
	"refresh-rows.json": {
		pick: func(t *testing.T, h http.Handler, vars map[string]any) {
			var ids []any
			for _, n := range listAt(t, mustData(t, h, `{ sessions(first: 3) { nodes { id } } }`, nil), "sessions", "nodes") {
				ids = append(ids, str(n, "id"))
			}
			vars["ids"] = ids
		},
		check: func(t *testing.T, _ http.Handler, vars map[string]any, data any) {
			ids := vars["ids"].([]any)
			nodes := listAt(t, data, "nodes")
			if len(nodes) != len(ids) {
				t.Fatalf("got %d nodes for %d ids", len(nodes), len(ids))
			}
			for i, n := range nodes {
				if str(n, "id") != ids[i] || str(n, "sessionId") == "" {
					t.Errorf("node %d is %s, want the session with id %v", i, jsonText(n), ids[i])
				}
			}
		},
	},
	"rename-session.json": {
		writes: true,
		pick: func(t *testing.T, h http.Handler, vars map[string]any) {
			vars["input"].(map[string]any)["sessionId"] = str(firstSession(t, h, "AGENT", "", nil), "sessionId")
		},
		check: func(t *testing.T, h http.Handler, vars map[string]any, data any) {
			input := vars["input"].(map[string]any)
			p := agnotest.At(data, "renameSession")
			if str(p, "clientMutationId") != input["clientMutationId"] || str(p, "session", "name") != strings.TrimSpace(input["name"].(string)) {
				t.Errorf("rename payload %s does not echo %s", jsonText(p), jsonText(input))
			}
			if derived, _ := agnotest.At(p, "session", "nameIsDerived").(bool); derived {
				t.Error("a renamed session still reports a derived name")
			}
			again := mustData(t, h, `query ($id: String!) { session(sessionId: $id) { name } }`, map[string]any{"id": input["sessionId"]})
			if str(again, "session", "name") != str(p, "session", "name") {
				t.Errorf("reading the session again gives %s", jsonText(again))
			}
		},
	},
	"rename-session.blank-name.json": {writes: true, wantCode: "BAD_USER_INPUT"},
	"rename-session.not-found.json":  {writes: true, wantCode: "NOT_FOUND"},
	"delete-session.json": {
		writes: true,
		pick: func(t *testing.T, h http.Handler, vars map[string]any) {
			vars["input"].(map[string]any)["sessionId"] = str(firstSession(t, h, "WORKFLOW", "", nil), "sessionId")
		},
		check: func(t *testing.T, h http.Handler, vars map[string]any, data any) {
			input := vars["input"].(map[string]any)
			p := agnotest.At(data, "deleteSession")
			if str(p, "deletedSessionId") != input["sessionId"] || str(p, "clientMutationId") != input["clientMutationId"] {
				t.Errorf("delete payload %s does not match %s", jsonText(p), jsonText(input))
			}
			wantGone(t, h, input["sessionId"].(string))
		},
	},
	"delete-sessions.json": {
		writes: true,
		pick: func(t *testing.T, h http.Handler, vars map[string]any) {
			input := vars["input"].(map[string]any)
			input["sessionIds"] = []any{str(firstSession(t, h, "AGENT", "", nil), "sessionId"), str(firstSession(t, h, "TEAM", "", nil), "sessionId"), "no-such-session"}
			input["types"] = []any{"AGENT", "TEAM", "AGENT"}
		},
		check: func(t *testing.T, h http.Handler, vars map[string]any, data any) {
			input := vars["input"].(map[string]any)
			ids := input["sessionIds"].([]any)
			p := agnotest.At(data, "deleteSessions")
			if jsonText(agnotest.At(p, "deletedSessionIds")) != jsonText(ids[:2]) || jsonText(agnotest.At(p, "notFoundSessionIds")) != jsonText(ids[2:]) ||
				str(p, "clientMutationId") != input["clientMutationId"] {
				t.Errorf("bulk delete payload %s, input %s", jsonText(p), jsonText(input))
			}
			for _, id := range ids[:2] {
				wantGone(t, h, id.(string))
			}
		},
	},
}

// TestCookbookExamplesRunOnTheDemoDataset runs every example against the
// dataset that `go run . --demo` serves, through the real handler with the
// server's default limits: first with the variables as documented (no errors,
// or the documented refusal), then with ids picked from the dataset, checking
// that the screen gets what it needs.
func TestCookbookExamplesRunOnTheDemoDataset(t *testing.T) {
	files, err := exampleFiles("*.json")
	if err != nil {
		t.Fatal(err)
	}
	for name := range examples {
		if !slices.Contains(files, "cookbook/"+name) {
			t.Errorf("examples has an entry for cookbook/%s, which does not exist", name)
		}
	}
	shared := newDemoHandler(t)
	for _, file := range files {
		name := strings.TrimPrefix(file, "cookbook/")
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			ex, ok := examples[name]
			if !ok {
				t.Fatalf("%s has no entry in examples: say what its data must show", file)
			}
			query := readFile(t, "cookbook/"+strings.SplitN(name, ".", 2)[0]+".graphql")
			documented := readVars(t, file)
			handler := func() http.Handler {
				if ex.writes {
					return newDemoHandler(t)
				}
				return shared
			}

			h := handler()
			resp := post(t, h, query, documented)
			wantOutcome(t, "as documented", resp, ex.wantCode)
			vars := documented
			if ex.pick != nil {
				h = handler()
				vars = readVars(t, file)
				ex.pick(t, h, vars)
				resp = post(t, h, query, vars)
				wantOutcome(t, "with variables "+jsonText(vars), resp, ex.wantCode)
			}
			if ex.check != nil && !t.Failed() {
				ex.check(t, h, vars, resp.Data)
			}
		})
	}
}

// TestCookbookExampleIDsAreInTheDemoDataset: the ids the examples show name
// sessions of `go run . --demo` (of the type given beside them), so that they
// can be pasted into its GraphiQL; ids starting with "no-such-" name none.
func TestCookbookExampleIDsAreInTheDemoDataset(t *testing.T) {
	h := newDemoHandler(t)
	files, err := exampleFiles("*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		for _, ref := range sessionRefs(readVars(t, file)) {
			vars := map[string]any{"id": ref.id, "type": ref.typ}
			data := mustData(t, h, `query ($id: String!, $type: SessionType) { session(sessionId: $id, type: $type) { sessionId } }`, vars)
			if found := agnotest.At(data, "session") != nil; found == strings.HasPrefix(ref.id, "no-such-") {
				t.Errorf("%s: session %q (type %v) found = %v", file, ref.id, ref.typ, found)
			}
		}
		if ids, ok := readVars(t, file)["ids"].([]any); ok {
			for i, n := range listAt(t, mustData(t, h, `query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids}), "nodes") {
				if n == nil {
					t.Errorf("%s: global id %v names nothing in the demo dataset", file, ids[i])
				}
			}
		}
	}
}

// sessionRef is a session id in documented variables, with its type when given.
type sessionRef struct {
	id  string
	typ any
}

// sessionRefs finds sessionId and sessionIds (with types) in variables.
func sessionRefs(v any) []sessionRef {
	var refs []sessionRef
	switch x := v.(type) {
	case map[string]any:
		if id, ok := x["sessionId"].(string); ok {
			refs = append(refs, sessionRef{id, x["type"]})
		}
		if ids, ok := x["sessionIds"].([]any); ok {
			types, _ := x["types"].([]any)
			for i, id := range ids {
				ref := sessionRef{id: id.(string)}
				if i < len(types) {
					ref.typ = types[i]
				}
				refs = append(refs, ref)
			}
		}
		for k, child := range x {
			if k != "sessionIds" {
				refs = append(refs, sessionRefs(child)...)
			}
		}
	case []any:
		for _, child := range x {
			refs = append(refs, sessionRefs(child)...)
		}
	}
	return refs
}

var (
	demoNow      = sync.OnceValue(time.Now)
	demoSessions = sync.OnceValue(func() []dataset.Session { return dataset.Generate(dataset.Realistic(1, 500, demoNow())) })
)

// newDemoHandler serves a fresh SQLite copy of the demo dataset exactly as
// `go run . --demo` builds it (seed 1, 500 sessions in Agno 3's layout, half
// double-encoded like Agno up to 2.9 and half plain), with the server's
// default limits.
func newDemoHandler(t *testing.T) http.Handler {
	t.Helper()
	ctx := context.Background()
	s, err := db.Open(ctx, db.Options{URL: filepath.Join(t.TempDir(), "demo.db"), CreateLayout: db.LayoutV3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := dataset.InsertDemo(ctx, s, demoSessions(), demoNow()); err != nil {
		t.Fatal(err)
	}
	// Warnings and errors only (an INTERNAL error's cause is logged), shown with the test's output.
	logger := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return agnotest.Serve(graph.Options{Logger: logger}, httpserver.Options{Logger: logger}, s)
}

// testLog writes log lines to the test's log.
type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// response is a GraphQL answer with its HTTP status.
type response struct {
	Status int `json:"-"`
	Data   any `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func post(t *testing.T, h http.Handler, query string, vars map[string]any) response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var resp response
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatalf("answer is not JSON (%d): %s", rec.Code, rec.Body)
	}
	resp.Status = rec.Code
	return resp
}

// wantOutcome fails unless the answer has no errors, or (with a code) is the
// documented refusal: HTTP 200, data null, one error carrying the code.
func wantOutcome(t *testing.T, run string, resp response, code string) {
	t.Helper()
	if code == "" {
		if len(resp.Errors) > 0 || resp.Status != http.StatusOK {
			t.Errorf("%s: HTTP %d, errors %+v", run, resp.Status, resp.Errors)
		}
		return
	}
	if resp.Status != http.StatusOK || resp.Data != nil || len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != code {
		t.Errorf("%s: want HTTP 200, data null and one %s error; got HTTP %d, data %s, errors %+v", run, code, resp.Status, jsonText(resp.Data), resp.Errors)
	}
}

func mustData(t *testing.T, h http.Handler, query string, vars map[string]any) any {
	t.Helper()
	resp := post(t, h, query, vars)
	wantOutcome(t, query, resp, "")
	return resp.Data
}

// sessionPage runs the session list example with vars changed by changes (nil deletes).
func sessionPage(t *testing.T, h http.Handler, vars, changes map[string]any) any {
	t.Helper()
	page := map[string]any{}
	for k, v := range vars {
		page[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(page, k)
		} else {
			page[k] = v
		}
	}
	return agnotest.At(mustData(t, h, readFile(t, "cookbook/session-list.graphql"), page), "sessions")
}

// firstSession pages through the sessions of a type ("" for any), newest
// first, and returns the first one, with the selected fields, for which
// keep is true (nil keeps any).
func firstSession(t *testing.T, h http.Handler, typ, selection string, keep func(node any) bool) any {
	t.Helper()
	query := fmt.Sprintf(`query ($filter: SessionFilter, $after: String) {
		sessions(first: 25, after: $after, filter: $filter) { pageInfo { hasNextPage endCursor } nodes { sessionId %s } } }`, selection)
	vars := map[string]any{"filter": map[string]any{}}
	if typ != "" {
		vars["filter"] = map[string]any{"type": typ}
	}
	for {
		page := agnotest.At(mustData(t, h, query, vars), "sessions")
		for _, n := range listAt(t, page, "nodes") {
			if keep == nil || keep(n) {
				return n
			}
		}
		if more, _ := agnotest.At(page, "pageInfo", "hasNextPage").(bool); !more {
			t.Fatalf("no %s session in the demo dataset has what this example needs", typ)
		}
		vars["after"] = str(page, "pageInfo", "endCursor")
	}
}

// A session to show, chosen by what it holds: the selection and the test on it.
type wanted struct {
	selection string
	keep      func(node any) bool
}

var (
	agentWithTools = wanted{`runs(first: 10) { nodes { tools { toolName } } }`, func(n any) bool {
		runs, tools := agnotest.List(agnotest.At(n, "runs", "nodes")), 0
		for _, r := range runs {
			tools += len(agnotest.List(agnotest.At(r, "tools")))
		}
		return len(runs) >= 2 && tools > 0
	}}
	teamWithMembers = wanted{`runs(first: 10, filter: {topLevel: true}) { nodes { ... on TeamRun { memberRuns { runId } } } }`, func(n any) bool {
		for _, r := range agnotest.List(agnotest.At(n, "runs", "nodes")) {
			if len(agnotest.List(agnotest.At(r, "memberRuns"))) > 0 {
				return true
			}
		}
		return false
	}}
	workflowWithSteps = wanted{`runs(first: 5) { nodes { ... on WorkflowRun { steps { stepName } stepRuns { runId } } } }`, func(n any) bool {
		for _, r := range agnotest.List(agnotest.At(n, "runs", "nodes")) {
			if len(agnotest.List(agnotest.At(r, "steps"))) > 0 && len(agnotest.List(agnotest.At(r, "stepRuns"))) > 0 {
				return true
			}
		}
		return false
	}}
)

// pickSessionID sets vars.sessionId to the first session of typ that has what w wants.
func pickSessionID(typ string, w wanted) func(t *testing.T, h http.Handler, vars map[string]any) {
	return func(t *testing.T, h http.Handler, vars map[string]any) {
		vars["sessionId"] = str(firstSession(t, h, typ, w.selection, w.keep), "sessionId")
	}
}

// busiestUser is the user with the most sessions among the newest hundred.
func busiestUser(t *testing.T, h http.Handler) string {
	t.Helper()
	count := map[string]int{}
	best := ""
	for _, n := range listAt(t, mustData(t, h, `{ sessions(first: 100) { nodes { userId } } }`, nil), "sessions", "nodes") {
		if u := str(n, "userId"); u != "" {
			count[u]++
			if count[u] > count[best] {
				best = u
			}
		}
	}
	return best
}

// checkSearch checks a search page: every session found has a user or
// assistant message holding the text, ignoring case, and the facets count
// what the search finds.
func checkSearch(t *testing.T, h http.Handler, vars map[string]any, data any) {
	t.Helper()
	text := strings.ToLower(vars["filter"].(map[string]any)["textContains"].(string))
	nodes := listAt(t, data, "sessions", "nodes")
	if len(nodes) == 0 {
		t.Fatal("the search found nothing")
	}
	for _, n := range nodes {
		id := str(n, "sessionId")
		// A workflow's messages are its steps' runs'.
		runs := mustData(t, h, `query($id: String!) { session(sessionId: $id) { runs(first: 100) { nodes {
			messages(roles: ["user", "assistant"]) { content } ... on WorkflowRun { stepRuns { messages(roles: ["user", "assistant"]) { content } } } } } } }`,
			map[string]any{"id": id})
		found := false
		for _, r := range listAt(t, runs, "session", "runs", "nodes") {
			for _, run := range append([]any{r}, agnotest.List(agnotest.At(r, "stepRuns"))...) {
				for _, m := range listAt(t, run, "messages") {
					if c, ok := agnotest.At(m, "content").(string); ok && strings.Contains(strings.ToLower(c), text) {
						found = true
					}
				}
			}
		}
		if !found {
			t.Errorf("session %s has no user or assistant message holding %q", id, text)
		}
	}
	total, byUser := num(data, "sessions", "totalCount"), 0
	for _, u := range listAt(t, data, "facets", "users") {
		byUser += num(u, "count")
	}
	if byUser == 0 || byUser > total {
		t.Errorf("the users' facet counts %d sessions of the %d found", byUser, total)
	}
}

// countRuns counts the runs allRuns finds with filter.
func countRuns(t *testing.T, h http.Handler, filter any) int {
	t.Helper()
	data := mustData(t, h, `query($f: RunsFilter) { allRuns(filter: $f, first: 0) { totalCount } }`, map[string]any{"f": filter})
	return num(data, "allRuns", "totalCount")
}

// sessionTokens adds up every session's session_metrics.total_tokens, as Agno stored them.
func sessionTokens(t *testing.T, h http.Handler) int {
	t.Helper()
	total := 0
	var after any
	for {
		data := mustData(t, h, `query($after: String) { sessions(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { metrics { totalTokens } } } }`,
			map[string]any{"after": after})
		for _, n := range listAt(t, data, "sessions", "nodes") {
			total += num(n, "metrics", "totalTokens")
		}
		if agnotest.At(data, "sessions", "pageInfo", "hasNextPage") != true {
			return total
		}
		after = agnotest.At(data, "sessions", "pageInfo", "endCursor")
	}
}

// checkUsage checks a usage page: sessions that match, tokens to add up, and
// Agno's per-model split in metrics.raw.details.
func checkUsage(t *testing.T, data any, match func(node any) bool) {
	t.Helper()
	nodes := listAt(t, data, "sessions", "nodes")
	tokens, split := 0, 0
	for _, n := range nodes {
		if !match(n) {
			t.Errorf("%s does not match the filter", jsonText(n))
		}
		tokens += num(n, "metrics", "totalTokens")
		details, _ := agnotest.At(n, "metrics", "raw", "details").(map[string]any)
		for _, models := range details {
			split += len(agnotest.List(models))
		}
	}
	if len(nodes) == 0 || tokens == 0 || split == 0 {
		t.Errorf("want sessions with tokens and a per-model split; got %d sessions, %d tokens, %d model entries", len(nodes), tokens, split)
	}
}

func wantGone(t *testing.T, h http.Handler, id string) {
	t.Helper()
	if s := agnotest.At(mustData(t, h, `query ($id: String!) { session(sessionId: $id) { sessionId } }`, map[string]any{"id": id}), "session"); s != nil {
		t.Errorf("session %s is still there", id)
	}
}

// wantNewestFirst fails unless the nodes' DateTime field descends (RFC 3339
// UTC with second precision compares as text).
func wantNewestFirst(t *testing.T, nodes []any, field string) {
	t.Helper()
	for i := 1; i < len(nodes); i++ {
		if a, b := str(nodes[i-1], field), str(nodes[i], field); a < b {
			t.Errorf("%s is not newest first: %s then %s", field, a, b)
		}
	}
}

func idsOf(t *testing.T, conn any, path ...any) []string {
	t.Helper()
	var ids []string
	for _, n := range listAt(t, conn, path...) {
		ids = append(ids, str(n, "sessionId"))
	}
	return ids
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func readVars(t *testing.T, path string) map[string]any {
	t.Helper()
	var vars map[string]any
	if err := json.Unmarshal([]byte(readFile(t, path)), &vars); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return vars
}

func parseTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// asciiLower lower-cases A-Z only, as NAME ordering and nameContains do.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// asciiWord is the first word of s of at least four ASCII letters, "" if none.
func asciiWord(s string) string {
	for _, w := range strings.Fields(s) {
		if len(w) >= 4 && strings.Trim(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == "" {
			return w
		}
	}
	return ""
}

// listAt returns the list at path, failing when there is none.
func listAt(t *testing.T, v any, path ...any) []any {
	t.Helper()
	a, ok := agnotest.At(v, path...).([]any)
	if !ok {
		t.Fatalf("no list at %v in %s", path, jsonText(v))
	}
	return a
}

func str(v any, path ...any) string {
	s, _ := agnotest.At(v, path...).(string)
	return s
}

func num(v any, path ...any) int {
	f, _ := agnotest.At(v, path...).(float64)
	return int(f)
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

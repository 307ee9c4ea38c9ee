package models

import (
	"slices"
)

// runFieldKeys are the top-level run_data keys each Run field reads, for
// the fields that read nothing else of the run (a run's session is its
// session row's). A field not listed may read any key, nested runs or the
// whole document. TestAllRunsReadOnlyTheKeysTheyShow (graph) checks every
// entry against the answer with run_data read whole: a reader that comes to
// read another key must list it here.
var runFieldKeys = map[string][]string{
	"__typename":    nil,
	"id":            {"run_id"},
	"runId":         {"run_id"},
	"sessionId":     nil,
	"session":       nil,
	"trace":         {"run_id"},
	"parentRunId":   {"parent_run_id"},
	"userId":        {"user_id"},
	"status":        {"status"},
	"input":         {"input", RunInputFallback},
	"inputRaw":      {"input"},
	"content":       {"content"},
	"contentType":   {"content_type"},
	"model":         {"model"},
	"modelProvider": {"model_provider"},
	"metrics":       {"metrics"},
	"createdAt":     {"created_at"},
	"agentId":       {"agent_id"},
	"agentName":     {"agent_name"},
	"teamId":        {"team_id"},
	"teamName":      {"team_name"},
	"workflowId":    {"workflow_id"},
	"workflowName":  {"workflow_name"},
}

// RunInputFallback stands, among the keys RunDataKeys returns, for the keys
// Agno's get_run_input falls back on when a run's input holds no
// input_content (deriveRunInput): its messages and a workflow's
// step_executor_runs. A backend reads them for those runs alone, or reads
// run_data whole; RunInputFallbackKeys lists them. It is not a key of
// run_data (a parenthesis and a space, which Agno's keys never hold).
const RunInputFallback = "(input fallback)"

// RunInputFallbackKeys are the keys RunInputFallback stands for.
var RunInputFallbackKeys = []string{"messages", "step_executor_runs"}

// runTypeKeys are the keys every run reads whatever is selected: its type
// (TypeName) and its id (in errors and cursors).
var runTypeKeys = []string{"run_id", "agent_id", "team_id", "workflow_id"}

// RunDataKeys returns the top-level run_data keys that the Run fields
// named in fields read, sorted, when only those are needed: a backend that
// can then reads an object of those keys of run_data, as stored, in place
// of run_data, which often holds tens of kilobytes of messages. It returns
// nil when a field may read more, and run_data must be read whole.
func RunDataKeys(fields []string) []string {
	keys := slices.Clone(runTypeKeys)
	for _, f := range fields {
		k, ok := runFieldKeys[f]
		if !ok {
			return nil
		}
		keys = append(keys, k...)
	}
	return sortedKeys(keys)
}

// UnionRunDataKeys returns the keys that reading for both a and b reads:
// nil (whole) when either is nil.
func UnionRunDataKeys(a, b []string) []string {
	if a == nil || b == nil {
		return nil
	}
	return sortedKeys(slices.Concat(a, b))
}

// sortedKeys sorts keys in place, without repeats.
func sortedKeys(keys []string) []string {
	slices.Sort(keys)
	return slices.Compact(keys)
}

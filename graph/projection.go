package graph

import (
	"context"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"sessiongraph/models"
)

// sessionColumns returns the JSON columns that the current field's selection
// needs for the sessions found at the given paths below it ("" for the field
// itself, "nodes" and "edges.node" for a connection). Fragments on every
// session type count.
func sessionColumns(ctx context.Context, at ...string) models.SessionColumns {
	opCtx := graphql.GetOperationContext(ctx)
	return columnsFor(opCtx, fieldsAtEach(opCtx, []graphql.CollectedField{graphql.GetFieldContext(ctx).Field}, at))
}

// runsSessionColumns returns the JSON columns that the current field's
// selection needs for the session of the runs found at the given paths
// below it ("" for the field itself, "nodes" and "edges.node" for a
// connection): what is selected on their session, and on the session of
// the runs nested in them (runSessions).
func runsSessionColumns(ctx context.Context, runsAt ...string) models.SessionColumns {
	opCtx := graphql.GetOperationContext(ctx)
	return columnsFor(opCtx, runSessions(opCtx, fieldsAtEach(opCtx, []graphql.CollectedField{graphql.GetFieldContext(ctx).Field}, runsAt)))
}

// fieldsAtEach returns the fields found at each of paths below fields.
func fieldsAtEach(opCtx *graphql.OperationContext, fields []graphql.CollectedField, paths []string) []graphql.CollectedField {
	var out []graphql.CollectedField
	for _, p := range paths {
		out = append(out, fieldsAt(opCtx, fields, p)...)
	}
	return out
}

// columnsFor returns the columns that sessions (fields whose value is a
// session) need, fragments on every session type included.
func columnsFor(opCtx *graphql.OperationContext, sessions []graphql.CollectedField) models.SessionColumns {
	// The names of the fields selected on those sessions, and (a run's
	// session is the session it was read with) on the sessions of their
	// runs, at any depth: one walk of the selection.
	selected := map[string]bool{}
	own := sameSessionFields(opCtx, sessions) // for runsWindow: one window serves them all
	for _, c := range own {
		selected[c.Name] = true
	}
	requested := func(fields ...string) bool {
		return slices.ContainsFunc(fields, func(f string) bool { return selected[f] })
	}
	name := requested("name", "nameIsDerived")
	cols := models.SessionColumns{
		LastActivity: requested("lastActivityAt"),
		SessionData:  requested("state", "data", "metrics", "totalTokens"),
		SessionName:  name,
		AgentData:    requested("agent"),
		TeamData:     requested("team"),
		WorkflowData: name || requested("workflow"), // "New <workflow> Session"
		Metadata:     requested("metadata"),
		Summary:      requested("summary"),
		NameRuns:     name,
	}
	if requested("runs", "chatHistory") {
		if q := runsWindow(opCtx, own); q != nil {
			cols.RunsWindow = q
		} else {
			cols.Runs = true
		}
	}
	return cols
}

// sameSessionFields returns the fields selected on sessions (fields whose
// value is a session), and on the sessions of their runs (runs { nodes {
// session } }, runs { edges { node { memberRuns { session } } } }, see
// runSessions), which are the same rows, at any depth.
func sameSessionFields(opCtx *graphql.OperationContext, sessions []graphql.CollectedField) []graphql.CollectedField {
	var out []graphql.CollectedField
	for len(sessions) > 0 {
		for _, f := range sessions {
			out = append(out, graphql.CollectFields(opCtx, f.Selections, nil)...)
		}
		sessions = runSessions(opCtx, connectionNodes(opCtx, fieldsAt(opCtx, sessions, "runs")))
	}
	return out
}

// runSessions returns the session fields selected on runs (fields whose
// value is a run) and on the runs nested in them (memberRuns, stepRuns), at
// any depth: each names its run's session, the row the run was read with.
func runSessions(opCtx *graphql.OperationContext, runs []graphql.CollectedField) []graphql.CollectedField {
	var out []graphql.CollectedField
	for len(runs) > 0 {
		out = append(out, childFields(opCtx, runs, "session")...)
		runs = slices.Concat(childFields(opCtx, runs, "memberRuns"), childFields(opCtx, runs, "stepRuns"))
	}
	return out
}

// fieldsAt returns the fields found at path (dot-separated field names, ""
// for fields themselves) below fields.
func fieldsAt(opCtx *graphql.OperationContext, fields []graphql.CollectedField, path string) []graphql.CollectedField {
	if path == "" {
		return fields
	}
	for name := range strings.SplitSeq(path, ".") {
		if len(fields) == 0 {
			break
		}
		fields = childFields(opCtx, fields, name)
	}
	return fields
}

// runSessionColumns returns the columns the sessions of allRuns' runs are
// read with: what their session fields select, and their runs when a run's
// memberRuns (which are other runs of its session) are asked for.
func runSessionColumns(ctx context.Context) models.SessionColumns {
	cols := runsSessionColumns(ctx, "nodes", "edges.node")
	if graphql.AnyFieldRequested(ctx, "nodes.memberRuns", "edges.node.memberRuns") {
		cols.Runs, cols.RunsWindow = true, nil
	}
	return cols
}

// runDataKeys returns the run_data keys that the fields selected on the
// current connection's runs (nodes and edges.node, fragments on every run
// type included) read, nil when run_data must be read whole
// (models.RunDataKeys).
func runDataKeys(ctx context.Context) []string {
	opCtx := graphql.GetOperationContext(ctx)
	return models.RunDataKeys(selectedNames(opCtx, connectionNodes(opCtx, []graphql.CollectedField{graphql.GetFieldContext(ctx).Field})))
}

// connectionNodes returns the nodes and edges.node fields of connection fields.
func connectionNodes(opCtx *graphql.OperationContext, conns []graphql.CollectedField) []graphql.CollectedField {
	return slices.Concat(fieldsAt(opCtx, conns, "nodes"), fieldsAt(opCtx, conns, "edges.node"))
}

// selectedNames returns the names of the fields selected on fields,
// fragments on every type included.
func selectedNames(opCtx *graphql.OperationContext, fields []graphql.CollectedField) []string {
	var names []string
	for _, f := range fields {
		for _, c := range graphql.CollectFields(opCtx, f.Selections, nil) {
			names = append(names, c.Name)
		}
	}
	return names
}

// runsWindow returns what the runs(...) fields among sessionFields (the
// fields selected on a page's sessions and on their runs' sessions, see
// sameSessionFields) ask for, when one window of runs
// sliced in the database answers them all: they share one set of arguments
// without cursors, and neither chatHistory nor memberRuns (which read other
// runs of the session) is asked for. Otherwise nil: the whole runs column is
// needed.
func runsWindow(opCtx *graphql.OperationContext, sessionFields []graphql.CollectedField) *models.RunsRequest {
	var q *models.RunsRequest
	for _, f := range sessionFields {
		switch f.Name {
		case "chatHistory":
			return nil
		case "runs":
			nodes := connectionNodes(opCtx, []graphql.CollectedField{f})
			if len(childFields(opCtx, nodes, "memberRuns")) > 0 {
				return nil
			}
			this := runsRequestOf(f.ArgumentMap(opCtx.Variables))
			if this == nil || (q != nil && !q.Same(this)) {
				return nil
			}
			this.Keys = models.RunDataKeys(selectedNames(opCtx, nodes))
			if q != nil { // what every one of the connections reads
				this.Keys = models.UnionRunDataKeys(q.Keys, this.Keys)
			}
			counted := len(childFields(opCtx, []graphql.CollectedField{f}, "totalCount")) > 0 || (q != nil && q.Count)
			q = this
			q.Count = counted
		}
	}
	return q
}

// childFields returns the fields called name selected under fields.
func childFields(opCtx *graphql.OperationContext, fields []graphql.CollectedField, name string) []graphql.CollectedField {
	var out []graphql.CollectedField
	for _, f := range fields {
		for _, c := range graphql.CollectFields(opCtx, f.Selections, nil) {
			if c.Name == name {
				out = append(out, c)
			}
		}
	}
	return out
}

// runsRequestOf reads a runs field's arguments; nil when they are not a
// plain window (cursors) or not valid (left to the resolver to report).
func runsRequestOf(args map[string]any) *models.RunsRequest {
	page := models.PageArgs{}
	for name, dst := range map[string]**int{"first": &page.First, "last": &page.Last} {
		if v, ok := args[name].(int64); ok {
			n := int(v)
			*dst = &n
		} else if args[name] != nil {
			return nil
		}
	}
	if args["after"] != nil || args["before"] != nil {
		return nil
	}
	var filter *models.RunFilter
	if raw, ok := args["filter"].(map[string]any); ok {
		filter = &models.RunFilter{}
		if err := filter.UnmarshalMap(raw); err != nil {
			return nil
		}
	} else if args["filter"] != nil {
		return nil
	}
	return models.NewRunsRequest(page, filter)
}

// runsOf returns what run lookups need: the runs, and what is selected on
// the session of the runs at the given paths below the current field (see
// runsSessionColumns).
func runsOf(ctx context.Context, runsAt ...string) models.SessionColumns {
	cols := runsSessionColumns(ctx, runsAt...)
	cols.Runs, cols.RunsWindow = true, nil
	return cols
}

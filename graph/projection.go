package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"sessiongraph/models"
)

// sessionColumns returns the JSON columns that the current field's selection
// needs for the sessions found at the given paths below it ("" for the field
// itself, "nodes" and "edges.node" for a connection). Fragments on every
// session type count.
func sessionColumns(ctx context.Context, at ...string) models.SessionColumns {
	requested := func(fields ...string) bool {
		paths := make([]string, 0, len(at)*len(fields))
		for _, prefix := range at {
			for _, f := range fields {
				if prefix != "" {
					f = prefix + "." + f
				}
				paths = append(paths, f)
			}
		}
		return graphql.AnyFieldRequested(ctx, paths...)
	}
	name := requested("name", "nameIsDerived")
	return models.SessionColumns{
		SessionData:  name || requested("state", "data", "metrics", "totalTokens"),
		AgentData:    requested("agent"),
		TeamData:     requested("team"),
		WorkflowData: name || requested("workflow"), // "New <workflow> Session"
		Metadata:     requested("metadata"),
		Summary:      requested("summary"),
		Runs:         requested("runs", "chatHistory"),
		NameRuns:     name,
	}
}

// runsOnly reads what run lookups need.
var runsOnly = models.SessionColumns{Runs: true}

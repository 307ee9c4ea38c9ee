package graph

import (
	"encoding/json"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"sessiongraph/db"
	"sessiongraph/models"
)

// checkArguments refuses, before anything runs, an operation whose
// arguments cannot be right whatever the data: a page size out of
// 0..MaxPageSize, a cursor or global id that this server cannot have made,
// an id longer than models.MaxIDLength, more ids than a batch delete takes.
// So hostile or broken input gets a 4xx (422, or 400 with
// application/graphql-response+json) instead of a 200 carrying an error.
// The resolvers check the same things again, where they are used.
func checkArguments(opCtx *graphql.OperationContext) *gqlerror.Error {
	c := argChecker{vars: opCtx.Variables, fragments: opCtx.Doc.Fragments, seen: map[string]bool{}}
	c.selectionSet(opCtx.Operation.SelectionSet)
	return c.err
}

type argChecker struct {
	vars      map[string]any
	fragments ast.FragmentDefinitionList
	seen      map[string]bool
	err       *gqlerror.Error
}

func (c *argChecker) selectionSet(set ast.SelectionSet) {
	for _, sel := range set {
		if c.err != nil {
			return
		}
		switch sel := sel.(type) {
		case *ast.Field:
			for _, arg := range sel.Arguments {
				v, err := arg.Value.Value(c.vars)
				if err != nil {
					continue // gqlgen reports it
				}
				c.value(arg.Name, v)
			}
			c.selectionSet(sel.SelectionSet)
		case *ast.InlineFragment:
			c.selectionSet(sel.SelectionSet)
		case *ast.FragmentSpread:
			if !c.seen[sel.Name] {
				c.seen[sel.Name] = true
				if def := c.fragments.ForName(sel.Name); def != nil {
					c.selectionSet(def.SelectionSet)
				}
			}
		}
	}
}

// value checks an argument, or a field of an input object, by its name.
func (c *argChecker) value(name string, v any) {
	if c.err != nil || v == nil {
		return
	}
	bad := func(format string, args ...any) {
		c.err = coded(models.BadUserInput, fmt.Sprintf(format, args...))
	}
	switch x := v.(type) {
	case map[string]any: // an input object: check its fields
		for k, fv := range x {
			c.value(k, fv)
		}
		return
	case []any:
		if name == "sessionIds" && len(x) > db.MaxBatchDelete {
			bad("at most %d sessionIds per call, got %d", db.MaxBatchDelete, len(x))
			return
		}
		if name == "ids" && len(x) > maxNodes {
			bad("at most %d ids per call, got %d", maxNodes, len(x))
			return
		}
		for _, e := range x {
			c.value(name, e)
		}
		return
	}
	switch name {
	case "first", "last":
		if n, ok := asInt(v); ok && (n < 0 || n > models.MaxPageSize) {
			bad("%s must be between 0 and %d, got %d", name, models.MaxPageSize, n)
		}
	case "after", "before":
		if s, ok := v.(string); ok {
			if err := models.CheckCursor(s); err != nil {
				c.err = coded(models.BadUserInput, err.Error())
			}
		}
	case "ids":
		// nodes answers null for an id it cannot read, one id at a time;
		// only ids no server could have made are refused here.
		if s, ok := v.(string); ok && len(s) > models.MaxGlobalIDLength {
			bad("an id of %d bytes is longer than any id of this server", len(s))
		}
	case "id":
		if s, ok := v.(string); ok {
			if _, err := models.ParseGlobalID(s); err != nil {
				c.err = coded(models.BadUserInput, err.Error())
			}
		}
	case "sessionId", "sessionIds", "runId", "userId", "componentId", "dbId", "agentId", "teamId", "workflowId":
		if s, ok := v.(string); ok && len(s) > models.MaxIDLength {
			bad("%s is %d bytes long, more than the %d an id may have", name, len(s), models.MaxIDLength)
		}
	}
}

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int64:
		return x, true
	case float64:
		return int64(x), true
	case json.Number:
		n, err := x.Int64()
		return n, err == nil
	}
	return 0, false
}

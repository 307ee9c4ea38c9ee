package graph

import (
	"encoding/json"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"sessiongraph/models"
)

// checkArguments refuses, before anything runs, an operation whose
// arguments cannot be right whatever the data: a page size out of
// 0..MaxPageSize, a cursor or global id that this server cannot have made,
// an id longer than models.MaxIDLength, more ids than a batch delete takes,
// a string holding NUL. So hostile or broken input gets a 4xx (422, or 400
// with application/graphql-response+json) instead of a 200 carrying an error.
// The resolvers check the same things again, where they are used.
func checkArguments(opCtx *graphql.OperationContext) *gqlerror.Error {
	c := argChecker{vars: opCtx.Variables}
	mutation := opCtx.Operation.Operation == ast.Mutation
	eachField(opCtx.Operation.SelectionSet, opCtx.Doc.Fragments, func(root *ast.Field) bool {
		if c.err != nil {
			return false
		}
		eachField(ast.SelectionSet{root}, opCtx.Doc.Fragments, func(f *ast.Field) bool {
			c.facet = f.ObjectDefinition != nil && f.ObjectDefinition.Name == "Facets"
			for _, arg := range f.Arguments {
				if v, err := arg.Value.Value(c.vars); err == nil { // else gqlgen reports it
					c.value(arg.Name, v)
				}
			}
			return c.err == nil
		})
		if c.err != nil && mutation {
			withMutationID(c.err, root, c.vars)
		}
		return false // each root field walks its own subfields
	})
	return c.err
}

type argChecker struct {
	vars map[string]any
	err  *gqlerror.Error
	// facet: the arguments are a field of Facets', whose first is no page size.
	facet bool
}

// eachField calls visit for the fields of set, through inline fragments
// and fragment spreads (each named fragment once), and for their
// subfields while visit returns true.
func eachField(set ast.SelectionSet, fragments ast.FragmentDefinitionList, visit func(*ast.Field) bool) {
	seen := map[string]bool{}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				if visit(sel) {
					walk(sel.SelectionSet)
				}
			case *ast.InlineFragment:
				walk(sel.SelectionSet)
			case *ast.FragmentSpread:
				if !seen[sel.Name] {
					seen[sel.Name] = true
					if def := fragments.ForName(sel.Name); def != nil {
						walk(def.SelectionSet)
					}
				}
			}
		}
	}
	walk(set)
}

// value checks an argument, or a field of an input object, by its name.
func (c *argChecker) value(name string, v any) {
	if c.err != nil || v == nil {
		return
	}
	switch x := v.(type) {
	case map[string]any: // an input object: check its fields
		for k, fv := range x {
			c.value(k, fv)
		}
		return
	case []any:
		switch name {
		case "sessionIds":
			c.check(models.CheckCount(name, len(x), models.MaxBatchDelete))
		case "ids":
			c.check(models.CheckCount(name, len(x), models.MaxNodes))
		}
		for _, e := range x {
			c.value(name, e)
		}
		return
	}
	if s, ok := v.(string); ok && strings.ContainsRune(s, 0) {
		// No stored id or name holds one (PostgreSQL text cannot), and
		// PostgreSQL refuses it as a parameter.
		c.check(models.Errorf(models.BadUserInput, "arguments may not contain NUL characters"))
		return
	}
	s, isString := v.(string)
	switch name {
	case "first", "last":
		if n, ok := asInt(v); ok && c.facet {
			c.check(models.CheckFacetSize(n))
		} else if ok {
			c.check(models.CheckPageSize(name, n))
		}
	case "after", "before":
		if isString {
			c.check(models.CheckCursor(s))
		}
	case "ids":
		// nodes answers null for an id it cannot read, one id at a time;
		// only ids no server could have made are refused here.
		if isString && len(s) > models.MaxGlobalIDLength {
			c.check(models.Errorf(models.BadUserInput, "an id of %d bytes is longer than any id of this server", len(s)))
		}
	case "id":
		if isString {
			_, err := models.ParseGlobalID(s)
			c.check(err)
		}
	case "sessionId", "sessionIds", "runId", "userId", "componentId", "dbId", "agentId", "teamId", "workflowId":
		if isString {
			c.check(models.CheckIDLength(name, s))
		}
	}
}

// check records err, a coded error of models, as the refusal.
func (c *argChecker) check(err error) {
	if err != nil {
		c.err = coded(models.ErrorCode(err), err.Error())
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

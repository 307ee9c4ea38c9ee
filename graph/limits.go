package graph

import (
	"context"
	"errors"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"sessiongraph/models"
)

func init() {
	// Refusals before execution are the client's error: answer 4xx, not 200.
	// BAD_USER_INPUT counts as such only when it refuses an operation before
	// it runs (checkArguments); raised during execution it is answered
	// with 200, as every execution error is.
	for _, code := range []models.Code{models.BadUserInput, models.ComplexityLimitExceeded, models.QueryTooDeep, models.TooManyAliases, models.IntrospectionDisabled} {
		errcode.RegisterErrorType(string(code), errcode.KindProtocol)
	}
}

// operationLimits refuses, before gqlgen computes the complexity, an
// operation whose fields nest deeper than maxDepth, or that has more fields
// than complexityLimit (each field costs at least 1, so it is over the
// limit; gqlgen's complexity walk would take time exponential in the
// fragments spread), introspection when it is disabled, and then
// arguments that cannot be right (checkArguments). gqlgen and gqlparser ship no depth or alias limit;
// gqlparser's MaxIntrospectionDepth rule already bounds the selections under
// __schema and __type, so they are exempt. It runs after validation, so
// fragments exist and form no cycles; the walk still guards against both.
type operationLimits struct {
	maxDepth, complexityLimit int
	noIntrospection           bool
}

// aliasLimit refuses an operation with more than max aliases. It runs after
// gqlgen's complexity limit, which names the real cost of a few costly
// aliased fields, and catches floods of cheap ones.
type aliasLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = operationLimits{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = aliasLimit{}

func (operationLimits) ExtensionName() string                   { return "OperationLimits" }
func (operationLimits) Validate(graphql.ExecutableSchema) error { return nil }
func (aliasLimit) ExtensionName() string                        { return "AliasLimit" }
func (aliasLimit) Validate(graphql.ExecutableSchema) error      { return nil }

// MutateOperationContext checks the operation about to run. It also answers
// a request whose deadline passed before execution, which gqlgen would
// otherwise answer with an empty body.
func (l operationLimits) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return coded(models.Timeout, "the request ran out of time")
	}
	shape := measure(opCtx)
	switch {
	case l.noIntrospection && shape.introspects:
		return coded(models.IntrospectionDisabled, "introspection is disabled on this server")
	case shape.depth > l.maxDepth:
		return coded(models.QueryTooDeep, fmt.Sprintf("query is nested %d levels deep, more than the limit of %d", shape.depth, l.maxDepth))
	case shape.fields > l.complexityLimit:
		return coded(models.ComplexityLimitExceeded, fmt.Sprintf("operation has complexity at least %d, which exceeds the limit of %d", shape.fields, l.complexityLimit))
	}
	return checkArguments(opCtx)
}

func (l aliasLimit) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if n := measure(opCtx).aliases; n > l.max {
		return coded(models.TooManyAliases, fmt.Sprintf("query has %d aliases, more than the limit of %d", n, l.max))
	}
	return nil
}

func measure(opCtx *graphql.OperationContext) shape {
	w := &shapeWalker{fragments: opCtx.Doc.Fragments, done: map[string]shape{}, walking: map[string]bool{}}
	return w.selectionSet(opCtx.Operation.SelectionSet)
}

// shape is what the limits measure of a selection set. The selections
// under __schema and __type count towards none of it.
type shape struct {
	depth       int  // levels of nested fields
	fields      int  // fields, each fragment spread counted again, capped at countCap
	aliases     int  // aliased fields, counted the same way
	introspects bool // selects __schema or __type
}

// countCap keeps counts from overflowing: fragments spread twice in each of
// n nested fragments count 2^n.
const countCap = 1 << 40

func (s *shape) add(o shape) {
	s.depth = max(s.depth, o.depth)
	s.fields = min(s.fields+o.fields, countCap)
	s.aliases = min(s.aliases+o.aliases, countCap)
	s.introspects = s.introspects || o.introspects
}

// shapeWalker measures selection sets, each named fragment once.
type shapeWalker struct {
	fragments ast.FragmentDefinitionList
	done      map[string]shape
	walking   map[string]bool
}

func (w *shapeWalker) selectionSet(set ast.SelectionSet) shape {
	var out shape
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			out.add(w.field(sel))
		case *ast.InlineFragment:
			out.add(w.selectionSet(sel.SelectionSet))
		case *ast.FragmentSpread:
			out.add(w.fragment(sel.Name))
		}
	}
	return out
}

func (w *shapeWalker) field(f *ast.Field) shape {
	var out shape
	if f.Name == "__schema" || f.Name == "__type" {
		out.introspects = true
	} else {
		out = w.selectionSet(f.SelectionSet)
		out.fields = min(out.fields+1, countCap)
	}
	out.depth++
	if f.Alias != "" && f.Alias != f.Name {
		out.aliases = min(out.aliases+1, countCap)
	}
	return out
}

// fragment measures a named fragment relative to where it is spread; a
// fragment that spreads itself counts nothing the second time round.
func (w *shapeWalker) fragment(name string) shape {
	if s, ok := w.done[name]; ok {
		return s
	}
	def := w.fragments.ForName(name)
	if def == nil || w.walking[name] {
		return shape{}
	}
	w.walking[name] = true
	s := w.selectionSet(def.SelectionSet)
	w.walking[name] = false
	w.done[name] = s
	return s
}

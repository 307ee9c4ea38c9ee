// Package gqlinline holds what internal/gqlgen's passes put in place of parts
// of gqlgen's runtime in the generated executor (graph/generated.go): the
// same work done on the caller's goroutine, without what gqlgen allocates for
// concurrency that the generated code below the root no longer uses (and,
// in MarshalResponse, without a response buffer grown from empty). Each
// function keeps what the generated code relies on from the one it
// replaces; the tests beside it check that against gqlgen's own.
package gqlinline

import (
	"context"
	"io"

	"github.com/99designs/gqlgen/graphql"
)

// MarshalSlice marshals a list's elements one after another on the calling
// goroutine. internal/gqlgen puts it in place of gqlgen's
// graphql.MarshalSliceConcurrently, which starts a goroutine per element: no
// element below the root does I/O, so those goroutines only cost. It keeps
// what MarshalSliceConcurrently gives each element: a field context carrying
// its index (for error paths and fc.Result), and a recovered panic nulls that
// element alone, reported like a resolver's error.
func MarshalSlice(ctx context.Context, n int, marshal func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	ret := make(graphql.Array, n)
	if n == 0 {
		return ret
	}
	// One allocation for all the field contexts and indexes instead of two per element.
	fcs := make([]graphql.FieldContext, n)
	idx := make([]int, n)
	for i := range n {
		idx[i] = i
		fcs[i].Index = &idx[i]
		ret[i] = marshalElement(graphql.WithFieldContext(ctx, &fcs[i]), i, marshal)
	}
	return ret
}

func marshalElement(ctx context.Context, i int, marshal func(ctx context.Context, i int) graphql.Marshaler) (m graphql.Marshaler) {
	defer func() {
		if r := recover(); r != nil {
			graphql.AddError(ctx, graphql.Recover(ctx, r))
			m = graphql.Null
		}
	}()
	return marshal(ctx, i)
}

// FieldSet is graphql.FieldSet for an object none of whose fields is
// resolved concurrently, put in its place by internal/gqlgen: the generated
// code fills the same Values and counts the same Invalids, but there is
// nothing to dispatch, and it writes itself without what
// FieldSet.MarshalGQL allocates for every object (a map of the aliases
// written, and a copy of each CollectedField escaping through an iterator).
type FieldSet struct {
	fields   []graphql.CollectedField
	Values   []graphql.Marshaler
	Invalids uint32
}

// NewFieldSet is graphql.NewFieldSet for a FieldSet.
func NewFieldSet(fields []graphql.CollectedField) *FieldSet {
	return &FieldSet{fields: fields, Values: make([]graphql.Marshaler, len(fields))}
}

// Dispatch does nothing: every field's value is set when it is collected.
func (*FieldSet) Dispatch(context.Context) {}

// MarshalGQL writes the object as FieldSet.MarshalGQL does: the fields in
// order under their aliases, a repeated alias only the first time. An alias
// is a GraphQL name ([_A-Za-z][_0-9A-Za-z]*), so it needs no escaping.
func (s *FieldSet) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, "{")
	first := true
	for i := range s.fields {
		alias := s.fields[i].Alias
		if repeated(s.fields[:i], alias) {
			continue
		}
		if first {
			_, _ = io.WriteString(w, `"`)
			first = false
		} else {
			_, _ = io.WriteString(w, `,"`)
		}
		_, _ = io.WriteString(w, alias)
		_, _ = io.WriteString(w, `":`)
		s.Values[i].MarshalGQL(w)
	}
	_, _ = io.WriteString(w, "}")
}

// repeated reports whether one of fields has the alias.
func repeated(fields []graphql.CollectedField, alias string) bool {
	for i := range fields {
		if fields[i].Alias == alias {
			return true
		}
	}
	return false
}

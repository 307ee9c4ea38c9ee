package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// marshalSliceInline marshals a list's elements one after another on the
// calling goroutine. internal/gqlgen puts it in place of gqlgen's
// graphql.MarshalSliceConcurrently, which starts a goroutine per element: no
// element below the root does I/O, so those goroutines only cost. It keeps
// what MarshalSliceConcurrently gives each element: a field context carrying
// its index (for error paths and fc.Result), and a recovered panic nulls that
// element alone, reported like a resolver's error.
func marshalSliceInline(ctx context.Context, n int, marshal func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
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

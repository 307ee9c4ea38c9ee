package gqlinline

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestMarshalSlice checks what the generated list marshalling relies on:
// each element sees a field context with its own index under the list's,
// and a panicking element is null and reported at its own path while the
// others are marshalled.
func TestMarshalSlice(t *testing.T) {
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter,
		func(_ context.Context, r any) error { return fmt.Errorf("%v", r) })
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "list"}}})
	var paths []string
	ret := MarshalSlice(ctx, 3, func(ctx context.Context, i int) graphql.Marshaler {
		paths = append(paths, graphql.GetFieldContext(ctx).Path().String())
		if i == 1 {
			panic("element 1")
		}
		return graphql.MarshalInt(i)
	})
	if want := []string{"list[0]", "list[1]", "list[2]"}; len(paths) != 3 || paths[0] != want[0] || paths[1] != want[1] || paths[2] != want[2] {
		t.Errorf("paths %v, want %v", paths, want)
	}
	if len(ret) != 3 || ret[0] == graphql.Null || ret[1] != graphql.Null || ret[2] == graphql.Null {
		t.Errorf("elements %v: want the panicking one alone null", ret)
	}
	errs := graphql.GetErrors(ctx)
	if len(errs) != 1 || errs[0].Path.String() != "list[1]" {
		t.Errorf("errors %v: want one, at list[1]", errs)
	}
}

// TestFieldSetWritesAsGraphqlFieldSet checks that an object is written
// byte for byte as gqlgen's FieldSet writes it: fields in order under their
// aliases, a repeated alias once (the first value), an empty selection as {}.
func TestFieldSetWritesAsGraphqlFieldSet(t *testing.T) {
	field := func(alias string) graphql.CollectedField {
		return graphql.CollectedField{Field: &ast.Field{Alias: alias, Name: alias}}
	}
	for _, tc := range []struct {
		name   string
		fields []graphql.CollectedField
	}{
		{"empty", nil},
		{"one", []graphql.CollectedField{field("runId")}},
		{"several", []graphql.CollectedField{field("__typename"), field("a"), field("b_2"), field("c")}},
		{"repeated alias", []graphql.CollectedField{field("a"), field("b"), field("a"), field("c"), field("b")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, got := graphql.NewFieldSet(tc.fields), NewFieldSet(tc.fields)
			for i := range tc.fields {
				v := graphql.MarshalString(fmt.Sprintf("value %d of %s", i, tc.fields[i].Alias))
				if i%3 == 2 {
					v = graphql.Null
				}
				want.Values[i], got.Values[i] = v, v
			}
			var wantBuf, gotBuf bytes.Buffer
			want.MarshalGQL(&wantBuf)
			got.MarshalGQL(&gotBuf)
			if gotBuf.String() != wantBuf.String() {
				t.Errorf("gqlinline.FieldSet wrote\n%s\ngraphql.FieldSet writes\n%s", gotBuf.String(), wantBuf.String())
			}
		})
	}
}

// TestMarshalResponse checks that a response is written as the generated
// code writes it into an empty buffer, and that the second response of a
// document, sized by the first, fits its buffer with room to append to.
func TestMarshalResponse(t *testing.T) {
	opCtx := &graphql.OperationContext{RawQuery: "{ session(sessionId: \"s\") { name } }"}
	data := graphql.Array{graphql.MarshalString(string(bytes.Repeat([]byte("ä\"\n"), 3000))), graphql.MarshalInt(1), graphql.Null}
	var want bytes.Buffer
	data.MarshalGQL(&want)
	for i := range 2 {
		got := MarshalResponse(opCtx, data)
		if !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("response %d: %.80q…, want %.80q…", i, got, want.Bytes())
		}
		if i == 1 && cap(got)-len(got) < responseSlack {
			t.Errorf("second response: %d bytes of room after %d, want at least %d", cap(got)-len(got), len(got), responseSlack)
		}
	}
}

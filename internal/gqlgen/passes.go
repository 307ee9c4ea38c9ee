package main

import (
	"bytes"
	"fmt"
	"regexp"
)

// A pass rewrites one construct of the executor as gqlgen writes it and
// returns how many places it changed. Each matches gqlgen's text exactly and
// leaves anything else as gqlgen wrote it, so a pass that no longer finds its
// construct after a gqlgen upgrade changes nothing. No pass depends on
// another having run.
type pass struct {
	name    string
	rewrite func(src []byte) ([]byte, int)
}

// passes are all the passes, in the order they run.
var passes = []pass{
	{"inlineSlices", inlineSlices},
	{"dropUnusedDeferredGroups", dropUnusedDeferredGroups},
	{"inlineFieldSets", inlineFieldSets},
	{"inlineLeafFields", inlineLeafFields},
	{"sizeResponses", sizeResponses},
	{"lazyComplexityContexts", lazyComplexityContexts},
}

// sliceCall is gqlgen's list marshalling call with its generated arguments:
// the context, the length, the worker limit (exec.worker_limit) and
// omit_panic_handler. With another worker limit, or without the panic
// handler gqlinline.MarshalSlice keeps, it does not match.
var sliceCall = []byte("graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, ")

// inlineSlices has lists of objects marshalled by gqlinline.MarshalSlice,
// element after element on the caller's goroutine, instead of
// graphql.MarshalSliceConcurrently, which starts a goroutine per element.
func inlineSlices(src []byte) ([]byte, int) {
	return bytes.ReplaceAll(src, sliceCall, []byte("gqlinline.MarshalSlice(ctx, len(v), ")), bytes.Count(src, sliceCall)
}

// newDeferredGroup is the first statement of every object's marshalling:
// it computes the object's path and allocates a field set and a map for its
// @defer'd fields. Only fields resolved concurrently below the root can be
// deferred, so in an object that hands the group to no field (with
// inlineBelowRoot, every object) it stays empty, and the zero
// DeferredGroup, which the generated code only asks for its length, does
// the same without those allocations.
var newDeferredGroup = []byte("\tdeferred := graphql.NewDeferredGroup(ctx)\n")

func dropUnusedDeferredGroups(src []byte) ([]byte, int) {
	n := 0
	out := eachFunc(src, func(f []byte) []byte {
		if bytes.Count(f, newDeferredGroup) != 1 || bytes.Contains(f, []byte("&deferred")) {
			return f
		}
		n++
		return bytes.Replace(f, newDeferredGroup, []byte("\tvar deferred graphql.DeferredGroup // nothing here can be deferred (internal/gqlgen dropUnusedDeferredGroups)\n"), 1)
	})
	return out, n
}

// newFieldSet is the field set every object's marshalling starts from.
var newFieldSet = []byte("\tout := graphql.NewFieldSet(fields)\n")

// inlineFieldSets has the objects that resolve no field concurrently (all
// but the Query root) collect their fields' values in a gqlinline.FieldSet
// instead of a graphql.FieldSet: the same Values and Invalids, nothing to
// dispatch, and written without FieldSet.MarshalGQL's allocations. An
// object whose marshalling calls anything of FieldSet's that
// gqlinline.FieldSet lacks (its Resolve…Concurrently methods) keeps
// graphql.FieldSet.
func inlineFieldSets(src []byte) ([]byte, int) {
	n := 0
	out := eachFunc(src, func(f []byte) []byte {
		if bytes.Count(f, newFieldSet) != 1 || bytes.Contains(f, []byte("Concurrently")) {
			return f
		}
		n++
		return bytes.Replace(f, newFieldSet, []byte("\tout := gqlinline.NewFieldSet(fields)\n"), 1)
	})
	return out, n
}

// eachFunc has rewrite rewrite the text of each top-level function of src
// (from one "\nfunc " to the next).
func eachFunc(src []byte, rewrite func(f []byte) []byte) []byte {
	funcs := bytes.Split(src, []byte("\nfunc "))
	for i, f := range funcs {
		funcs[i] = rewrite(f)
	}
	return bytes.Join(funcs, []byte("\nfunc "))
}

// getterField is a field function as gqlgen generates it for a getter
// without context or error: ResolveField with no middleware chain, a
// resolver returning obj's method or struct field, a marshaller, and the
// panic handler on.
var getterField = regexp.MustCompile(`(func \(ec \*executionContext\) _\w+\(ctx context\.Context, field graphql\.CollectedField, obj \*?[\w.]+\) \(ret graphql\.Marshaler\) \{
)\treturn graphql\.ResolveField\(
\t\tctx,
\t\tec\.OperationContext,
\t\tfield,
\t\tfunc\(ctx context\.Context, field graphql\.CollectedField\) \(\*graphql\.FieldContext, error\) \{
\t\t\treturn ec\.fieldContext_\w+\(ctx, field\)
\t\t\},
\t\tfunc\(ctx context\.Context\) \(any, error\) \{
\t\t\treturn (obj\.\w+(?:\(\))?), nil
\t\t\},
\t\tnil,
\t\tfunc\(ctx context\.Context, selections ast\.SelectionSet, v [^)]+\) graphql\.Marshaler \{
\t\t\treturn ec\.(marshal[NO][^(]+)\(ctx, selections, v\)
\t\t\},
\t\ttrue,
\t\t(?:true|false),
\t\)
\}`)

// getterFieldParts are getterField's submatches.
type getterFieldParts struct {
	head, getter, marshal []byte
}

// eachGetterField has rewrite rewrite each getter field function of src;
// one it returns nil for stays as it is.
func eachGetterField(src []byte, rewrite func(getterFieldParts) []byte) ([]byte, int) {
	n := 0
	out := getterField.ReplaceAllFunc(src, func(m []byte) []byte {
		sub := getterField.FindSubmatch(m)
		r := rewrite(getterFieldParts{head: sub[1], getter: sub[2], marshal: sub[3]})
		if r == nil {
			return m
		}
		n++
		return r
	})
	return out, n
}

// cannotFail are the marshallers that neither report an error nor read the
// field context: their value never marshals to null where the schema
// forbids it, and it is written without a check (floats are not among
// them: gqlgen reports an infinite float at the field's path).
var cannotFail = regexp.MustCompile(`^marshal(N(String2string|Boolean2bool|Int2int|ID2string|DateTime2timeᚐTime)|O(String2ᚖstring|Boolean2ᚖbool|Int2ᚖint|JSON2sessiongraphᚋmodelsᚐJSON|DateTime2ᚖtimeᚐTime))$`)

// inlineLeafFields has each leaf field whose getter and marshaller cannot
// fail call the marshaller directly instead of graphql.ResolveField, which
// builds a field context, a context, closures and a boxed result for it.
// What it loses is what it cannot use: field interceptors (graph's server
// has none, see TestNoFieldInterceptors), a field context no error will ask
// for, and a recover of its own (a panic in such a getter nulls the
// enclosing object or list element instead of the field alone).
func inlineLeafFields(src []byte) ([]byte, int) {
	return eachGetterField(src, func(f getterFieldParts) []byte {
		if !cannotFail.Match(f.marshal) {
			return nil
		}
		return fmt.Appendf(nil, "%s\treturn ec.%s(ctx, field.Selections, %s)\n}", f.head, f.marshal, f.getter)
	})
}

// queryResponse is how the generated query executor marshals a response's
// data: into an empty buffer, which grows by doubling from 64 bytes.
var queryResponse = []byte("\t\t\tvar buf bytes.Buffer\n\t\t\tdata.MarshalGQL(&buf)\n\t\t\tresponse.Data = buf.Bytes()\n")

// sizeResponses has the query executor marshal a response's data with
// gqlinline.MarshalResponse, into a buffer sized for the last response of
// the same document: one allocation instead of a dozen, and no copies.
func sizeResponses(src []byte) ([]byte, int) {
	return bytes.ReplaceAll(src, queryResponse, []byte("\t\t\tresponse.Data = gqlinline.MarshalResponse(opCtx, data)\n")), bytes.Count(src, queryResponse)
}

// complexityContext is how the generated Complexity starts: an execution
// context, which it only uses to read the arguments of fields that have
// some, built for every field the complexity walk visits (2 allocations).
var complexityContext = []byte("\tec := newExecutionContext(nil, e, nil)\n\t_ = ec\n")

// complexityArgs is how Complexity reads a field's arguments.
var complexityArgs = []byte("args, err := ec.field_")

// lazyComplexityContexts has Complexity build its execution context only
// for a field with arguments, where it reads them. A Complexity that uses
// the context otherwise stays as gqlgen wrote it.
func lazyComplexityContexts(src []byte) ([]byte, int) {
	n := 0
	out := eachFunc(src, func(f []byte) []byte {
		if !bytes.HasPrefix(f, []byte("(e *executableSchema) Complexity(")) || bytes.Count(f, complexityContext) != 1 {
			return f
		}
		lazy := bytes.Replace(f, complexityContext, nil, 1)
		if bytes.Count(lazy, []byte("ec.")) != bytes.Count(lazy, complexityArgs) {
			return f
		}
		n++
		return bytes.ReplaceAll(lazy, complexityArgs, []byte("args, err := newExecutionContext(nil, e, nil).field_"))
	})
	return out, n
}

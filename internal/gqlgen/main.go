// Command gqlgen is `gqlgen generate` for this module (run by `go generate
// ./graph`), with changes to the executor it writes, chiefly: below the
// root, a field is resolved on its parent's goroutine and a list's elements
// one after another, never a goroutine each.
//
// gqlgen runs every field bound to a resolver or to a method taking a context
// on a goroutine of its own, and every element of a list of objects on
// another (gqlgen issues #3202 and #4321). Here nothing below the root does
// I/O: a page's runs, messages and tools are all in the rows its root field
// read (the statement budget of issue 3), so those goroutines only cost: for
// one session's run tree about fifty per request, each growing its stack
// through gqlgen's deep call chains. Root fields stay concurrent, so two root
// fields of one query still read the database at the same time.
//
// The change is made in places gqlgen leaves open:
//   - a plugin (gqlgen calls CodeGenerator plugins with the data the executor is
//     generated from, before generating it) sets DisableConcurrency, which gqlgen
//     itself sets on the Mutation root, on every object below the root;
//   - list marshalling, for which gqlgen has no switch, is rewritten from
//     graphql.MarshalSliceConcurrently to gqlinline.MarshalSlice,
//     which keeps its per-element field context and panic recovery. Generation
//     fails if gqlgen's output no longer has the expected call;
//   - an object that resolves no field concurrently starts from an empty
//     DeferredGroup instead of building one (its path, a field set, a map)
//     that nothing can fill (dropUnusedDeferredGroups);
//   - such an object collects its fields' values in gqlinline.FieldSet,
//     which writes them without FieldSet.MarshalGQL's allocations
//     (inlineFieldSets);
//   - a leaf field that cannot fail (a getter without context or error,
//     marshalled as a string, boolean, integer, id, date-time or JSON
//     document) calls its marshaller directly instead of going through
//     graphql.ResolveField, which builds a field context, a context, closures
//     and a boxed result for it (inlineLeafFields);
//   - any other field with such a getter and a slice or pointer value goes
//     through gqlinline.ResolveField: its field context and recover, without
//     ResolveField's closures and boxed result (inlineLeafFields).
package main

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"reflect"
	"regexp"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
	"golang.org/x/tools/go/ast/astutil"

	"sessiongraph/internal/gqlinline"
)

func main() {
	if err := generate(); err != nil {
		fmt.Fprintln(os.Stderr, "gqlgen:", err)
		os.Exit(1)
	}
}

func generate() error {
	cfg, err := config.LoadConfigFromDefaultLocations()
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no gqlgen.yml in this directory or above it")
	}
	if err != nil {
		return err
	}
	if err := api.Generate(cfg, api.AddPlugin(inlineBelowRoot{})); err != nil {
		return err
	}
	src, err := os.ReadFile(cfg.Exec.Filename)
	if err != nil {
		return err
	}
	if src, err = rewriteSlices(src); err != nil {
		return fmt.Errorf("%s: %w", cfg.Exec.Filename, err)
	}
	if src, err = inlineLeafFields(src); err != nil {
		return fmt.Errorf("%s: %w", cfg.Exec.Filename, err)
	}
	if src, err = inlineFieldSets(dropUnusedDeferredGroups(src)); err != nil {
		return fmt.Errorf("%s: %w", cfg.Exec.Filename, err)
	}
	if src, err = formatExec(src); err != nil {
		return fmt.Errorf("%s: %w", cfg.Exec.Filename, err)
	}
	return os.WriteFile(cfg.Exec.Filename, src, 0o644)
}

// gqlinlinePath is the import path of the package whose calls the passes
// put into the executor.
var gqlinlinePath = reflect.TypeFor[gqlinline.FieldSet]().PkgPath()

// formatExec formats the rewritten executor, importing gqlinline if the
// passes put a call to it in.
func formatExec(src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	if callsGqlinline(f) {
		astutil.AddImport(fset, f, gqlinlinePath)
	}
	var out bytes.Buffer
	if err := format.Node(&out, fset, f); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// callsGqlinline reports whether f refers to something of gqlinline's.
func callsGqlinline(f *ast.File) bool {
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "gqlinline" {
				found = true
			}
		}
		return !found
	})
	return found
}

// inlineBelowRoot resolves the fields of every non-root object inline.
type inlineBelowRoot struct{}

func (inlineBelowRoot) Name() string { return "inline-below-root" }

func (inlineBelowRoot) GenerateCode(data *codegen.Data) error {
	for _, o := range data.Objects {
		if !o.Root {
			o.DisableConcurrency = true
		}
	}
	return nil
}

// sliceCall is gqlgen's list marshalling call with its generated arguments:
// the context, the length, the worker limit (exec.worker_limit) and
// omit_panic_handler.
var sliceCall = []byte("graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, ")

func rewriteSlices(src []byte) ([]byte, error) {
	n := bytes.Count(src, sliceCall)
	if n == 0 || bytes.Count(src, []byte("MarshalSliceConcurrently")) != n {
		return nil, fmt.Errorf("gqlgen's list marshalling is not the expected graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, …) call; update internal/gqlgen")
	}
	return bytes.ReplaceAll(src, sliceCall, []byte("gqlinline.MarshalSlice(ctx, len(v), ")), nil
}

// newDeferredGroup is the first statement of every object's marshalling:
// it computes the object's path and allocates a field set and a map for its
// @defer'd fields. Only fields resolved concurrently can be deferred, so in
// an object without any (everything below the root) the group stays empty
// and the zero DeferredGroup, which the generated code only asks for its
// length, does the same without those allocations.
var newDeferredGroup = []byte("\tdeferred := graphql.NewDeferredGroup(ctx)\n")

func dropUnusedDeferredGroups(src []byte) []byte {
	funcs := bytes.Split(src, []byte("\nfunc "))
	for i, f := range funcs {
		if bytes.Contains(f, newDeferredGroup) && !bytes.Contains(f, []byte("&deferred")) {
			funcs[i] = bytes.Replace(f, newDeferredGroup, []byte("\tvar deferred graphql.DeferredGroup // below the root nothing is deferred (internal/gqlgen)\n"), 1)
		}
	}
	return bytes.Join(funcs, []byte("\nfunc "))
}

// belowRoot marks, after dropUnusedDeferredGroups, an object's marshalling
// that defers nothing; one that also resolves nothing concurrently (the
// Query root does) resolves every field inline.
var belowRoot = []byte("var deferred graphql.DeferredGroup // below the root nothing is deferred (internal/gqlgen)")

// newFieldSet is the field set every object's marshalling starts from.
var newFieldSet = []byte("\tout := graphql.NewFieldSet(fields)\n")

// inlineFieldSets has the objects below the root collect their fields'
// values in a gqlinline.FieldSet instead of a graphql.FieldSet: the same
// Values and Invalids, nothing to dispatch, and written without
// FieldSet.MarshalGQL's allocations. A generated call to anything else of
// FieldSet's (Concurrently, NewView) would not compile.
func inlineFieldSets(src []byte) ([]byte, error) {
	funcs := bytes.Split(src, []byte("\nfunc "))
	n := 0
	for i, f := range funcs {
		if bytes.Contains(f, belowRoot) && bytes.Count(f, newFieldSet) == 1 && !bytes.Contains(f, []byte("Concurrently")) {
			funcs[i] = bytes.Replace(f, newFieldSet, []byte("\tout := gqlinline.NewFieldSet(fields)\n"), 1)
			n++
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("no object below the root starts from graphql.NewFieldSet(fields); update inlineFieldSets")
	}
	return bytes.Join(funcs, []byte("\nfunc ")), nil
}

// leafField is a field function as gqlgen generates it for a getter
// without context or error: ResolveField with no middleware chain, a
// resolver returning obj's method or struct field, and a marshaller.
var leafField = regexp.MustCompile(`(func \(ec \*executionContext\) _\w+\(ctx context\.Context, field graphql\.CollectedField, obj \*?[\w.]+\) \(ret graphql\.Marshaler\) \{
)\treturn graphql\.ResolveField\(
\t\tctx,
\t\tec\.OperationContext,
\t\tfield,
\t\tfunc\(ctx context\.Context, field graphql\.CollectedField\) \(\*graphql\.FieldContext, error\) \{
\t\t\treturn ec\.(fieldContext_\w+)\(ctx, field\)
\t\t\},
\t\tfunc\(ctx context\.Context\) \(any, error\) \{
\t\t\treturn (obj\.\w+(?:\(\))?), nil
\t\t\},
\t\tnil,
\t\tfunc\(ctx context\.Context, selections ast\.SelectionSet, v ([^)]+)\) graphql\.Marshaler \{
\t\t\treturn ec\.(marshal[NO][^(]+)\(ctx, selections, v\)
\t\t\},
\t\ttrue,
\t\t(?:true|false),
\t\)
\}`)

// cannotFail are the marshallers that neither report an error nor read the
// field context: their value never marshals to null where the schema
// forbids it, and it is written without a check (floats are not among
// them: gqlgen reports an infinite float at the field's path).
var cannotFail = regexp.MustCompile(`^marshal(N(String2string|Boolean2bool|Int2int|ID2string|DateTime2timeᚐTime)|O(String2ᚖstring|Boolean2ᚖbool|Int2ᚖint|JSON2sessiongraphᚋmodelsᚐJSON|DateTime2ᚖtimeᚐTime))$`)

// inlineLeafFields has the fields whose getter cannot fail skip
// graphql.ResolveField. A leaf whose marshaller cannot fail either calls the
// marshaller directly. What it loses is what it cannot use: field
// interceptors (the handler has none, see graph.handlerExtensions), a field
// context no error will ask for, and a recover of its own (a panic in such a
// getter nulls the enclosing object or list element instead of the field
// alone). Any other such field whose value is a slice or a pointer (never a
// nil interface, which ResolveField treats apart) goes through
// gqlinline.ResolveField: the same field context and recover, without
// ResolveField's closures, interceptor call and boxed result.
func inlineLeafFields(src []byte) ([]byte, error) {
	leaves, others := 0, 0
	out := leafField.ReplaceAllFunc(src, func(m []byte) []byte {
		sub := leafField.FindSubmatch(m)
		head, fieldContext, getter, typ, marshal := sub[1], sub[2], sub[3], sub[4], sub[5]
		switch {
		case cannotFail.Match(marshal):
			leaves++
			return []byte(fmt.Sprintf("%s\treturn ec.%s(ctx, field.Selections, %s)\n}", head, marshal, getter))
		case bytes.HasPrefix(typ, []byte("[]")) || bytes.HasPrefix(typ, []byte("*")):
			others++
			return []byte(fmt.Sprintf("%s\tfc, err := ec.%s(ctx, field)\n\tif err != nil {\n\t\treturn graphql.Null\n\t}\n"+
				"\treturn gqlinline.ResolveField(ctx, ec.OperationContext, fc, func() %s { return %s }, ec.%s)\n}", head, fieldContext, typ, getter, marshal))
		}
		return m
	})
	if leaves == 0 || others == 0 {
		return nil, fmt.Errorf("no field function in the shape internal/gqlgen expects; update inlineLeafFields")
	}
	return out, nil
}

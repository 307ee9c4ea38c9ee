package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"reflect"
	"slices"
	"strings"

	"golang.org/x/tools/go/ast/astutil"

	"sessiongraph/internal/gqlinline"
)

// applyPasses runs ps over the executor gqlgen wrote and returns the
// result, formatted, with gqlinline imported if a pass put a call to it in
// and a header naming each pass that changed something (sorted, so that the
// header does not depend on their order) and how many places it changed,
// and how many places each of ps changed.
func applyPasses(stock []byte, ps []pass) ([]byte, []int, error) {
	src := stock
	counts := make([]int, len(ps))
	var header []string
	for i, p := range ps {
		src, counts[i] = p.rewrite(src)
		if counts[i] > 0 {
			header = append(header, fmt.Sprintf("//\t%s %d\n", p.name, counts[i]))
		}
	}
	if len(header) == 0 {
		return stock, counts, nil
	}
	slices.Sort(header)
	pkg := bytes.Index(src, []byte("\npackage "))
	if pkg < 0 {
		return nil, nil, fmt.Errorf("no package clause")
	}
	src = slices.Concat(src[:pkg+1], []byte(headerTitle+"\n"+strings.Join(header, "")+"\n"), src[pkg+1:])
	src, err := formatExec(src)
	return src, counts, err
}

// headerTitle opens the header applyPasses writes above the package clause,
// which lists the passes that changed the executor, one a line.
const headerTitle = "// Rewritten by internal/gqlgen (docs/development.md); places each pass changed:"

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

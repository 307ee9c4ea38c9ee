package main

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"reflect"

	"golang.org/x/tools/go/ast/astutil"

	"sessiongraph/internal/gqlinline"
)

// applyPasses runs ps over the executor gqlgen wrote and returns the
// result, formatted, with gqlinline imported if a pass put a call to it in,
// and how many places each of ps changed.
func applyPasses(stock []byte, ps []pass) ([]byte, []int, error) {
	src := stock
	counts := make([]int, len(ps))
	for i, p := range ps {
		src, counts[i] = p.rewrite(src)
	}
	src, err := formatExec(src)
	return src, counts, err
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

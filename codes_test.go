package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sessiongraph/models"
)

// TestErrorCodesAreDeclaredOnce: an error code's string appears in the
// server's code only where models declares it; everything else names the
// constant, so that metrics (telemetry.MetricCode) and the docs, which take
// the list from models.Codes, cannot miss one.
func TestErrorCodesAreDeclaredOnce(t *testing.T) {
	codes := map[string]bool{}
	for _, c := range models.Codes {
		codes[string(c)] = true
	}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || path == filepath.Join("models", "errors.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && codes[s] {
					t.Errorf("%s: the error code %s is spelled out; use its models constant", fset.Position(lit.Pos()), s)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestErrorCodesAreDocumented: the README's "Errors and limits" section
// names every code of models.Codes, and no code-like word that is not one.
func TestErrorCodesAreDocumented(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	start := strings.Index(readme, "## Errors and limits")
	if start < 0 {
		t.Fatal(`README.md has no "## Errors and limits" section`)
	}
	section := readme[start:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	for _, c := range models.Codes {
		if !strings.Contains(section, "`"+string(c)+"`") {
			t.Errorf("README's Errors and limits section does not name `%s`", c)
		}
	}
	for _, m := range regexp.MustCompile("`([A-Z][A-Z_]{3,})`").FindAllStringSubmatch(section, -1) {
		if !slices.Contains(models.Codes, models.Code(m[1])) {
			t.Errorf("README's Errors and limits section names `%s`, which is not a code of models.Codes", m[1])
		}
	}
}

package graph_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"

	"sessiongraph/graph"
)

var update = flag.Bool("update", false, "rewrite testdata/schema.graphql from the executable schema (TestSchemaSnapshot)")

// schemaSnapshot is the committed SDL of the API, as clients see it.
var schemaSnapshot = filepath.Join("testdata", "schema.graphql")

// TestSchemaSnapshot compares the schema the server executes, printed by
// gqlparser's formatter, with the committed snapshot, so that every change
// to the public contract shows in review. Fields may be added and
// deprecated, never renamed or removed. After a deliberate change:
//
//	go test ./graph -run TestSchemaSnapshot -update
func TestSchemaSnapshot(t *testing.T) {
	var b bytes.Buffer
	formatter.NewFormatter(&b, formatter.WithIndent("  ")).FormatSchema(graph.NewExecutableSchema(graph.Config{}).Schema())
	got := b.Bytes()
	if *update {
		if err := os.MkdirAll(filepath.Dir(schemaSnapshot), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(schemaSnapshot, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(schemaSnapshot)
	if err != nil {
		t.Fatalf("%v (write it with: go test ./graph -run TestSchemaSnapshot -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the schema differs from %s; if the change is deliberate, run: go test ./graph -run TestSchemaSnapshot -update\n%s",
			schemaSnapshot, firstDifference(string(want), string(got)))
	}
}

// firstDifference shows the first line where two texts differ, with context.
func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n snapshot: " + wl + "\n schema:   " + gl
		}
	}
	return ""
}

// TestEveryPartOfTheSchemaIsDescribed fails for any type, field, argument,
// input field or enum value of ours without a description: GraphiQL and
// generated clients show them, and they are the API's reference.
func TestEveryPartOfTheSchemaIsDescribed(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	for name, def := range schema.Types {
		if def.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		if strings.TrimSpace(def.Description) == "" {
			t.Errorf("type %s has no description", name)
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if strings.TrimSpace(f.Description) == "" {
				t.Errorf("%s %s.%s has no description", fieldKind(def), name, f.Name)
			}
			for _, a := range f.Arguments {
				if strings.TrimSpace(a.Description) == "" {
					t.Errorf("argument %s.%s(%s:) has no description", name, f.Name, a.Name)
				}
			}
		}
		for _, v := range def.EnumValues {
			if strings.TrimSpace(v.Description) == "" {
				t.Errorf("enum value %s.%s has no description", name, v.Name)
			}
		}
	}
	for name, d := range schema.Directives {
		if d.Position != nil && d.Position.Src != nil && d.Position.Src.BuiltIn {
			continue
		}
		if strings.TrimSpace(d.Description) == "" {
			t.Errorf("directive @%s has no description", name)
		}
	}
}

func fieldKind(def *ast.Definition) string {
	if def.Kind == ast.InputObject {
		return "input field"
	}
	return "field"
}

// TestRESTMappingExamplesAreValid checks every GraphQL example of
// docs/rest-to-graphql.md against the schema, so that the mapping cannot
// drift from the API.
func TestRESTMappingExamplesAreValid(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "rest-to-graphql.md"))
	if err != nil {
		t.Fatal(err)
	}
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	blocks := strings.Split(string(doc), "```graphql\n")[1:]
	if len(blocks) == 0 {
		t.Fatal("no GraphQL examples found")
	}
	for i, block := range blocks {
		src, _, _ := strings.Cut(block, "```")
		for _, op := range strings.Split(strings.TrimSpace(src), "\n\n") {
			if _, errs := gqlparser.LoadQuery(schema, op); len(errs) > 0 {
				t.Errorf("example %d:\n%s\n%v", i+1, op, errs)
			}
		}
	}
}

package db

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"sessiongraph/internal/testpg"
	"sessiongraph/models"
)

// TestRawBindsAsGorm checks Store.raw against gorm's Raw: the same SQL text
// and the same bound variables, for the queries the reads build and for
// what raw hands to Raw itself, on both dialects.
func TestRawBindsAsGorm(t *testing.T) {
	ctx := context.Background()
	for name, url := range map[string]string{
		"sqlite":   filepath.Join(t.TempDir(), "agno.db"),
		"postgres": testpg.NewDatabase(t),
	} {
		t.Run(name, func(t *testing.T) {
			s, err := Open(ctx, Options{URL: url, CreateLayout: LayoutV2})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			first := 100
			cols := models.SessionColumns{RunsWindow: &models.RunsRequest{First: &first}}
			list, listArgs := s.selectList(s.lay(), cols)
			cases := []struct {
				name  string
				query string
				vars  []any
			}{
				{"a session's row", "SELECT " + list + " FROM " + s.from + s.runsCopy(cols) + " WHERE session_id = ?", append(listArgs, "s-1")},
				{"no variables", "SELECT 1", nil},
				{"after a parenthesis", "SELECT * FROM t WHERE (a, b) < (?, ?) AND c = ?", []any{1, "x", int64(3)}},
				{"a list", "SELECT * FROM t WHERE a IN ?", []any{[]string{"a", "b"}}},
				{"an []any list after a parenthesis", "SELECT * FROM t WHERE a IN (?)", []any{[]any{"a", "b"}}},
				{"more variables than placeholders", "SELECT * FROM t WHERE a = ?", []any{1, 2}},
				{"fewer", "SELECT * FROM t WHERE a = ? AND b = ?", []any{1}},
				{"named", "SELECT * FROM t WHERE a = @a", []any{map[string]any{"a": 1}}},
				{"a placeholder at either end", "?SELECT ?", []any{1, 2}},
			}
			for _, c := range cases {
				want := s.db.WithContext(ctx).Raw(c.query, c.vars...).Statement
				got := s.raw(ctx, c.query, c.vars...).Statement
				if g, w := got.SQL.String(), want.SQL.String(); g != w {
					t.Errorf("%s: SQL\n%s\nwant (gorm's Raw)\n%s", c.name, g, w)
				}
				if g, w := got.Vars, want.Vars; !reflect.DeepEqual(g, w) {
					t.Errorf("%s: variables %#v, want (gorm's Raw) %#v", c.name, g, w)
				}
				if got.DB == nil || got.Context != ctx {
					t.Errorf("%s: the statement is not bound to a session with the context", c.name)
				}
			}
		})
	}
}

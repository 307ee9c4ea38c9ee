package db_test

import (
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"sessiongraph/dataset"
	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

// TestRecommendedIndexesServeEveryListing checks, with the query planner's
// own word (EXPLAIN), that each order and filter combination the indexes
// are for reads a deep page from its index.
func TestRecommendedIndexesServeEveryListing(t *testing.T) {
	rows := dataset.Rows(dataset.Realistic(11, 3000, time.Unix(1760000000, 0)))
	agent, team := models.SessionTypeAgent, models.SessionTypeTeam
	str := func(s string) *string { return &s }
	created := models.DefaultSessionOrder
	updated := models.SessionOrder{Field: models.SessionOrderFieldUpdatedAt, Direction: models.OrderDirectionDesc}
	byName := models.SessionOrder{Field: models.SessionOrderFieldName, Direction: models.OrderDirectionAsc}
	cases := []struct {
		name   string
		filter *models.SessionFilter
		order  models.SessionOrder
		index  string
	}{
		{"newest first", nil, created, "sg_agno_sessions_created"},
		{"recently updated first", nil, updated, "sg_agno_sessions_updated"},
		{"by name", nil, byName, "sg_agno_sessions_name"},
		{"one type, newest first", &models.SessionFilter{Type: &team}, created, "sg_agno_sessions_type_created"},
		{"one type, recently updated first", &models.SessionFilter{Type: &agent}, updated, "sg_agno_sessions_type_updated"},
		{"one user, newest first", &models.SessionFilter{UserID: str("ana@example.com")}, created, "sg_agno_sessions_user_created"},
		{"one user, recently updated first", &models.SessionFilter{UserID: str("ana@example.com")}, updated, "sg_agno_sessions_user_updated"},
		{"one agent, newest first", &models.SessionFilter{Type: &agent, ComponentID: str("support")}, created, "sg_agno_sessions_agent_created"},
	}
	stores := map[string]*db.Store{"sqlite": agnotest.OpenSQLite(t), "postgres": agnotest.OpenPostgres(t)}
	for name, s := range stores {
		t.Run(name, func(t *testing.T) {
			if err := s.InsertRows(ctx, rows, db.PlainJSON); err != nil {
				t.Fatal(err)
			}
			made := 0
			report := func(_ db.Index, _ time.Duration, created bool) {
				if created {
					made++
				}
			}
			if err := s.CreateIndexes(ctx, report); err != nil {
				t.Fatal(err)
			}
			if want := len(s.RecommendedIndexes()); made != want {
				t.Errorf("created %d indexes, want %d", made, want)
			}
			made = 0
			if err := s.CreateIndexes(ctx, report); err != nil || made != 0 {
				t.Errorf("a second run created %d indexes (%v), want none", made, err)
			}
			for _, c := range cases {
				first := 20
				page, err := s.ListSessions(ctx, c.filter, c.order, models.PageArgs{First: &first}, models.SessionColumns{})
				if err != nil || len(page.Keys) == 0 {
					t.Fatalf("%s: %v", c.name, err)
				}
				cursor := page.Keys[len(page.Keys)-1].Encode()
				plan := explain(t, s, func() {
					if _, err := s.ListSessions(ctx, c.filter, c.order, models.PageArgs{First: &first, After: &cursor}, models.SessionColumns{}); err != nil {
						t.Fatal(err)
					}
				})
				if !strings.Contains(plan, c.index) {
					t.Errorf("%s: the plan does not use %s:\n%s", c.name, c.index, plan)
				}
			}
		})
	}
}

// explain runs list once to capture its statement, then returns the plan of that statement.
func explain(t *testing.T, s *db.Store, list func()) string {
	t.Helper()
	var sql string
	var vars []any
	cb := s.GORM().Callback().Row()
	if err := cb.After("gorm:row").Register("test:capture", func(d *gorm.DB) {
		sql, vars = d.Statement.SQL.String(), d.Statement.Vars
	}); err != nil {
		t.Fatal(err)
	}
	list()
	_ = cb.Remove("test:capture")
	prefix := "EXPLAIN "
	if s.Dialect() == db.SQLite {
		prefix = "EXPLAIN QUERY PLAN "
	}
	conn, _ := s.GORM().DB()
	rows, err := conn.QueryContext(ctx, prefix+sql, vars...)
	if err != nil {
		t.Fatalf("explain: %v", err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var plan strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		_ = rows.Scan(ptrs...)
		plan.WriteString(strings.TrimSpace(strings.Trim(strings.Join(strings.Fields(stringOf(vals[len(vals)-1])), " "), " ")) + "\n")
	}
	return plan.String()
}

func stringOf(v any) string {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case string:
		return x
	}
	return ""
}

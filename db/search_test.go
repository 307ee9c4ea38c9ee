package db_test

import (
	"context"
	"encoding/json"
	"fmt"
	neturl "net/url"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"sessiongraph/dataset"
	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
	"sessiongraph/internal/testpg"
	"sessiongraph/models"
)

// TestCaseFoldAgrees checks that PostgreSQL's lower() under the Store's
// fold collation and SQLite's sg_lower (Go's strings.ToLower) lower-case
// every assigned character of the Basic Multilingual Plane and of the first
// supplementary blocks alike, so that textContains answers the same on both.
func TestCaseFoldAgrees(t *testing.T) {
	pg, lite := agnotest.OpenPostgres(t), agnotest.OpenSQLite(t)
	if pg.Fold() == "" {
		t.Skip("this PostgreSQL has no collation that folds case per character; textContains folds with the database's own")
	}
	var text strings.Builder
	for r := rune(1); r < 0x10500; r++ {
		if utf8.ValidRune(r) && strings.ToUpper(string(r)) != strings.ToLower(string(r)) {
			text.WriteRune(r)
		}
	}
	var fromPG, fromSQLite string
	if err := pg.GORM().WithContext(context.Background()).Raw("SELECT lower(CAST(? AS text)"+pg.Fold()+")", text.String()).Scan(&fromPG).Error; err != nil {
		t.Fatal(err)
	}
	if err := lite.GORM().WithContext(context.Background()).Raw("SELECT sg_lower(?)", text.String()).Scan(&fromSQLite).Error; err != nil {
		t.Fatal(err)
	}
	pgRunes, sqliteRunes, in := []rune(fromPG), []rune(fromSQLite), []rune(text.String())
	if len(pgRunes) != len(in) || len(sqliteRunes) != len(in) {
		t.Fatalf("lower-casing changed the length: %d characters, %d from PostgreSQL, %d from SQLite", len(in), len(pgRunes), len(sqliteRunes))
	}
	var differ []string
	for i, r := range in {
		if pgRunes[i] != sqliteRunes[i] {
			differ = append(differ, string(r)+"→"+string(pgRunes[i])+"|"+string(sqliteRunes[i]))
		}
	}
	if len(differ) > 0 {
		t.Errorf("%d of %d characters lower-case differently (PostgreSQL|SQLite): %s", len(differ), len(in), strings.Join(differ, " "))
	}
}

// TestTrigramIndexServesTextContains checks, with EXPLAIN, that once
// migrate-indexes has built the trigram index, a textContains search reads
// the runs it names from it instead of every run.
func TestTrigramIndexServesTextContains(t *testing.T) {
	rows := dataset.Rows(dataset.Realistic(11, 3000, time.Unix(1760000000, 0)))
	s := agnotest.OpenPostgres(t, agnotest.V3)
	if err := s.InsertRows(ctx, rows, db.PlainJSON); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateIndexes(ctx, func(ix db.Index, _ time.Duration, _ bool) {
		if ix.Unavailable != "" {
			t.Fatalf("%s: %s", ix.Name, ix.Unavailable)
		}
	}); err != nil {
		t.Fatal(err)
	}
	first := 20
	for _, needle := range []string{"Zanzibar quokka", "QUOKKA"} {
		filter := &models.SessionFilter{TextContains: &needle}
		plan := explain(t, s, func() {
			if _, err := s.ListSessions(ctx, filter, models.DefaultSessionOrder, models.PageArgs{First: &first}, models.SessionColumns{}); err != nil {
				t.Fatal(err)
			}
		})
		if !strings.Contains(plan, "sg_agno_runs_messages_trgm") {
			t.Errorf("%q: the plan does not use the trigram index:\n%s", needle, plan)
		}
	}
}

// TestModelFacetReadsTheModelIndex checks that facets' models of every
// session, once migrate-indexes has built the runs' model index, is read
// from it (EXPLAIN) and answers what the statement reading every run does.
func TestModelFacetReadsTheModelIndex(t *testing.T) {
	rows := dataset.Rows(dataset.Realistic(11, 600, time.Unix(1760000000, 0)))
	s := agnotest.OpenPostgres(t, agnotest.V3)
	if err := s.InsertRows(ctx, rows, db.PlainJSON); err != nil {
		t.Fatal(err)
	}
	facet := func() []*models.FacetValue {
		v, err := s.FacetValues(ctx, db.FacetModels, nil, 100)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	want := facet()
	if len(want) < 2 {
		t.Fatalf("the dataset's runs have %d models; the comparison needs several", len(want))
	}
	if err := s.CreateIndexes(ctx, func(db.Index, time.Duration, bool) {}); err != nil {
		t.Fatal(err)
	}
	plan := explain(t, s, func() { facet() })
	if !strings.Contains(plan, "sg_agno_runs_model") {
		t.Errorf("the plan does not use the model index:\n%s", plan)
	}
	if got := facet(); !reflect.DeepEqual(got, want) {
		t.Errorf("with the index: %s\nwithout: %s", jsonOf(got), jsonOf(want))
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestIndexesWithoutPgTrgm checks that migrate-indexes, for a role that
// may not create the pg_trgm extension, reports the trigram index as
// skipped with the reason and builds every other index.
func TestIndexesWithoutPgTrgm(t *testing.T) {
	url := testpg.NewDatabase(t)
	owner, err := db.Open(ctx, db.Options{URL: url, CreateLayout: db.LayoutV3})
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	role := fmt.Sprintf("sg_noext_%d", time.Now().UnixNano())
	for _, stmt := range []string{
		"CREATE ROLE " + role + " LOGIN", "GRANT USAGE, CREATE ON SCHEMA ai TO " + role,
		"ALTER TABLE ai.agno_sessions OWNER TO " + role, "ALTER TABLE ai.agno_runs OWNER TO " + role,
	} {
		if err := owner.GORM().Exec(stmt).Error; err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	t.Cleanup(func() { _ = owner.GORM().Exec("DROP OWNED BY " + role + "; DROP ROLE " + role).Error })
	asRole, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	asRole.User = neturl.User(role)
	s, err := db.Open(ctx, db.Options{URL: asRole.String()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	built, skipped := 0, map[string]string{}
	if err := s.CreateIndexes(ctx, func(ix db.Index, _ time.Duration, created bool) {
		if created {
			built++
		}
		if ix.Unavailable != "" {
			skipped[ix.Name] = ix.Unavailable
		}
	}); err != nil {
		t.Fatal(err)
	}
	if want := len(s.RecommendedIndexes()) - 1; built != want || len(skipped) != 1 || !strings.Contains(skipped["sg_agno_runs_messages_trgm"], "pg_trgm") {
		t.Errorf("built %d indexes (want %d), skipped %v", built, want, skipped)
	}
}

package db_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
	"sessiongraph/internal/testpg"
	"sessiongraph/models"
)

func TestMain(m *testing.M) { testpg.Main(m) }

var ctx = context.Background()

func TestParseURL(t *testing.T) {
	cases := []struct {
		name, in string
		dialect  db.Dialect
		dsn      string
	}{
		{"a postgres URL is kept", "postgres://u:p@h:5432/agno?sslmode=disable", db.Postgres, "postgres://u:p@h:5432/agno?sslmode=disable"},
		{"a postgresql URL becomes postgres", "postgresql://u@h/agno", db.Postgres, "postgres://u@h/agno"},
		{"SQLAlchemy's psycopg URL is accepted", "postgresql+psycopg://ai:ai@localhost:5532/ai", db.Postgres, "postgres://ai:ai@localhost:5532/ai"},
		{"SQLAlchemy's psycopg2 URL is accepted", "postgresql+psycopg2://ai@localhost/ai", db.Postgres, "postgres://ai@localhost/ai"},
		{"sqlite:/// is a relative path", "sqlite:///tmp/agno.db", db.SQLite, "tmp/agno.db"},
		{"sqlite://// is an absolute path", "sqlite:////var/data/agno.db", db.SQLite, "/var/data/agno.db"},
		{"a plain file path is SQLite", "./agno.db", db.SQLite, "./agno.db"},
		{"a bare file name is SQLite", "agno.db", db.SQLite, "agno.db"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := db.ParseURL(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Dialect != c.dialect || got.DSN != c.dsn {
				t.Errorf("ParseURL(%q) = %+v, want %s %q", c.in, got, c.dialect, c.dsn)
			}
		})
	}
	for _, bad := range []string{"", "mysql://h/db", "sqlite://", "postgres:///nohost", "localhost:5432"} {
		t.Run("rejects "+bad, func(t *testing.T) {
			if _, err := db.ParseURL(bad); err == nil {
				t.Errorf("ParseURL(%q) succeeded", bad)
			}
		})
	}
}

// stores returns an empty store per dialect.
func stores(t *testing.T) map[string]*db.Store {
	return map[string]*db.Store{"sqlite": agnotest.OpenSQLite(t), "postgres": agnotest.OpenPostgres(t)}
}

func TestOpenCreatesAgnosTable(t *testing.T) {
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			var cols []string
			var indexes []string
			var version string
			g := s.GORM()
			if name == "postgres" {
				g.Raw(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'ai' AND table_name = 'agno_sessions' ORDER BY ordinal_position`).Scan(&cols)
				g.Raw(`SELECT indexname FROM pg_indexes WHERE schemaname = 'ai' AND tablename = 'agno_sessions' ORDER BY indexname`).Scan(&indexes)
				g.Raw(`SELECT version FROM ai.agno_schema_versions WHERE table_name = 'agno_sessions'`).Scan(&version)
				var types []string
				g.Raw(`SELECT data_type FROM information_schema.columns WHERE table_schema = 'ai' AND table_name = 'agno_sessions' ORDER BY ordinal_position`).Scan(&types)
				if types[6] != "jsonb" || types[13] != "bigint" {
					t.Errorf("column types = %v", types)
				}
			} else {
				g.Raw(`SELECT name FROM pragma_table_info('agno_sessions') ORDER BY cid`).Scan(&cols)
				g.Raw(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'agno_sessions' AND name LIKE 'idx_%' ORDER BY name`).Scan(&indexes)
				g.Raw(`SELECT version FROM agno_schema_versions WHERE table_name = 'agno_sessions'`).Scan(&version)
			}
			want := []string{"session_id", "session_type", "agent_id", "team_id", "workflow_id", "user_id", "session_data", "agent_data",
				"team_data", "workflow_data", "metadata", "runs", "summary", "created_at", "updated_at"}
			if !reflect.DeepEqual(cols, want) {
				t.Errorf("columns = %v, want %v", cols, want)
			}
			wantIdx := []string{"idx_agno_sessions_created_at", "idx_agno_sessions_session_type"}
			if name == "postgres" {
				wantIdx = []string{"agno_sessions_pkey", "idx_agno_sessions_created_at", "idx_agno_sessions_session_type"}
			}
			if !reflect.DeepEqual(indexes, wantIdx) {
				t.Errorf("indexes = %v, want %v", indexes, wantIdx)
			}
			if version != "2.5.6" {
				t.Errorf("agno_schema_versions records %q, want 2.5.6 as Agno does", version)
			}
		})
	}
}

func TestOpenNeverAltersAnExistingTable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "agno.db")
	first, err := db.Open(ctx, db.Options{URL: path, CreateLayout: db.LayoutV2})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.GORM().Exec(`ALTER TABLE agno_sessions ADD COLUMN workspace_id VARCHAR`).Error; err != nil {
		t.Fatal(err)
	}
	first.Close()

	t.Run("a table with an extra column is used as it is", func(t *testing.T) {
		s, err := db.Open(ctx, db.Options{URL: path})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var cols []string
		s.GORM().Raw(`SELECT name FROM pragma_table_info('agno_sessions')`).Scan(&cols)
		if len(cols) != 16 || cols[15] != "workspace_id" {
			t.Errorf("columns changed: %v", cols)
		}
	})
	t.Run("a table that lacks a column Agno writes is refused", func(t *testing.T) {
		other := filepath.Join(dir, "other.db")
		s, err := db.Open(ctx, db.Options{URL: other, Table: "custom"})
		if err != nil {
			t.Fatal(err)
		}
		s.GORM().Exec(`CREATE TABLE not_agno (session_id VARCHAR PRIMARY KEY, created_at BIGINT)`)
		s.Close()
		_, err = db.Open(ctx, db.Options{URL: other, Table: "not_agno"})
		if err == nil || !strings.Contains(err.Error(), "missing columns session_type") {
			t.Fatalf("Open on a foreign table: %v", err)
		}
	})
}

// rawColumn returns a column's stored text.
func rawColumn(t *testing.T, s *db.Store, sessionID, column string) *string {
	t.Helper()
	var v *string
	table := `agno_sessions`
	if s.Dialect() == db.Postgres {
		table = `ai.agno_sessions`
		column = column + "::text"
	}
	if err := s.GORM().Raw(`SELECT `+column+` FROM `+table+` WHERE session_id = ?`, sessionID).Scan(&v).Error; err != nil {
		t.Fatal(err)
	}
	return v
}

func TestInsertRowsWritesAgnosSQLiteEncoding(t *testing.T) {
	s := agnotest.OpenSQLite(t)
	row := models.SessionRow{SessionID: "s1", SessionType: "agent", SessionData: json.RawMessage(`{"session_name":"Café Alpha"}`),
		Metadata: json.RawMessage(`null`), CreatedAt: 1}
	if err := s.InsertRows(ctx, []models.SessionRow{row}, db.DoubleEncoded); err != nil {
		t.Fatal(err)
	}
	// The exact bytes reference/agno-sessions.md §1.3 shows for Agno 2.9.
	if got := *rawColumn(t, s, "s1", "session_data"); got != `"{\"session_name\": \"Caf\\u00e9 Alpha\"}"` {
		t.Errorf("session_data stored as %s", got)
	}
	if got := *rawColumn(t, s, "s1", "metadata"); got != `null` {
		t.Errorf("a JSON null column is stored as %s, want the text null", got)
	}
	if got := rawColumn(t, s, "s1", "runs"); got != nil {
		t.Errorf("an absent column is stored as %q, want SQL NULL", *got)
	}
}

func TestRenameSession(t *testing.T) {
	rows := agnotest.LoadRows(t, "sessions.json")
	nullData := models.SessionRow{SessionID: "s-null", SessionType: "agent", AgentID: ptr("a"), CreatedAt: 5, UpdatedAt: ptr(int64(5)),
		Metadata: json.RawMessage(`{"k":"v"}`), Runs: json.RawMessage(`[]`)}
	rows = append(rows, nullData)
	for _, b := range agnotest.Backends(t, rows) {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Store
			before := map[string]*string{}
			for _, c := range []string{"runs", "metadata", "agent_data", "summary", "created_at", "user_id", "session_type"} {
				before[c] = rawColumn(t, s, "s-100", c)
			}
			start := time.Now().Unix()
			row, err := s.RenameSession(ctx, "s-100", "  Renamed 🎉  ", nil)
			if err != nil {
				t.Fatal(err)
			}
			sess := models.NewSession(s.ID(), *row)
			if sess.Core().Name() != "Renamed 🎉" {
				t.Errorf("name = %q", sess.Core().Name())
			}
			if row.UpdatedAt == nil || *row.UpdatedAt < start {
				t.Errorf("updated_at = %v, want now", row.UpdatedAt)
			}
			var data map[string]any
			json.Unmarshal(row.SessionData, &data)
			if data["session_state"] == nil || data["session_metrics"] == nil {
				t.Errorf("rename dropped session_data keys: %v", data)
			}
			for c, v := range before {
				if after := rawColumn(t, s, "s-100", c); !reflect.DeepEqual(after, v) {
					t.Errorf("rename changed column %s", c)
				}
			}
			raw := *rawColumn(t, s, "s-100", "session_data")
			switch b.Name {
			case "sqlite double-encoded":
				if !strings.HasPrefix(raw, `"`) {
					t.Errorf("a double-encoded row was rewritten in another encoding: %s", raw)
				}
			default:
				if !strings.HasPrefix(raw, `{`) {
					t.Errorf("a plain row was rewritten in another encoding: %s", raw)
				}
			}

			for _, id := range []string{"s-102", "s-null"} { // JSON null and SQL NULL session_data
				row, err := s.RenameSession(ctx, id, "Named", nil)
				if err != nil {
					t.Fatalf("%s: %v", id, err)
				}
				if string(models.NewSession(s.ID(), *row).Core().Name()) != "Named" {
					t.Errorf("%s not renamed", id)
				}
			}
			if got := *rawColumn(t, s, "s-null", "session_data"); b.Name == "sqlite double-encoded" && !strings.HasPrefix(got, `"`) {
				t.Errorf("SQL NULL session_data in a double-encoded table became %s", got)
			}

			team := models.SessionTypeTeam
			if _, err := s.RenameSession(ctx, "s-100", "x", &team); models.ErrorCode(err) != models.NotFound {
				t.Errorf("rename with another type: %v, want NOT_FOUND", err)
			}
			if _, err := s.RenameSession(ctx, "nope", "x", nil); models.ErrorCode(err) != models.NotFound {
				t.Errorf("rename of an unknown id: %v, want NOT_FOUND", err)
			}
			for _, bad := range []string{"   ", strings.Repeat("x", 513), "tab\there", "nul\x00"} {
				if _, err := s.RenameSession(ctx, "s-101", bad, nil); models.ErrorCode(err) != models.BadUserInput {
					t.Errorf("rename to %q: %v, want BAD_USER_INPUT", bad, err)
				}
			}
			if got := rawColumn(t, s, "s-101", "updated_at"); got != nil {
				t.Errorf("a refused rename wrote updated_at = %s", *got)
			}
		})
	}
}

func TestDeleteSessions(t *testing.T) {
	rows := agnotest.LoadRows(t, "sessions.json")
	for _, b := range agnotest.Backends(t, rows) {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Store
			agent, team := models.SessionTypeAgent, models.SessionTypeTeam
			if _, _, err := s.DeleteSessions(ctx, []string{"s-100", "s-200"}, []models.SessionType{agent}); models.ErrorCode(err) != models.BadUserInput {
				t.Errorf("types of another length: %v", err)
			}
			deleted, notFound, err := s.DeleteSessions(ctx, []string{"s-200", "s-100", "missing", "s-100", "s-101"},
				[]models.SessionType{team, agent, agent, agent, team})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(deleted, []string{"s-200", "s-100"}) || !reflect.DeepEqual(notFound, []string{"missing", "s-101"}) {
				t.Errorf("deleted %v, not found %v", deleted, notFound)
			}
			if r, _ := s.GetSession(ctx, "s-101", nil, models.SessionColumns{}); r == nil {
				t.Error("s-101 (a session of another type) was deleted")
			}
			if err := s.DeleteSession(ctx, "s-101", &team); models.ErrorCode(err) != models.NotFound {
				t.Errorf("deleting with another type: %v", err)
			}
			if err := s.DeleteSession(ctx, "s-101", nil); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteSession(ctx, "s-101", nil); models.ErrorCode(err) != models.NotFound {
				t.Errorf("deleting twice: %v", err)
			}
			// A legacy row (empty session_type) is deleted by its derived type.
			deleted, _, _ = s.DeleteSessions(ctx, []string{"s-500"}, []models.SessionType{agent})
			if len(deleted) != 1 {
				t.Errorf("legacy row not deleted by its derived type: %v", deleted)
			}
			many := make([]string, models.MaxBatchDelete+1)
			if _, _, err := s.DeleteSessions(ctx, many, nil); models.ErrorCode(err) != models.BadUserInput {
				t.Errorf("%d ids: %v", len(many), err)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestCountsAreReusedUntilOurOwnWrite(t *testing.T) {
	s, err := db.Open(ctx, db.Options{URL: filepath.Join(t.TempDir(), "agno.db"), CountCacheTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows := agnotest.LoadRows(t, "sessions.json")
	if err := s.InsertRows(ctx, rows[:5], db.PlainJSON); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountSessions(ctx, nil); n != 5 {
		t.Fatalf("count = %d", n)
	}
	// A write by Agno (not through the Store) shows once the answer expires.
	s.GORM().Exec(`INSERT INTO agno_sessions (session_id, session_type, created_at) VALUES ('agno-new', 'agent', 1)`)
	if n, _ := s.CountSessions(ctx, nil); n != 5 {
		t.Errorf("count within the TTL = %d, want the reused 5", n)
	}
	if err := s.DeleteSession(ctx, "s-100", nil); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountSessions(ctx, nil); n != 5 { // 5 + Agno's row - ours
		t.Errorf("count after our delete = %d, want 5 counted afresh", n)
	}
	if n, _ := s.CountSessions(ctx, &models.SessionFilter{UserID: ptr("u-7")}); n != 1 {
		t.Errorf("a filtered count = %d, want 1 (s-103; s-100 is deleted)", n)
	}
}

func TestPostgresSessionsRunWithoutJIT(t *testing.T) {
	s := agnotest.OpenPostgres(t)
	var jit string
	if err := s.GORM().Raw("SHOW jit").Scan(&jit).Error; err != nil {
		t.Fatal(err)
	}
	if jit != "off" {
		t.Errorf("jit = %q on the Store's connections, want off", jit)
	}
}

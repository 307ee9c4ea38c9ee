package main

import (
	"io"
	"path/filepath"
	"strings"
	"testing"

	"sessiongraph/db"
)

// TestGenSQLite writes a small dataset into SQLite files in both layouts
// and counts what the Store reads back; a second run refuses the file.
func TestGenSQLite(t *testing.T) {
	for _, layout := range []string{"v3", "v2"} {
		t.Run("gen writes a SQLite file in layout "+layout, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "agno.db")
			args := []string{"gen", "--db", "sqlite:///" + path, "--sessions", "30", "--runs", "3", "--messages", "4", "--layout", layout}
			if err := run(t.Context(), args, io.Discard, io.Discard); err != nil {
				t.Fatal(err)
			}
			store, err := db.Open(t.Context(), db.Options{URL: path})
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			if n, err := store.CountSessions(t.Context(), nil); err != nil || n != 30 {
				t.Errorf("%d sessions (%v), want 30", n, err)
			}
			if hasTable := store.Describe().RunsTable != nil; hasTable != (layout == "v3") {
				t.Errorf("runs table %v in layout %s", hasTable, layout)
			}
			err = run(t.Context(), args, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), "already holds 30 sessions") {
				t.Errorf("a second gen into the same file: %v, want a refusal", err)
			}
		})
	}
}

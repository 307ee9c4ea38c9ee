package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestLinkedDatabaseDrivers lists the packages the server is built from
// and fails on a database driver other than the two it opens (pgx and
// modernc.org/sqlite), which GORM's dialects and plugins have brought in
// before, and on a package outside the standard library that needs cgo:
// the server must build the same with CGO_ENABLED=0, as the Dockerfile does.
func TestLinkedDatabaseDrivers(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}} {{len .CgoFiles}}", ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1") // so that cgo files count
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	unused := []string{
		"gorm.io/driver/", // but postgres, below
		"github.com/mattn/go-sqlite3",
		"github.com/glebarez/go-sqlite",
		"github.com/ncruces/go-sqlite3",
		"github.com/go-sql-driver/mysql",
		"github.com/ClickHouse/",
		"github.com/lib/pq",
		"github.com/microsoft/go-mssqldb",
	}
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		if len(fields) != 3 {
			t.Fatalf("go list printed %q", line)
		}
		path, standard, cgoFiles := fields[0], fields[1], fields[2]
		for _, prefix := range unused {
			if strings.HasPrefix(path, prefix) && !strings.HasPrefix(path, "gorm.io/driver/postgres") {
				t.Errorf("the server links %s, a database driver it does not use", path)
			}
		}
		if standard == "false" && cgoFiles != "0" {
			t.Errorf("the server links %s, which needs cgo", path)
		}
	}
}

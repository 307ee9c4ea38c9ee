package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestReadmeLayoutNamesEveryFolder: the README's Layout section names every
// top-level folder of the repository (as `name/`), and no folder that is
// gone.
func TestReadmeLayoutNamesEveryFolder(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, layout, ok := strings.Cut(string(raw), "\n## Layout\n")
	if !ok {
		t.Fatal(`README.md has no "## Layout" section`)
	}
	layout, _, _ = strings.Cut(layout, "\n## ")
	for _, dir := range topLevelFolders(t) {
		if !strings.Contains(layout, "`"+dir+"/") {
			t.Errorf("README's Layout section does not name `%s/`", dir)
		}
	}
}

// topLevelFolders lists the top-level folders git tracks (hidden ones
// aside), or, outside a git checkout, those on disk.
func topLevelFolders(t *testing.T) []string {
	t.Helper()
	seen := map[string]bool{}
	var out []string
	if files, err := exec.Command("git", "ls-files").Output(); err == nil {
		for _, f := range strings.Split(string(files), "\n") {
			if dir, _, ok := strings.Cut(f, "/"); ok && !strings.HasPrefix(dir, ".") && !seen[dir] {
				seen[dir] = true
				out = append(out, dir)
			}
		}
		return out
	}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	return out
}

package config

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestConfigurationDocMatchesTheTable keeps docs/configuration.md true to
// settings: a table row for every setting naming its flag, its environment
// variable (and its _FILE twin for a secret) and its default; no row for a
// flag that does not exist; no SESSIONGRAPH_* or *_FILE variable that no
// setting reads.
func TestConfigurationDocMatchesTheTable(t *testing.T) {
	raw, err := os.ReadFile("../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	rows := flagRows(doc)
	read := map[string]bool{}
	for _, s := range settings {
		read[s.env] = s.env != ""
		if s.secret {
			read[s.env+"_FILE"] = true
		}
		t.Run(s.flag, func(t *testing.T) {
			row, ok := rows[s.flag]
			if !ok {
				t.Fatalf("docs/configuration.md has no table row for --%s (%s)", s.flag, s.help)
			}
			envCell, defCell := row[1], row[2]
			switch {
			case s.env == "" && envCell != "none":
				t.Errorf("--%s has no environment variable, but its row names %q", s.flag, envCell)
			case s.env != "" && !strings.Contains(envCell, "`"+s.env+"`"):
				t.Errorf("the row of --%s does not name its environment variable %s: %q", s.flag, s.env, envCell)
			}
			if s.secret && !strings.Contains(envCell, "`"+s.env+"_FILE`") {
				t.Errorf("the row of secret --%s does not name %s_FILE: %q", s.flag, s.env, envCell)
			}
			want := "`" + s.def + "`"
			if s.def == "" {
				want = map[bool]string{true: "off", false: "none"}[s.kind() == kindBool]
			}
			if !strings.HasPrefix(defCell, want) {
				t.Errorf("the row of --%s does not give its default %s first: %q", s.flag, want, defCell)
			}
		})
	}
	for name := range rows {
		if !slices.ContainsFunc(settings, func(s setting) bool { return s.flag == name }) {
			t.Errorf("docs/configuration.md documents --%s, which is not a setting", name)
		}
	}
	for _, env := range regexp.MustCompile(`\b(SESSIONGRAPH_[A-Z0-9_]+|[A-Z][A-Z0-9_]*_FILE)\b`).FindAllString(doc, -1) {
		if !read[env] {
			t.Errorf("docs/configuration.md mentions %s, which no setting reads", env)
		}
	}
}

// flagRows maps each flag named in the first cell of a markdown table row
// ("| `--name` …") to the row's cells, trimmed.
func flagRows(doc string) map[string][]string {
	rows := map[string][]string{}
	flagPattern := regexp.MustCompile("`--([a-z0-9-]+)")
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(line, "| `--") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if len(cells) < 4 {
			continue
		}
		for _, m := range flagPattern.FindAllStringSubmatch(cells[0], -1) {
			rows[m[1]] = cells
		}
	}
	return rows
}

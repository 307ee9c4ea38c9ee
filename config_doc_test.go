package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestConfigurationDocCoversEveryFlag keeps docs/configuration.md true to
// parseConfig: a table row for every flag it defines, naming the flag's
// environment variable and default; every environment variable it reads
// mentioned; no row for a flag that does not exist.
func TestConfigurationDocCoversEveryFlag(t *testing.T) {
	raw, err := os.ReadFile("docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	rows := flagRows(doc)
	flags := serverFlags(t)
	read := envReadByServer(t)
	for _, f := range flags {
		t.Run(f.name, func(t *testing.T) {
			row, ok := rows[f.name]
			if !ok {
				t.Fatalf("docs/configuration.md has no table row for --%s (%s)", f.name, f.usage)
			}
			for _, env := range f.envs {
				if !mentions(row, env) {
					t.Errorf("the row of --%s does not name its environment variable %s", f.name, env)
				}
				if !read[env] {
					t.Errorf("--help says --%s reads %s, but parseConfig never reads it", f.name, env)
				}
			}
			if f.def != "" && !strings.Contains(row, "`"+f.def+"`") {
				t.Errorf("the row of --%s does not give its default `%s`: %s", f.name, f.def, row)
			}
		})
	}
	for name := range rows {
		if !slices.ContainsFunc(flags, func(f serverFlag) bool { return f.name == name }) {
			t.Errorf("docs/configuration.md documents --%s, which the server does not define", name)
		}
	}
	for env := range read {
		if !mentions(doc, env) {
			t.Errorf("docs/configuration.md does not mention %s, which parseConfig reads", env)
		}
	}
	for _, env := range regexp.MustCompile(`SESSIONGRAPH_[A-Z0-9_]+`).FindAllString(doc, -1) {
		if !read[env] {
			t.Errorf("docs/configuration.md mentions %s, which parseConfig does not read", env)
		}
	}
}

// serverFlag is one flag as --help describes it.
type serverFlag struct {
	name, usage string
	envs        []string // the environment variables its usage names
	def         string   // the default --help prints, "" when none
}

// serverFlags lists the flags of parseConfig's FlagSet from its --help output,
// which PrintDefaults writes as "  -name type" followed by indented usage lines.
func serverFlags(t *testing.T) []serverFlag {
	t.Helper()
	var out bytes.Buffer
	if _, err := parseConfig([]string{"--help"}, env(nil), &out); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	var flags []serverFlag
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "  -"):
			name, _, _ := strings.Cut(strings.TrimPrefix(line, "  -"), " ")
			flags = append(flags, serverFlag{name: name})
		case strings.HasPrefix(line, "    \t") && len(flags) > 0:
			f := &flags[len(flags)-1]
			f.usage = strings.TrimSpace(f.usage + " " + strings.TrimSpace(line))
		}
	}
	if len(flags) == 0 {
		t.Fatalf("found no flags in --help:\n%s", out.String())
	}
	envPattern := regexp.MustCompile(`\benv ([A-Z][A-Z0-9_]*)`)
	defPattern := regexp.MustCompile(`\(default (.+)\)$`)
	for i := range flags {
		f := &flags[i]
		for _, m := range envPattern.FindAllStringSubmatch(f.usage, -1) {
			f.envs = append(f.envs, m[1])
		}
		if m := defPattern.FindStringSubmatch(f.usage); m != nil {
			f.def = m[1]
			if s, err := strconv.Unquote(m[1]); err == nil {
				f.def = s
			}
		}
	}
	return flags
}

// envReadByServer is every environment variable parseConfig looks up.
func envReadByServer(t *testing.T) map[string]bool {
	t.Helper()
	read := map[string]bool{}
	if _, err := parseConfig(nil, func(k string) string { read[k] = true; return "" }, io.Discard); err != nil {
		t.Fatal(err)
	}
	return read
}

// mentions reports whether text names the environment variable as a word.
func mentions(text, env string) bool {
	return regexp.MustCompile(`\b` + regexp.QuoteMeta(env) + `\b`).MatchString(text)
}

// flagRows maps each flag named in the first cell of a markdown table row
// ("| `--name` …") to the whole row.
func flagRows(doc string) map[string]string {
	rows := map[string]string{}
	flagPattern := regexp.MustCompile("`--([a-z0-9-]+)")
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(line, "| `--") {
			continue
		}
		cells := strings.SplitN(line, "|", 3)
		for _, m := range flagPattern.FindAllStringSubmatch(cells[1], -1) {
			rows[m[1]] = line
		}
	}
	return rows
}

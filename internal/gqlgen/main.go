// Command gqlgen is `gqlgen generate` for this module (run by `go generate
// ./graph`), with changes to the executor it writes, chiefly: below the
// root, a field is resolved on its parent's goroutine and a list's elements
// one after another, never a goroutine each.
//
// gqlgen runs every field bound to a resolver or to a method taking a context
// on a goroutine of its own, and every element of a list of objects on
// another (gqlgen issues #3202 and #4321). Here nothing below the root does
// I/O: a page's runs, messages and tools are all in the rows its root field
// read (the statement budget of issue 3), so those goroutines only cost: for
// one session's run tree about fifty per request, each growing its stack
// through gqlgen's deep call chains. Root fields stay concurrent, so two root
// fields of one query still read the database at the same time.
//
// Through gqlgen's public API, always: a plugin (gqlgen calls CodeGenerator
// plugins with the data the executor is generated from, before generating
// it) sets DisableConcurrency, which gqlgen itself sets on the Mutation root,
// on every object below the root.
//
// gqlgen has no switch for the rest, so passes rewrite the text it writes,
// each putting code of internal/gqlinline or a direct call in place of part
// of gqlgen's runtime (passes.go says what each changes and why):
// inlineSlices, dropUnusedDeferredGroups, inlineFieldSets,
// inlineLeafFields, sizeResponses and lazyComplexityContexts.
// SESSIONGRAPH_GQLGEN_PASSES chooses them: unset, empty or "all" runs every
// pass, "none" none (the executor is gqlgen's own), a comma-separated list
// of names those alone. A pass that finds nothing to
// change (gqlgen's output changed shape) is skipped with a warning; if the
// rewritten executor does not build, each pass whose output does not build is
// left out with a warning and the rest kept. Either way that part of the
// executor is as gqlgen wrote it, and the header of the executor, which
// lists the passes that changed it, leaves the pass out. docs/development.md
// has the table of passes and the gqlgen upgrade checklist.
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
)

// passesEnv names the environment variable that chooses the passes.
const passesEnv = "SESSIONGRAPH_GQLGEN_PASSES"

func main() {
	warnf := func(format string, args ...any) { fmt.Fprintf(os.Stderr, "gqlgen: warning: "+format+"\n", args...) }
	if err := generate(os.Getenv(passesEnv), warnf); err != nil {
		fmt.Fprintln(os.Stderr, "gqlgen:", err)
		os.Exit(1)
	}
}

func generate(spec string, warnf func(format string, args ...any)) error {
	ps, err := choosePasses(spec)
	if err != nil {
		return err
	}
	cfg, err := config.LoadConfigFromDefaultLocations()
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no gqlgen.yml in this directory or above it")
	}
	if err != nil {
		return err
	}
	// gqlgen builds what it wrote; here that is done once the passes ran.
	validate := !cfg.SkipValidation
	cfg.SkipValidation = true
	if err := api.Generate(cfg, api.AddPlugin(inlineBelowRoot{})); err != nil {
		return err
	}
	stock, err := os.ReadFile(cfg.Exec.Filename)
	if err != nil {
		return err
	}
	build := func(src []byte) error {
		if err := os.WriteFile(cfg.Exec.Filename, src, 0o644); err != nil || !validate {
			return err
		}
		return goBuild(cfg)
	}
	if err := rewriteExec(stock, ps, build, warnf); err != nil {
		return fmt.Errorf("%s: %w", cfg.Exec.Filename, err)
	}
	return nil
}

// choosePasses returns the passes spec (SESSIONGRAPH_GQLGEN_PASSES) names.
func choosePasses(spec string) ([]pass, error) {
	switch strings.TrimSpace(spec) {
	case "", "all":
		return passes, nil
	case "none":
		return nil, nil
	}
	names := strings.Split(spec, ",")
	for i, name := range names {
		names[i] = strings.TrimSpace(name)
		if !slices.ContainsFunc(passes, func(p pass) bool { return p.name == names[i] }) {
			known := make([]string, len(passes))
			for j, p := range passes {
				known[j] = p.name
			}
			return nil, fmt.Errorf("%s: no pass %q; the passes are %s (or all, or none)", passesEnv, names[i], strings.Join(known, ", "))
		}
	}
	return slices.DeleteFunc(slices.Clone(passes), func(p pass) bool { return !slices.Contains(names, p.name) }), nil
}

// rewriteExec has build write and build the executor as ps rewrite stock,
// gqlgen's own. A pass that changes nothing is reported to warnf. If the
// result does not build while stock does, the passes are tried again one
// at a time from stock, and each whose addition does not build is reported
// and left out.
func rewriteExec(stock []byte, ps []pass, build func(src []byte) error, warnf func(format string, args ...any)) error {
	src, counts, err := applyPasses(stock, ps)
	if err != nil {
		return err
	}
	var applied []pass
	for i, p := range ps {
		if counts[i] == 0 {
			warnf("pass %s found nothing to change: that part of the executor is as gqlgen wrote it (has gqlgen's output changed? see docs/development.md)", p.name)
			continue
		}
		applied = append(applied, p)
	}
	err = build(src)
	if err == nil || len(applied) == 0 {
		return err
	}
	if err := build(stock); err != nil {
		return err
	}
	var kept []pass
	for _, p := range applied {
		try := append(slices.Clip(kept), p)
		src, _, err := applyPasses(stock, try)
		if err == nil {
			err = build(src)
		}
		if err != nil {
			warnf("pass %s left out: the executor it rewrites does not build (has gqlgen's output changed? see docs/development.md): %v", p.name, err)
			continue
		}
		kept = try
	}
	if src, _, err = applyPasses(stock, kept); err != nil {
		return err
	}
	return build(src)
}

// goBuild builds the packages gqlgen writes, as gqlgen's own validation does.
func goBuild(cfg *config.Config) error {
	dirs := []string{cfg.Exec.Dir()}
	if cfg.Model.IsDefined() {
		dirs = append(dirs, cfg.Model.Dir())
	}
	if cfg.Resolver.IsDefined() {
		dirs = append(dirs, cfg.Resolver.Dir())
	}
	slices.Sort(dirs)
	out, err := exec.Command("go", append([]string{"build"}, slices.Compact(dirs)...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("go build: %w\n%s", err, out)
	}
	return nil
}

// inlineBelowRoot resolves the fields of every non-root object inline.
type inlineBelowRoot struct{}

func (inlineBelowRoot) Name() string { return "inline-below-root" }

func (inlineBelowRoot) GenerateCode(data *codegen.Data) error {
	for _, o := range data.Objects {
		if !o.Root {
			o.DisableConcurrency = true
		}
	}
	return nil
}

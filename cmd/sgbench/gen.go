package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	data "sessiongraph/dataset" // cmd/sgbench's own dataset type describes a loaded table
	"sessiongraph/db"
)

// runGen writes a generated dataset into a PostgreSQL database with COPY.
func runGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sgbench gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		target data.CopyTarget
		layout string
		p      data.Exact
	)
	fs.StringVar(&target.URL, "db", "", "PostgreSQL URL (loopback only)")
	fs.StringVar(&target.Schema, "db-schema", "ai", "schema of the sessions table")
	fs.StringVar(&target.Table, "session-table", "agno_sessions", "sessions table (the runs table is named as Agno names it)")
	fs.StringVar(&layout, "layout", "v3", "where the runs go: v3 (Agno 3's runs table) or v2 (Agno 2's runs column)")
	fs.IntVar(&p.Sessions, "sessions", 10000, "sessions to write")
	fs.IntVar(&p.Runs, "runs", 5, "runs per session")
	fs.IntVar(&p.Messages, "messages", 6, "messages per run")
	fs.IntVar(&p.LongSession, "long-session", 0, "when positive, one agent session (the middle one) gets this many runs instead of --runs")
	fs.Int64Var(&p.Seed, "seed", 1, "seed of the generated content")
	fs.BoolVar(&target.Replace, "replace", false, "empty the tables first (TRUNCATE) when they hold rows")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if target.URL == "" {
		return errors.New("gen: --db is required")
	}
	if _, err := loopbackPostgres(target.URL); err != nil {
		return err
	}
	var err error
	if target.Layout, err = db.ParseLayout(layout); err != nil {
		return fmt.Errorf("gen: --layout: %w", err)
	}
	long := ""
	if p.LongSession > 0 {
		long = fmt.Sprintf(" (session %d: %d runs)", p.LongSessionIndex(), p.LongSession)
	}
	fmt.Fprintf(stdout, "writing %d sessions × %d runs%s × %d messages (seed %d) into %s.%s in layout %s …\n",
		p.Sessions, p.Runs, long, p.Messages, p.Seed, target.Schema, target.Table, target.Layout)
	r, err := data.CopyInto(ctx, target, p)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "copied %d sessions", r.Sessions)
	if r.Runs > 0 {
		fmt.Fprintf(stdout, " and %d runs", r.Runs)
	}
	fmt.Fprintf(stdout, " in %.1fs: %.0f sessions/s", r.Elapsed.Seconds(), r.RowsPerSecond())
	if r.Runs > 0 {
		fmt.Fprintf(stdout, " (%.0f runs/s)", r.RunsPerSecond())
	}
	fmt.Fprintf(stdout, ", %.0f MB/s of JSON (%.0f MB); VACUUM (ANALYZE) %.1fs; sessions table %.0f MB",
		float64(r.JSONBytes)/1e6/r.Elapsed.Seconds(), float64(r.JSONBytes)/1e6, r.Vacuum.Seconds(), float64(r.SessionsBytes)/1e6)
	if r.Runs > 0 {
		fmt.Fprintf(stdout, ", runs table %.0f MB", float64(r.RunsBytes)/1e6)
	}
	fmt.Fprintln(stdout)
	return nil
}

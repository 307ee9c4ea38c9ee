package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

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
	fs.StringVar(&target.URL, "db", "", "PostgreSQL URL (loopback only), or a SQLite file (sqlite:///path, written through the Store, plain JSON as later Agno writes it)")
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
	dbTarget, err := loopbackDatabase(target.URL)
	if err != nil {
		return err
	}
	if target.Layout, err = db.ParseLayout(layout); err != nil {
		return fmt.Errorf("gen: --layout: %w", err)
	}
	long := ""
	if p.LongSession > 0 {
		long = fmt.Sprintf(" (session %d: %d runs)", p.LongSessionIndex(), p.LongSession)
	}
	where := target.Schema + "." + target.Table
	if dbTarget.Dialect == db.SQLite {
		where = target.Table + " of " + dbTarget.DSN
	}
	fmt.Fprintf(stdout, "writing %d sessions × %d runs%s × %d messages (seed %d) into %s in layout %s …\n",
		p.Sessions, p.Runs, long, p.Messages, p.Seed, where, target.Layout)
	if dbTarget.Dialect == db.SQLite {
		return genSQLite(ctx, target, p, stdout)
	}
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

// sqliteBatch is how many sessions genSQLite writes per transaction.
const sqliteBatch = 500

// genSQLite writes p into a SQLite file through the Store (dataset.Insert),
// which creates the tables in target's layout when they are missing. It
// refuses a table that holds sessions: --replace is for PostgreSQL only
// (remove the file instead).
func genSQLite(ctx context.Context, target data.CopyTarget, p data.Exact, stdout io.Writer) error {
	if target.Replace {
		return errors.New("gen: --replace is for PostgreSQL; remove the SQLite file instead")
	}
	store, err := db.Open(ctx, db.Options{URL: target.URL, Table: target.Table, CreateLayout: target.Layout})
	if err != nil {
		return err
	}
	defer store.Close()
	n, err := store.CountSessions(ctx, nil)
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("gen: %s already holds %d sessions; remove the file first", target.URL, n)
	}
	start := time.Now()
	runs := 0
	for first := 0; first < p.Len(); first += sqliteBatch {
		batch := make([]data.Session, min(sqliteBatch, p.Len()-first))
		for i := range batch {
			batch[i] = p.Session(first + i)
			runs += len(batch[i].Runs)
		}
		if err := data.Insert(ctx, store, batch, db.PlainJSON); err != nil {
			return err
		}
	}
	layout := fmt.Sprintf("%d runs in the runs column", runs)
	if store.Describe().RunsTable != nil {
		layout = fmt.Sprintf("%d rows in %s", runs, *store.Describe().RunsTable)
	}
	fmt.Fprintf(stdout, "wrote %d sessions (%s) in %.1fs\n", p.Len(), layout, time.Since(start).Seconds())
	return nil
}

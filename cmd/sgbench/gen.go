package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"

	"sessiongraph/bench"
)

// runGen writes a generated dataset into a PostgreSQL database with COPY.
func runGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sgbench gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		dbURL, schema, table string
		spec                 bench.Spec
		replace              bool
	)
	fs.StringVar(&dbURL, "db", "", "PostgreSQL URL (loopback only)")
	fs.StringVar(&schema, "db-schema", "ai", "schema of the sessions table")
	fs.StringVar(&table, "session-table", "agno_sessions", "sessions table")
	fs.IntVar(&spec.Sessions, "sessions", 10000, "sessions to write")
	fs.IntVar(&spec.Runs, "runs", 5, "runs per session")
	fs.IntVar(&spec.Messages, "messages", 6, "messages per run")
	fs.Int64Var(&spec.Seed, "seed", 1, "seed of the generated content")
	fs.BoolVar(&replace, "replace", false, "empty the table first (TRUNCATE) when it holds rows")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if dbURL == "" {
		return errors.New("gen: --db is required")
	}
	dsn, err := loopbackPostgres(dbURL)
	if err != nil {
		return err
	}
	if err := emptyTable(ctx, dsn, schema, table, replace); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "writing %d sessions × %d runs × %d messages (seed %d) into %s.%s …\n",
		spec.Sessions, spec.Runs, spec.Messages, spec.Seed, schema, table)
	r, err := bench.CopyInto(ctx, dbURL, schema, table, spec)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "copied %d sessions in %.1fs: %.0f rows/s, %.0f MB/s of JSON (%.0f MB); VACUUM (ANALYZE) %.1fs; table size %.0f MB\n",
		r.Sessions, r.Elapsed.Seconds(), r.RowsPerSecond(), float64(r.JSONBytes)/1e6/r.Elapsed.Seconds(),
		float64(r.JSONBytes)/1e6, r.Vacuum.Seconds(), float64(r.TableBytes)/1e6)
	return nil
}

// emptyTable makes sure the table holds no rows: it truncates it with
// replace, and otherwise refuses to append to a filled table.
func emptyTable(ctx context.Context, dsn, schema, table string, replace bool) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	ident := pgx.Identifier{schema, table}.Sanitize()
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", ident).Scan(&exists); err != nil || !exists {
		return err
	}
	var filled bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM "+ident+")").Scan(&filled); err != nil || !filled {
		return err
	}
	if !replace {
		return fmt.Errorf("%s already holds sessions; pass --replace to truncate it first", ident)
	}
	_, err = conn.Exec(ctx, "TRUNCATE "+ident)
	return err
}

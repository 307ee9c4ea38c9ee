package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"sessiongraph/config"
	"sessiongraph/db"
)

// command is one of sessiongraph's commands besides serving: it changes
// every configured database, reports what it did to stderr, and exits.
type command func(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error

// commands are the commands by the name given as the first argument.
var commands = map[string]command{
	"migrate-indexes":            migrateIndexes,
	"install-triggers":           installTriggers,
	"uninstall-triggers":         uninstallTriggers,
	"install-analytics-tables":   installAnalyticsTables,
	"uninstall-analytics-tables": uninstallAnalyticsTables,
}

// commandDatabases reads a command's configuration: the databases it
// works on. It returns flag.ErrHelp after --help.
func commandDatabases(name string, args []string, getenv func(string) string, stderr io.Writer) ([]db.Options, error) {
	cfg, err := config.Load(args, getenv, stderr)
	if err != nil {
		return nil, err
	}
	if cfg.Demo {
		return nil, fmt.Errorf("%s works on a --db, not on --demo", name)
	}
	var dbs []db.Options
	for _, d := range cfg.DBs {
		dbs = append(dbs, db.Options{ID: d.ID, URL: d.URL.Reveal(), Schema: cfg.DBSchema, Table: cfg.SessionTable, RunsTable: cfg.RunsTable})
	}
	return dbs, nil
}

// migrateIndexes creates the recommended indexes on every configured
// database (`sessiongraph migrate-indexes --db URL`), reporting each one.
func migrateIndexes(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	dbs, err := commandDatabases("migrate-indexes", args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, o := range dbs {
		s, err := db.Open(ctx, o)
		if err != nil {
			return err
		}
		err = s.CreateIndexes(ctx, func(ix db.Index, took time.Duration, created bool) {
			state := "exists"
			switch {
			case ix.Unavailable != "":
				state = "skipped: " + ix.Unavailable
			case created:
				state = "created in " + took.Round(time.Millisecond).String()
			}
			fmt.Fprintf(stderr, "%s: %s %s — %s\n", o.ID, ix.Name, state, ix.Purpose)
		})
		s.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// installTriggers adds the NOTIFY triggers of live updates to every
// configured PostgreSQL database (`sessiongraph install-triggers --db URL`),
// reporting each object.
func installTriggers(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	return changeTriggers(ctx, "install-triggers", (*db.Store).InstallTriggers, args, getenv, stderr)
}

// uninstallTriggers removes what installTriggers adds.
func uninstallTriggers(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	return changeTriggers(ctx, "uninstall-triggers", (*db.Store).UninstallTriggers, args, getenv, stderr)
}

// installAnalyticsTables adds the analytics tables and their triggers to
// every configured PostgreSQL database (`sessiongraph
// install-analytics-tables --db URL`), reporting each object.
func installAnalyticsTables(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	return changeTriggers(ctx, "install-analytics-tables", (*db.Store).InstallAnalyticsTables, args, getenv, stderr)
}

// uninstallAnalyticsTables removes what installAnalyticsTables adds.
func uninstallAnalyticsTables(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	return changeTriggers(ctx, "uninstall-analytics-tables", (*db.Store).UninstallAnalyticsTables, args, getenv, stderr)
}

// changeTriggers runs install-triggers or uninstall-triggers. Unlike the
// server, it never creates Agno's tables: a sessions table that does not
// exist (a mistyped --session-table) is an error.
func changeTriggers(ctx context.Context, name string, change func(*db.Store, context.Context) ([]db.TriggerObject, error),
	args []string, getenv func(string) string, stderr io.Writer) error {
	dbs, err := commandDatabases(name, args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, o := range dbs {
		s, err := db.New(o)
		if err != nil {
			return err
		}
		done, err := change(s, ctx)
		s.Close()
		for _, obj := range done {
			fmt.Fprintf(stderr, "%s: %s %s\n", o.ID, obj.Name, obj.Action)
		}
		if err != nil {
			return fmt.Errorf("%s on database %q: %w", name, o.ID, err)
		}
	}
	return nil
}

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

// migrateIndexes creates the recommended indexes on every configured
// database (`sessiongraph migrate-indexes --db URL`), reporting each one.
func migrateIndexes(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := config.Load(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if cfg.Demo {
		return errors.New("migrate-indexes works on a --db, not on --demo")
	}
	for _, d := range cfg.DBs {
		s, err := db.Open(ctx, db.Options{ID: d.ID, URL: d.URL.Reveal(), Schema: cfg.DBSchema, Table: cfg.SessionTable, RunsTable: cfg.RunsTable})
		if err != nil {
			return err
		}
		err = s.CreateIndexes(ctx, func(ix db.Index, took time.Duration, created bool) {
			state := "exists"
			if created {
				state = "created in " + took.Round(time.Millisecond).String()
			}
			fmt.Fprintf(stderr, "%s: %s %s — %s\n", d.ID, ix.Name, state, ix.Purpose)
		})
		s.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

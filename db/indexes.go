package db

import (
	"context"
	"fmt"
	"strings"
	"time"

	"sessiongraph/models"
)

// Index is an index sessiongraph recommends on the sessions table. None is
// required: without them every query still works, only deep pages and
// filtered lists of large tables get slower. They never touch Agno's columns.
type Index struct {
	Name    string
	Purpose string
	// Unavailable, when CreateIndexes reports an index it could not build,
	// says why (an extension it needs cannot be had); the other indexes are
	// built all the same.
	Unavailable string
	columns     string // the indexed expressions, exactly as the queries write them
	on          string // the quoted, qualified table
	// using is the index method ("" for btree) and extension the PostgreSQL
	// extension that provides the operator class, {opclass_schema} in
	// columns standing for its schema.
	using, extension string
}

// RecommendedIndexes lists the indexes that let every listing the API
// offers read a page in order from an index, at any depth: the order key
// followed by the session_id tie-break, behind an equality filter where one
// is given.
func (s *Store) RecommendedIndexes() []Index {
	created := s.orderKey(models.SessionOrderFieldCreatedAt)
	updated := s.orderKey(models.SessionOrderFieldUpdatedAt)
	name, tie := s.orderKey(models.SessionOrderFieldName), s.sql().tieKey
	idx := func(suffix, purpose string, exprs ...string) Index {
		return Index{Name: "sg_" + s.table + "_" + suffix, Purpose: purpose, columns: strings.Join(exprs, ", "), on: s.from}
	}
	return append([]Index{
		idx("created", "sessions ordered by CREATED_AT (the default), any page", created, tie),
		idx("updated", "sessions ordered by UPDATED_AT, any page", "("+updated+")", tie),
		idx("name", "sessions ordered by NAME, any page", "("+name+")", tie),
		idx("type_created", "filter {type} ordered by CREATED_AT", "session_type", created, tie),
		idx("type_updated", "filter {type} ordered by UPDATED_AT", "session_type", "("+updated+")", tie),
		idx("user_created", "filter {userId} ordered by CREATED_AT", "user_id", created, tie),
		idx("user_updated", "filter {userId} ordered by UPDATED_AT", "user_id", "("+updated+")", tie),
		idx("agent_created", "filter {componentId} of agents (with or without type) by CREATED_AT", "agent_id", created, tie),
		idx("team_created", "filter {componentId} of teams by CREATED_AT", "team_id", created, tie),
		idx("workflow_created", "filter {componentId} of workflows by CREATED_AT", "workflow_id", created, tie),
		idx("components", "facets { components }: the columns deciding a session's type and component, read from the index alone",
			"session_type", "agent_id", "team_id", "workflow_id"),
	}, s.runIndexes()...)
}

// runIndexes are the indexes allRuns and the change feed need on Agno 3's
// runs table, when the database has one. Agno indexes each column alone
// (and session_id with run_index, which serves a session's runs): enough to
// find the rows of one status or user, not to read them in created_at
// order, so a filtered page sorts every matching run and a deep page reads
// every run before it. Each index here is a filter's column, then
// created_at and the run_id tie-break, so that every page at any depth is
// read in order from one; the change feed reads runs in the order of
// COALESCE(updated_at, created_at), as it reads sessions.
func (s *Store) runIndexes() []Index {
	if !s.lay().runsTable {
		return nil
	}
	tie := "run_id"
	if s.dialect == Postgres {
		tie = `run_id COLLATE "C"`
	}
	idx := func(suffix, purpose string, exprs ...string) Index {
		return Index{Name: "sg_" + s.runsTable + "_" + suffix, Purpose: purpose, columns: strings.Join(exprs, ", "), on: s.runsFrom}
	}
	out := []Index{
		idx("created", "allRuns by CREATED_AT, any page", "created_at", tie),
		idx("status_created", "allRuns filter {status} by CREATED_AT", "status", "created_at", tie),
		idx("user_created", "allRuns filter {userId} (and a restricted caller's runs) by CREATED_AT", "user_id", "created_at", tie),
		idx("agent_created", "allRuns filter {componentId} of agents by CREATED_AT", "agent_id", "created_at", tie),
		idx("team_created", "allRuns filter {componentId} of teams by CREATED_AT", "team_id", "created_at", tie),
		idx("workflow_created", "allRuns filter {componentId} of workflows by CREATED_AT", "workflow_id", "created_at", tie),
		idx("updated", "the change feed of live updates (see Store.Changes)", "(COALESCE(updated_at, created_at))", tie),
	}
	if s.dialect == Postgres {
		out = append(out, idx("model", "facets { models } of every session: the runs' model read from the index, not from each run's JSON", "("+runModel+")"))
		messages := idx("messages_trgm", "sessions filter {textContains}: trigrams of the runs' user and assistant messages (pg_trgm)",
			"("+s.pgMessageTextIndexed("run_data")+") {opclass_schema}.gin_trgm_ops")
		messages.using, messages.extension = "gin", "pg_trgm"
		out = append(out, messages)
	}
	return out
}

// CreateIndexes creates the recommended indexes that are missing: on
// PostgreSQL with CREATE INDEX CONCURRENTLY, so Agno keeps writing meanwhile
// (an index left invalid by an interrupted build is dropped and built
// again). report is called after each index.
func (s *Store) CreateIndexes(ctx context.Context, report func(ix Index, took time.Duration, created bool)) error {
	conn, err := s.db.DB()
	if err != nil {
		return err
	}
	for _, ix := range s.RecommendedIndexes() {
		start := time.Now()
		exists, valid, err := s.indexState(ctx, ix.Name)
		if err != nil {
			return err
		}
		if exists && valid {
			report(ix, 0, false)
			continue
		}
		columns := ix.columns
		if ix.extension != "" {
			schema, err := s.ensureExtension(ctx, ix.extension)
			if err != nil {
				ix.Unavailable = err.Error()
				report(ix, 0, false)
				continue
			}
			columns = strings.ReplaceAll(columns, "{opclass_schema}", quoteIdent(schema))
		}
		using := ""
		if ix.using != "" {
			using = " USING " + ix.using
		}
		var stmt string
		if s.dialect == Postgres {
			if exists {
				if _, err := conn.ExecContext(ctx, "DROP INDEX CONCURRENTLY IF EXISTS "+s.qualify(ix.Name)); err != nil {
					return fmt.Errorf("dropping the invalid index %s: %w", ix.Name, err)
				}
			}
			stmt = fmt.Sprintf("CREATE INDEX CONCURRENTLY IF NOT EXISTS %s ON %s%s (%s)", quoteIdent(ix.Name), ix.on, using, columns)
		} else {
			stmt = fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (%s)", quoteIdent(ix.Name), ix.on, ix.columns)
		}
		// Outside any transaction: CONCURRENTLY cannot run inside one.
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("creating index %s: %w", ix.Name, err)
		}
		report(ix, time.Since(start), true)
	}
	if _, err = conn.ExecContext(ctx, "ANALYZE "+s.from); err != nil {
		return err
	}
	if s.lay().runsTable {
		if _, err = conn.ExecContext(ctx, "ANALYZE "+s.runsFrom); err != nil {
			return err
		}
	}
	// Reads that need an index to be worth running (facets' models) look for it now.
	return s.detectLayout(ctx)
}

// ensureExtension makes sure a PostgreSQL extension is installed, creating
// it when it is not (pg_trgm is a trusted extension: the database's owner,
// or anyone with CREATE on it, may), and returns the schema that holds it.
// It fails when the server does not ship the extension or the role may not
// create it.
func (s *Store) ensureExtension(ctx context.Context, name string) (string, error) {
	conn, err := s.db.DB()
	if err != nil {
		return "", err
	}
	const where = `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = $1`
	schemas, err := s.catalogStrings(ctx, where, name)
	if err == nil && len(schemas) == 0 {
		if _, err = conn.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS "+quoteIdent(name)); err == nil {
			schemas, err = s.catalogStrings(ctx, where, name)
		}
	}
	if err != nil {
		return "", fmt.Errorf("the extension %s is not installed and cannot be created (%s)", name, oneLine(err))
	}
	if len(schemas) == 0 {
		return "", fmt.Errorf("the extension %s is not installed", name)
	}
	return schemas[0], nil
}

// indexState tells whether an index exists and, on PostgreSQL, whether it is valid.
func (s *Store) indexState(ctx context.Context, name string) (exists, valid bool, err error) {
	var n int64
	if s.dialect == Postgres {
		var states []bool
		err = s.db.WithContext(ctx).Raw(`SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
			JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE ns.nspname = ? AND c.relname = ?`, s.schema, name).Scan(&states).Error
		return len(states) > 0, len(states) > 0 && states[0], err
	}
	err = s.db.WithContext(ctx).Raw(`SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?`, name).Scan(&n).Error
	return n > 0, n > 0, err
}

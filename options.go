package main

import (
	"io"
	"log/slog"

	"sessiongraph/config"
	"sessiongraph/db"
	"sessiongraph/graph"
	"sessiongraph/httpserver"
	"sessiongraph/internal/telemetry"
	"sessiongraph/live"
)

// options are the configuration mapped onto the options of the server's parts.
type options struct {
	addr string
	demo bool
	// dbs are the stores' options; under demo, the one store's, whose URL
	// is the file prepareDemo writes.
	dbs          []db.Options
	graphql      graph.Options      // limits and introspection of the executor
	http         httpserver.Options // body cap, deadline, shutdown grace, CORS and authentication
	live         live.Options       // the subscriptions' watch interval and bounds
	metricsOps   []string           // operation names metrics label by name
	noPlayground bool
	logger       *slog.Logger // --log-format, from --log-level up
	noMetrics    bool         // no /metrics
	tracing      bool         // the OTEL_* environment asks for traces (telemetry.TracingEnabled)
}

// newOptions maps the configuration onto the options of the server's parts:
// the stores, the GraphQL executor, the HTTP layer, the logger (writing to
// stderr) and tracing.
func newOptions(cfg config.Config, getenv func(string) string, stderr io.Writer) (options, error) {
	logger, err := telemetry.NewLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	if err != nil {
		return options{}, err
	}
	authenticator, err := cfg.Authenticator()
	if err != nil {
		return options{}, err
	}
	o := options{
		addr: cfg.Addr,
		demo: cfg.Demo,
		graphql: graph.Options{
			MaxDepth:             cfg.MaxDepth,
			MaxAliases:           cfg.MaxAliases,
			ComplexityLimit:      cfg.MaxComplexity,
			DisableIntrospection: cfg.NoIntrospection,
			Logger:               logger,
		},
		http: httpserver.Options{
			RequestTimeout: cfg.RequestTimeout,
			ShutdownGrace:  cfg.ShutdownGrace,
			CORSOrigins:    cfg.CORSOrigins,
			Auth:           authenticator,
			Logger:         logger,

			MaxSubscriptionsPerConnection: cfg.MaxSubscriptionsPerConnection,
		},
		live: live.Options{
			Interval:         cfg.LiveInterval,
			MaxSubscriptions: cfg.MaxSubscriptions,
			Buffer:           cfg.SubscriptionBuffer,
			Logger:           logger,
		},
		metricsOps:   cfg.MetricsOperations,
		noPlayground: cfg.NoPlayground,
		logger:       logger,
		noMetrics:    cfg.NoMetrics,
		tracing:      telemetry.TracingEnabled(getenv),
	}
	store := db.Options{Schema: cfg.DBSchema, Table: cfg.SessionTable, RunsTable: cfg.RunsTable,
		TracesTable: cfg.TracesTable, SpansTable: cfg.SpansTable, MetricsTable: cfg.MetricsTable, MaxConns: cfg.DBMaxConns,
		CountCacheTTL: cfg.CountCacheTTL, StatementTimeout: cfg.DBStatementTimeout}
	if cfg.Demo {
		store.ID = "default"
		o.dbs = append(o.dbs, store)
	}
	for _, d := range cfg.DBs {
		store.ID, store.URL = d.ID, d.URL.Reveal()
		o.dbs = append(o.dbs, store)
	}
	return o, nil
}

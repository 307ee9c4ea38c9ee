package config

import (
	"errors"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"sessiongraph/auth"
	"sessiongraph/graph"
	"sessiongraph/httpserver"
	"sessiongraph/live"
)

// A setting is one option of the server, declared once in settings: its
// flag, --help, the environment it reads, its line in LogAttrs and its row
// in docs/configuration.md (checked by a test) all follow from it.
type setting struct {
	flag string // the command-line name, without dashes
	env  string // the environment variable read when the flag is absent; "" for none
	// def is the default, written as a value is ("" for none: no items
	// for a list, false for a bool). --help shows it; it never comes from
	// the environment.
	def string
	// secret settings are also read from the file that env+"_FILE" names,
	// and are never shown: not in --help, errors or LogAttrs. Their field
	// is a Secret, or []DB whose URLs are.
	secret bool
	help   string // one line of --help
	// field points to where the value goes in c: *string, *Secret, *int,
	// *bool, *time.Duration, or, for a repeatable flag, *[]string (its
	// variable a comma-separated list) or *[]DB (its variable one database).
	field func(c *Config) any
	// check, when set, validates a parsed value (each item of a list): a
	// string, int or time.Duration. Its error says what is wrong without
	// repeating the value.
	check func(v any) error
}

// settings are all the server's options, in the order of --help and
// docs/configuration.md.
var settings = []setting{
	{flag: "addr", env: "SESSIONGRAPH_ADDR", def: "127.0.0.1:8080",
		help:  "listen address",
		field: func(c *Config) any { return &c.Addr }},
	{flag: "shutdown-grace", env: "SESSIONGRAPH_SHUTDOWN_GRACE", def: "10s",
		help:  "how long in-flight requests may finish on SIGINT/SIGTERM",
		field: func(c *Config) any { return &c.ShutdownGrace }},

	{flag: "db", env: "DATABASE_URL", def: "agno.db", secret: true,
		help:  "database URL, or ID=URL; the first of several is the default database (by default Agno's own SQLite file)",
		field: func(c *Config) any { return &c.DBs }},
	{flag: "db-schema", env: "SESSIONGRAPH_DB_SCHEMA", def: "ai",
		help:  "PostgreSQL schema of the sessions table",
		field: func(c *Config) any { return &c.DBSchema }},
	{flag: "session-table", env: "SESSIONGRAPH_SESSION_TABLE", def: "agno_sessions",
		help:  "sessions table",
		field: func(c *Config) any { return &c.SessionTable }},
	{flag: "runs-table", env: "SESSIONGRAPH_RUNS_TABLE", def: "",
		help:  "Agno 3's runs table; empty: named as Agno names it (agno_runs, or <session-table>_runs)",
		field: func(c *Config) any { return &c.RunsTable }},
	{flag: "traces-table", env: "SESSIONGRAPH_TRACES_TABLE", def: "agno_traces",
		help:  "Agno's traces table (Agno's traces_table), in the sessions table's schema",
		field: func(c *Config) any { return &c.TracesTable }},
	{flag: "spans-table", env: "SESSIONGRAPH_SPANS_TABLE", def: "agno_spans",
		help:  "Agno's spans table (Agno's spans_table), in the sessions table's schema",
		field: func(c *Config) any { return &c.SpansTable }},
	{flag: "metrics-table", env: "SESSIONGRAPH_METRICS_TABLE", def: "agno_metrics",
		help:  "Agno's daily metrics table (Agno's metrics_table), in the sessions table's schema",
		field: func(c *Config) any { return &c.MetricsTable }},
	{flag: "db-max-conns", env: "SESSIONGRAPH_DB_MAX_CONNS", def: "0",
		help:  "connections per database pool; 0 means max(4, GOMAXPROCS), as pgxpool",
		field: func(c *Config) any { return &c.DBMaxConns }},
	{flag: "db-statement-timeout", env: "SESSIONGRAPH_DB_STATEMENT_TIMEOUT", def: "30s",
		help:  "PostgreSQL statement_timeout on the server's connections (0: the database's own)",
		field: func(c *Config) any { return &c.DBStatementTimeout }},
	{flag: "count-cache-ttl", env: "SESSIONGRAPH_COUNT_CACHE_TTL", def: "1s",
		help:  "reuse a totalCount answer this long (refreshed in the background up to 4x); 0 counts every time",
		field: func(c *Config) any { return &c.CountCacheTTL }},
	{flag: "demo",
		help:  "serve a generated demo dataset from a temporary SQLite file",
		field: func(c *Config) any { return &c.Demo }},

	{flag: "max-depth", env: "SESSIONGRAPH_MAX_DEPTH", def: strconv.Itoa(graph.DefaultMaxDepth), check: positive,
		help:  "deepest nesting of fields a query may have, introspection aside",
		field: func(c *Config) any { return &c.MaxDepth }},
	{flag: "max-aliases", env: "SESSIONGRAPH_MAX_ALIASES", def: strconv.Itoa(graph.DefaultMaxAliases), check: positive,
		help:  "most aliases a query may have",
		field: func(c *Config) any { return &c.MaxAliases }},
	{flag: "max-complexity", env: "SESSIONGRAPH_MAX_COMPLEXITY", def: strconv.Itoa(graph.DefaultComplexityLimit), check: positive,
		help:  "most a query may cost",
		field: func(c *Config) any { return &c.MaxComplexity }},
	{flag: "request-timeout", env: "SESSIONGRAPH_REQUEST_TIMEOUT", def: httpserver.DefaultRequestTimeout.String(), check: positive,
		help:  "how long a GraphQL request may run",
		field: func(c *Config) any { return &c.RequestTimeout }},
	{flag: "no-introspection", env: "SESSIONGRAPH_NO_INTROSPECTION",
		help:  "refuse introspection queries",
		field: func(c *Config) any { return &c.NoIntrospection }},
	{flag: "no-playground", env: "SESSIONGRAPH_NO_PLAYGROUND",
		help:  "do not serve GraphiQL at /",
		field: func(c *Config) any { return &c.NoPlayground }},
	{flag: "live-interval", env: "SESSIONGRAPH_LIVE_INTERVAL", def: live.DefaultInterval.String(), check: positive,
		help:  "how often a database with subscribers is read for changes",
		field: func(c *Config) any { return &c.LiveInterval }},
	{flag: "max-subscriptions", env: "SESSIONGRAPH_MAX_SUBSCRIPTIONS", def: strconv.Itoa(live.DefaultMaxSubscriptions), check: positive,
		help:  "most subscriptions open on the server at once",
		field: func(c *Config) any { return &c.MaxSubscriptions }},
	{flag: "max-subscriptions-per-connection", env: "SESSIONGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION", def: strconv.Itoa(live.DefaultMaxPerConnection), check: positive,
		help:  "most subscriptions one WebSocket or SSE stream holds at once",
		field: func(c *Config) any { return &c.MaxSubscriptionsPerConnection }},
	{flag: "subscription-buffer", env: "SESSIONGRAPH_SUBSCRIPTION_BUFFER", def: strconv.Itoa(live.DefaultBuffer), check: positive,
		help:  "events a subscriber may leave unread before it is cut off (SLOW_CONSUMER)",
		field: func(c *Config) any { return &c.SubscriptionBuffer }},

	{flag: "security-key", env: "OS_SECURITY_KEY", secret: true,
		help:  "require Authorization: Bearer <key> on every request, as AgentOS does (prefer the environment: flags show in ps)",
		field: func(c *Config) any { return &c.SecurityKey }},
	{flag: "jwt-secret", env: "SESSIONGRAPH_JWT_SECRET", secret: true,
		help:  "accept HS256 JWTs signed with this secret, at least 32 bytes",
		field: func(c *Config) any { return &c.JWTSecret }},
	{flag: "jwt-public-key", env: "SESSIONGRAPH_JWT_PUBLIC_KEY",
		help:  "accept JWTs signed for this PEM public key file: RS256 (RSA) or ES256 (P-256)",
		field: func(c *Config) any { return &c.JWTPublicKey }},
	{flag: "jwt-audience", env: "SESSIONGRAPH_JWT_AUDIENCE",
		help:  "require this aud in JWTs",
		field: func(c *Config) any { return &c.JWTAudience }},
	{flag: "jwt-issuer", env: "SESSIONGRAPH_JWT_ISSUER",
		help:  "require this iss in JWTs",
		field: func(c *Config) any { return &c.JWTIssuer }},
	{flag: "jwt-user-claim", env: "SESSIONGRAPH_JWT_USER_CLAIM", def: auth.DefaultUserClaim,
		help:  "the JWT claim holding the user id sessions are scoped to",
		field: func(c *Config) any { return &c.JWTUserClaim }},
	{flag: "jwt-scopes-claim", env: "SESSIONGRAPH_JWT_SCOPES_CLAIM", def: auth.DefaultScopesClaim,
		help:  "the JWT claim holding the scopes",
		field: func(c *Config) any { return &c.JWTScopesClaim }},
	{flag: "admin-scope", env: "SESSIONGRAPH_ADMIN_SCOPE", def: auth.DefaultAdminScope,
		help:  "the scope that sees every user's sessions",
		field: func(c *Config) any { return &c.AdminScope }},

	{flag: "cors-origin", env: "SESSIONGRAPH_CORS_ORIGINS", check: corsOrigin,
		help:  "an origin browsers may call /graphql from, e.g. https://app.example.com, or * for any",
		field: func(c *Config) any { return &c.CORSOrigins }},

	{flag: "log-format", env: "SESSIONGRAPH_LOG_FORMAT", def: "text", check: logFormat,
		help:  "log format: text or json",
		field: func(c *Config) any { return &c.LogFormat }},
	{flag: "log-level", env: "SESSIONGRAPH_LOG_LEVEL", def: "info", check: logLevel,
		help:  "least severe level logged: debug, info (a line per GraphQL operation), warn or error",
		field: func(c *Config) any { return &c.LogLevel }},
	{flag: "no-metrics", env: "SESSIONGRAPH_NO_METRICS",
		help:  "do not serve Prometheus metrics at /metrics, which needs no authentication: keep it off public networks",
		field: func(c *Config) any { return &c.NoMetrics }},
	{flag: "metrics-operation", env: "SESSIONGRAPH_METRICS_OPERATIONS", check: operationName,
		help:  `a GraphQL operation name that metrics label by name (others count as "other")`,
		field: func(c *Config) any { return &c.MetricsOperations }},
}

// positive accepts an int or a duration above zero.
func positive(v any) error {
	switch v := v.(type) {
	case int:
		if v > 0 {
			return nil
		}
	case time.Duration:
		if v > 0 {
			return nil
		}
	}
	return errors.New("must be positive")
}

// corsOrigin accepts * or scheme://host[:port], where host may start with
// *. (e.g. https://*.example.com); a path would never match an Origin header.
func corsOrigin(v any) error {
	s := v.(string)
	if u, err := url.Parse(s); s != "*" && (err != nil || u.Scheme == "" || u.Host == "" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "") {
		return errors.New("CORS origin is not * or scheme://host[:port]")
	}
	return nil
}

var graphQLName = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]*$`)

// operationName accepts a GraphQL operation name.
func operationName(v any) error {
	if !graphQLName.MatchString(v.(string)) {
		return errors.New("not a GraphQL operation name")
	}
	return nil
}

// logFormat accepts what telemetry.NewLogger does.
func logFormat(v any) error {
	if s := v.(string); s != "text" && s != "json" {
		return errors.New("log format is not text or json")
	}
	return nil
}

// logLevel accepts what telemetry.NewLogger does: a slog level, in any case.
func logLevel(v any) error {
	var l slog.Level
	if l.UnmarshalText([]byte(v.(string))) != nil {
		return errors.New("log level is not debug, info, warn or error")
	}
	return nil
}

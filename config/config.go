// Package config reads the server's settings from its command line, its
// environment and the files its environment names.
//
// Every setting is declared once, in the table settings: its flag,
// environment variable, default, validation, help text and whether it is
// secret. The flags, --help, LogAttrs's dump of the effective settings and
// the check of docs/configuration.md all derive from it.
//
// A flag wins over its environment variable, which wins over the default;
// an empty variable counts as unset. A secret setting is also read from the
// file its variable's _FILE twin names. No secret appears in --help, in an
// error or in LogAttrs, and a Config printed with fmt shows none.
package config

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"sessiongraph/auth"
	"sessiongraph/db"
)

// Config is the server's effective configuration. settings documents each
// field; fields not in the table say where they come from.
type Config struct {
	Addr          string
	ShutdownGrace time.Duration

	// DBs are the databases to serve, the first the default; none under Demo.
	DBs                []DB
	DBSchema           string
	SessionTable       string
	RunsTable          string
	TracesTable        string
	SpansTable         string
	MetricsTable       string
	DBMaxConns         int
	DBStatementTimeout time.Duration
	CountCacheTTL      time.Duration
	Demo               bool

	MaxDepth        int
	MaxAliases      int
	MaxComplexity   int
	RequestTimeout  time.Duration
	NoIntrospection bool
	NoPlayground    bool

	LiveInterval                  time.Duration
	MaxSubscriptions              int
	MaxSubscriptionsPerConnection int
	SubscriptionBuffer            int

	SecurityKey  Secret
	JWTSecret    Secret
	JWTPublicKey string // the path of a PEM file
	// JWTPublicKeyPEM is the contents of JWTPublicKey, read by Load.
	JWTPublicKeyPEM []byte
	JWTAudience     string
	JWTIssuer       string
	JWTUserClaim    string
	JWTScopesClaim  string
	AdminScope      string

	CORSOrigins []string

	LogFormat         string
	LogLevel          string
	NoMetrics         bool
	MetricsOperations []string
}

// Secret is a value that must not be shown: formatted by fmt or logged by
// slog it reads "[set]" or "[unset]". Reveal returns it.
type Secret struct{ value string }

// Reveal returns the secret itself, for the component that uses it.
func (s Secret) Reveal() string { return s.value }

// String returns "[set]" or "[unset]".
func (s Secret) String() string {
	if s.value == "" {
		return "[unset]"
	}
	return "[set]"
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return "config.Secret(" + s.String() + ")" }

// LogValue is "[set]" or "[unset]".
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// DB is one database to serve: a --db value, URL or ID=URL.
type DB struct {
	ID  string
	URL Secret // a database URL (see db.ParseURL), which may hold a password
}

// String returns ID=URL with the URL's password redacted.
func (d DB) String() string {
	t, err := db.ParseURL(d.URL.Reveal())
	if err != nil {
		return d.ID + "=[invalid]"
	}
	return d.ID + "=" + t.Redacted()
}

var dbIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// parseDB reads URL or ID=URL, leaving the id to Load when not given.
func parseDB(v string) (DB, error) {
	d := DB{URL: Secret{v}}
	if id, url, ok := strings.Cut(v, "="); ok && dbIDPattern.MatchString(id) {
		d = DB{ID: id, URL: Secret{url}}
	}
	_, err := db.ParseURL(d.URL.Reveal())
	return d, err
}

// Load reads the configuration: args are the command line after the
// program's name (or after a command's, such as "migrate-indexes"), getenv
// looks up the environment. For --help it writes the usage to stderr and returns
// flag.ErrHelp; on a command-line error it writes the usage too. Its errors
// name the flag, variable or file at fault and never hold a secret.
func Load(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	fs := flag.NewFlagSet("sessiongraph", flag.ContinueOnError)
	// The flag package prints its errors here, and a "bad flag syntax" one
	// quotes its argument: the error is returned, without it, instead.
	fs.SetOutput(io.Discard)
	fs.Usage = func() { usage(stderr) }
	given := make([]flagValues, len(settings))
	for i, s := range settings {
		given[i].isBool = s.kind() == kindBool
		fs.Var(&given[i], s.flag, s.help)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return Config{}, err
		}
		return Config{}, fmt.Errorf("%w (see --help)", withoutValue(err))
	}
	if fs.NArg() > 0 {
		// Not quoted: "--security-key= KEY" leaves the key here.
		return Config{}, errors.New("unexpected argument after the flags (not shown: it may be a secret); sessiongraph takes flags only (see --help)")
	}
	var c Config
	from := map[string]string{} // flag → the flag, variable or file its value came from; "" for the default
	for i, s := range settings {
		values, source, err := s.lookup(given[i].values, getenv)
		if err != nil {
			return Config{}, err
		}
		from[s.flag] = source
		for _, v := range values {
			if err := s.set(&c, v); err != nil {
				source = cmp.Or(source, "the default of --"+s.flag)
				if s.secret {
					return Config{}, fmt.Errorf("invalid value for %s: %w", source, err)
				}
				return Config{}, fmt.Errorf("invalid value %q for %s: %w", v, source, err)
			}
		}
	}
	if err := c.settle(from); err != nil {
		return Config{}, err
	}
	return c, nil
}

// settle applies the rules that involve several settings, and reads the
// JWT public key file.
func (c *Config) settle(from map[string]string) error {
	if c.Demo {
		if from["db"] != "" {
			return errors.New("--demo serves its own dataset and never touches another database: drop --db / DATABASE_URL")
		}
		c.DBs = nil
	}
	seen := map[string]bool{}
	for i := range c.DBs {
		if c.DBs[i].ID == "" {
			c.DBs[i].ID = "default"
			if i > 0 {
				c.DBs[i].ID = fmt.Sprintf("db%d", i+1)
			}
		}
		if seen[c.DBs[i].ID] {
			return fmt.Errorf("database id %q is given twice", c.DBs[i].ID)
		}
		seen[c.DBs[i].ID] = true
	}
	if c.JWTPublicKey != "" {
		pem, err := os.ReadFile(c.JWTPublicKey)
		if err != nil {
			return fmt.Errorf("%s: %w", from["jwt-public-key"], err)
		}
		c.JWTPublicKeyPEM = pem
	}
	_, err := c.Authenticator()
	return err
}

// Authenticator returns the authenticator the auth settings describe, or
// nil when they set no credential: the server is then open to anyone who
// reaches it.
func (c Config) Authenticator() (*auth.Authenticator, error) {
	ac := auth.Config{
		SecurityKey:     c.SecurityKey.Reveal(),
		JWTPublicKeyPEM: c.JWTPublicKeyPEM,
		Audience:        c.JWTAudience,
		Issuer:          c.JWTIssuer,
		UserClaim:       c.JWTUserClaim,
		ScopesClaim:     c.JWTScopesClaim,
		AdminScope:      c.AdminScope,
	}
	if s := c.JWTSecret.Reveal(); s != "" {
		ac.JWTSecret = []byte(s)
	}
	if ac.SecurityKey == "" && len(ac.JWTSecret) == 0 && len(ac.JWTPublicKeyPEM) == 0 {
		if ac.Audience != "" || ac.Issuer != "" {
			return nil, errors.New("--jwt-audience and --jwt-issuer need --jwt-secret or --jwt-public-key")
		}
		return nil, nil
	}
	a, err := auth.New(ac)
	if err != nil {
		return nil, fmt.Errorf("authentication: %w", err)
	}
	return a, nil
}

// LogAttrs describes every setting by its flag's name, for one log line at
// start: secrets as "[set]" or "[unset]", database URLs without password.
func (c Config) LogAttrs() []slog.Attr {
	attrs := make([]slog.Attr, 0, len(settings))
	for _, s := range settings {
		var v slog.Value
		switch p := s.field(&c).(type) {
		case *string:
			v = slog.StringValue(*p)
		case *Secret:
			v = p.LogValue()
		case *int:
			v = slog.IntValue(*p)
		case *bool:
			v = slog.BoolValue(*p)
		case *time.Duration:
			v = slog.StringValue(p.String()) // "30s", not JSON's nanoseconds
		case *[]string:
			v = slog.AnyValue(*p)
		case *[]DB:
			dbs := make([]string, len(*p))
			for i, d := range *p {
				dbs[i] = d.String()
			}
			v = slog.AnyValue(dbs)
		}
		attrs = append(attrs, slog.Attr{Key: s.flag, Value: v})
	}
	return attrs
}

// flagValues collects what the command line gives a flag, for Load to parse
// once it is all read: a value refused inside Set would be quoted in the
// flag package's own error, and it may be a secret.
type flagValues struct {
	values []string
	isBool bool
}

func (f *flagValues) String() string     { return "" }
func (f *flagValues) Set(v string) error { f.values = append(f.values, v); return nil }
func (f *flagValues) IsBoolFlag() bool   { return f.isBool }

// withoutValue is an error of flag.Parse without the "=value" that a "bad
// flag syntax" error (---name=value) quotes; the others quote no value.
func withoutValue(err error) error {
	if arg, ok := strings.CutPrefix(err.Error(), "bad flag syntax: "); ok {
		name, _, _ := strings.Cut(arg, "=")
		return fmt.Errorf("bad flag syntax: %s", name)
	}
	return err
}

// lookup returns the setting's values and where they came from: the flag's
// values; else its variable's, or for a secret the contents of the file its
// _FILE variable names; else the default (source ""). A list's variable is
// split at commas, but for --db's: a URL may hold commas.
func (s setting) lookup(flagged []string, getenv func(string) string) (values []string, source string, err error) {
	if len(flagged) > 0 {
		return flagged, "--" + s.flag, nil
	}
	var v string
	if s.env != "" {
		v, source = getenv(s.env), s.env
	}
	if s.secret {
		if path := getenv(s.env + "_FILE"); path != "" {
			if v != "" {
				return nil, "", fmt.Errorf("%s and %s_FILE are both set: set one", s.env, s.env)
			}
			source = s.env + "_FILE"
			if v, err = readSecretFile(path); err != nil {
				return nil, "", fmt.Errorf("%s: %w", source, err)
			}
		}
	}
	if v == "" {
		if s.def == "" {
			return nil, "", nil
		}
		return []string{s.def}, "", nil
	}
	if s.kind() == kindList {
		for _, item := range strings.Split(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				values = append(values, item)
			}
		}
		return values, source, nil
	}
	return []string{v}, source, nil
}

// readSecretFile returns the contents of a file holding a secret, without
// the one line ending that such files usually have (echo, editors). Its
// errors name the file, never its contents.
func readSecretFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	v := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if v == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return v, nil
}

// set parses one value into the setting's field, or appends it to a list,
// and checks it. Its error does not repeat the value.
func (s setting) set(c *Config, text string) error {
	var v any // the parsed value, for check
	switch p := s.field(c).(type) {
	case *string:
		*p, v = text, text
	case *Secret:
		*p = Secret{text}
	case *int:
		n, err := strconv.ParseInt(text, 0, strconv.IntSize) // as the flag package
		if err != nil {
			return errors.New("not an integer")
		}
		*p, v = int(n), int(n)
	case *bool:
		b, err := strconv.ParseBool(text)
		if err != nil {
			return errors.New("not a boolean (true or false)")
		}
		*p = b
	case *time.Duration:
		d, err := time.ParseDuration(text)
		if err != nil {
			return errors.New("not a duration (e.g. 500ms, 30s, 1m30s)")
		}
		*p, v = d, d
	case *[]string:
		*p, v = append(*p, text), text
	case *[]DB:
		d, err := parseDB(text)
		if err != nil {
			return err
		}
		*p = append(*p, d)
	}
	if s.check != nil {
		return s.check(v)
	}
	return nil
}

// usage writes --help, from the table alone: its defaults are the declared
// ones, never the environment's values.
func usage(w io.Writer) {
	fmt.Fprint(w, `Usage: sessiongraph [flags]
       sessiongraph migrate-indexes [flags]              create the recommended indexes, then exit
       sessiongraph install-triggers [flags]             add the NOTIFY triggers of live updates (PostgreSQL), then exit
       sessiongraph uninstall-triggers [flags]           remove them, then exit
       sessiongraph install-analytics-tables [flags]     add the tables usage and facets read at scale (PostgreSQL), then exit
       sessiongraph uninstall-analytics-tables [flags]   remove them, then exit

Serves a GraphQL API over Agno's session table. A flag wins over its
environment variable; docs/configuration.md describes every setting.

Flags:
`)
	for _, s := range settings {
		k := s.kind()
		var notes []string
		if k == kindList || k == kindDatabases {
			notes = append(notes, "repeatable")
		}
		switch {
		case s.secret:
			notes = append(notes, "env "+s.env+", or "+s.env+"_FILE naming a file that holds it")
		case k == kindList:
			notes = append(notes, "env "+s.env+", comma-separated")
		case s.env != "":
			notes = append(notes, "env "+s.env)
		}
		if s.def != "" {
			notes = append(notes, "default "+s.def)
		}
		fmt.Fprintf(w, "  --%s%s\n    \t%s", s.flag, k.arg(), s.help)
		if len(notes) > 0 {
			fmt.Fprintf(w, " (%s)", strings.Join(notes, "; "))
		}
		fmt.Fprintln(w)
	}
}

// kind is the type of a setting's field.
type kind int

const (
	kindString kind = iota
	kindSecret
	kindInt
	kindBool
	kindDuration
	kindList      // []string
	kindDatabases // []DB
)

func (s setting) kind() kind {
	switch s.field(&Config{}).(type) {
	case *Secret:
		return kindSecret
	case *int:
		return kindInt
	case *bool:
		return kindBool
	case *time.Duration:
		return kindDuration
	case *[]string:
		return kindList
	case *[]DB:
		return kindDatabases
	}
	return kindString
}

// arg names a flag's value in --help, after a space; a bool takes none.
func (k kind) arg() string {
	switch k {
	case kindBool:
		return ""
	case kindInt:
		return " int"
	case kindDuration:
		return " duration"
	case kindDatabases:
		return " URL"
	}
	return " string"
}

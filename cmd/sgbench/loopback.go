package main

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"sessiongraph/db"
)

// isLoopback reports whether host (a name or an IP) is this machine:
// localhost, or an address on the loopback network.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// loopbackServer checks that a server URL points at this machine; the load
// generator must never hammer a server elsewhere.
func loopbackServer(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--server %q is not an http:// URL", raw)
	}
	if !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("--server %q is not on a loopback address (127.0.0.1, ::1, localhost)", raw)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/graphql"
	}
	return u, nil
}

// loopbackPostgres checks that a database URL is a PostgreSQL on this
// machine (a loopback address or a Unix socket) and returns its DSN.
func loopbackPostgres(raw string) (string, error) {
	target, err := db.ParseURL(raw)
	if err != nil {
		return "", err
	}
	if target.Dialect != db.Postgres {
		return "", fmt.Errorf("--db must be a PostgreSQL URL, got a %s one", target.Dialect)
	}
	cfg, err := pgconn.ParseConfig(target.DSN)
	if err != nil {
		return "", err
	}
	hosts := []string{cfg.Host}
	for _, fb := range cfg.Fallbacks {
		hosts = append(hosts, fb.Host)
	}
	for _, h := range hosts {
		if !strings.HasPrefix(h, "/") && !isLoopback(h) {
			return "", fmt.Errorf("--db host %q is not a loopback address or a Unix socket", h)
		}
	}
	return target.DSN, nil
}

// loopbackDatabase checks that a database URL is a SQLite file (on this
// machine by nature) or a PostgreSQL on this machine, and returns its target.
func loopbackDatabase(raw string) (db.Target, error) {
	target, err := db.ParseURL(raw)
	if err != nil || target.Dialect == db.SQLite {
		return target, err
	}
	if _, err := loopbackPostgres(raw); err != nil {
		return db.Target{}, err
	}
	return target, nil
}

// Package testpg gives tests a real, throwaway PostgreSQL database.
//
// Tests never run against mocks. Each call to [NewDatabase] creates a new,
// empty database with a unique name and drops it when the test ends. The
// databases live on one of two servers:
//
//   - the server named by the TEST_DATABASE_URL environment variable (a
//     postgres:// URL whose role may CREATE DATABASE; PostgreSQL 13 or newer),
//     if it is set; or else
//   - a private cluster that this test process starts itself on first use with
//     initdb and pg_ctl (found on PATH or under /usr/lib/postgresql/*/bin,
//     highest version first), listening on 127.0.0.1 only, on a port picked
//     at random, with trust authentication, fsync off and its data in a fresh
//     temporary directory. When the process runs as root (initdb refuses
//     root) the binaries are run as the "postgres" OS user via runuser.
//
// A package's tests use it as:
//
//	func TestMain(m *testing.M) { testpg.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		dsn := testpg.NewDatabase(t) // postgres://...
//		...
//	}
//
// When no PostgreSQL can be had (TEST_DATABASE_URL unset and no server
// binaries installed) tests calling NewDatabase are skipped, except when the
// CI environment variable is true, where they fail instead. A PostgreSQL that
// is configured or installed but does not work always fails the test.
package testpg

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// installHint tells a developer how to make PostgreSQL available.
const installHint = "install the PostgreSQL server (apt-get install -y postgresql) or set TEST_DATABASE_URL to a postgres:// URL of a server where the role may CREATE DATABASE"

// Seams for the package's own tests.
var (
	binGlob  = "/usr/lib/postgresql/*/bin" // Debian/Ubuntu server binaries
	lookPath = exec.LookPath
)

// server is where NewDatabase creates databases.
type server struct {
	base *url.URL // URL of an existing database; NewDatabase swaps its path
	db   *sql.DB  // connection pool on base, used for CREATE/DROP DATABASE
	cl   *cluster // the cluster this process started, or nil for TEST_DATABASE_URL
}

var (
	setupOnce    sync.Once
	shutdownOnce sync.Once
	srv          *server
	srvErr       error
	// unavailable reports that srvErr means "no PostgreSQL to be had" (skip,
	// or fail under CI) rather than a broken setup (always fail).
	unavailable bool
)

// errShutdown is reported by NewDatabase once Main has stopped the cluster.
var errShutdown = errors.New("testpg: NewDatabase called after testpg.Main stopped the server")

// Main runs the package's tests and then stops the PostgreSQL cluster this
// process started, if any; use it as:
//
//	func TestMain(m *testing.M) { testpg.Main(m) }
//
// It exits the process with the code returned by m.Run. Should the process
// die without reaching the end of Main (a panic in a test, a -timeout, a
// signal), a watchdog process started along with the cluster stops the
// cluster and removes its files within about a second.
func Main(m *testing.M) {
	defer shutdown() // best effort should m.Run panic on this goroutine
	code := m.Run()
	shutdown()
	os.Exit(code)
}

// NewDatabase returns a postgres:// URL of a new, empty database for this test
// (unique name sg_test_<random hex>, created from template1, owned by the
// connecting role), dropped in tb.Cleanup with DROP DATABASE ... WITH (FORCE),
// so connections still open at that point are terminated.
//
// The database is created on the server named by TEST_DATABASE_URL, with the
// same credentials, host and query parameters, or else on a cluster this
// process starts on first use (URL postgres://postgres@127.0.0.1:<port>/<db>?sslmode=disable).
//
// NewDatabase skips the test when no PostgreSQL can be had (TEST_DATABASE_URL
// unset and no initdb/pg_ctl installed), or fails it instead when the CI
// environment variable is true. It always fails the test when TEST_DATABASE_URL
// is set but unusable or when the installed binaries cannot start a server.
// It is safe for use by parallel tests.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	started := false
	setupOnce.Do(func() { started = true; setup() })
	if srvErr != nil {
		if unavailable && !inCI() {
			tb.Skip(srvErr.Error())
		}
		tb.Fatal(srvErr.Error())
	}
	if started && srv.cl != nil {
		tb.Logf("testpg: started PostgreSQL (%s) on 127.0.0.1:%d in %v", srv.cl.binDir, srv.cl.port, srv.cl.startup.Round(time.Millisecond))
	}

	name := "sg_test_" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// A linguistic default collation, as most production databases have
	// (en_US.UTF-8 and the like), so that SQL relying on the default
	// collation where it must compare byte-wise fails in tests too.
	// Servers without ICU fall back to their own default.
	create := "CREATE DATABASE " + quoteIdent(name)
	if _, err := srv.db.ExecContext(ctx, create+" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"); err != nil {
		if _, err := srv.db.ExecContext(ctx, create); err != nil {
			tb.Fatalf("testpg: create database %s: %v", name, err)
		}
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := srv.db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quoteIdent(name)+" WITH (FORCE)"); err != nil {
			tb.Errorf("testpg: drop database %s: %v", name, err)
		}
	})

	u := *srv.base
	u.Path, u.RawPath = "/"+name, ""
	return u.String()
}

// inCI reports whether the CI environment variable is true (CI=true, CI=1...).
func inCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

// setup finds or starts the server; it runs once per process.
func setup() {
	if raw := os.Getenv("TEST_DATABASE_URL"); raw != "" {
		s, err := connect(raw)
		if err != nil {
			srvErr = fmt.Errorf("testpg: TEST_DATABASE_URL is set but unusable: %w", err)
			return
		}
		srv = s
		return
	}
	initdb, pgCtl, err := findBinaries()
	if err != nil {
		srvErr, unavailable = err, true
		return
	}
	cl, err := startCluster(initdb, pgCtl)
	if err != nil {
		srvErr = err
		return
	}
	s, err := connect(cl.url("postgres"))
	if err != nil {
		cl.stop()
		srvErr = fmt.Errorf("testpg: connect to the started cluster: %w", err)
		return
	}
	s.cl = cl
	srv = s
}

// shutdown closes the admin pool and stops the cluster; it runs once, and
// makes later NewDatabase calls fail.
func shutdown() {
	shutdownOnce.Do(func() {
		// Waits for a setup in flight, and stops one from starting later.
		setupOnce.Do(func() {})
		if srv != nil {
			srv.db.Close()
			if srv.cl != nil {
				if err := srv.cl.stop(); err != nil {
					fmt.Fprintln(os.Stderr, err)
				}
			}
		}
		srv, srvErr, unavailable = nil, errShutdown, false
	})
}

// connect opens and checks a pool on a postgres:// URL.
func connect(raw string) (*server, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return nil, fmt.Errorf("want a postgres:// URL, got scheme %q", u.Scheme)
	}
	db, err := sql.Open("pgx", raw)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(8)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return &server{base: u, db: db}, nil
}

// findBinaries returns the paths of initdb and pg_ctl: from PATH if both are
// there, else from the highest version under binGlob.
func findBinaries() (initdb, pgCtl string, err error) {
	i, err1 := lookPath("initdb")
	p, err2 := lookPath("pg_ctl")
	if err1 == nil && err2 == nil {
		return i, p, nil
	}
	dirs, _ := filepath.Glob(binGlob)
	sort.Slice(dirs, func(a, b int) bool {
		return versionLess(filepath.Base(filepath.Dir(dirs[b])), filepath.Base(filepath.Dir(dirs[a])))
	})
	for _, d := range dirs {
		i, p := filepath.Join(d, "initdb"), filepath.Join(d, "pg_ctl")
		if isExecutable(i) && isExecutable(p) {
			return i, p, nil
		}
	}
	return "", "", fmt.Errorf("testpg: no PostgreSQL available: TEST_DATABASE_URL is unset and initdb/pg_ctl are neither on PATH nor in %s; %s", binGlob, installHint)
}

// versionLess compares dotted versions such as "9.6" and "15" numerically.
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, _ := strconv.Atoi(as[i])
		y, _ := strconv.Atoi(bs[i])
		if x != y {
			return x < y
		}
	}
	return len(as) < len(bs)
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// cluster is a PostgreSQL cluster started by this process.
type cluster struct {
	dir      string // temporary directory: data/, log, unix socket
	binDir   string
	pgCtl    string
	runuser  string // path of runuser when the binaries run as "postgres", else ""
	port     int
	opts     string // the server options it was started with, for Start
	startup  time.Duration
	watchdog *exec.Cmd
}

func (cl *cluster) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", cl.port, db)
}

// command builds a command running bin as the cluster's OS user.
func (cl *cluster) command(ctx context.Context, bin string, args ...string) *exec.Cmd {
	if cl.runuser != "" {
		args = append([]string{"-u", "postgres", "--", bin}, args...)
		bin = cl.runuser
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = cl.dir // a directory the postgres user can enter
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// run runs bin with args as the cluster's OS user, returning its output.
func (cl *cluster) run(bin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	cmd := cl.command(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return strings.TrimSpace(out.String()), err
}

// startCluster runs initdb and pg_ctl start in a new temporary directory.
func startCluster(initdb, pgCtl string) (_ *cluster, err error) {
	t0 := time.Now()
	dir, err := os.MkdirTemp("", "testpg-")
	if err != nil {
		return nil, fmt.Errorf("testpg: %w", err)
	}
	cl := &cluster{dir: dir, binDir: filepath.Dir(initdb), pgCtl: pgCtl}
	defer func() {
		if err != nil {
			cl.stop()
		}
	}()

	if os.Geteuid() == 0 {
		// initdb refuses to run as root.
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("testpg: running as root, so initdb must run as the \"postgres\" OS user, but: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, fmt.Errorf("testpg: %w", err)
		}
		if cl.runuser, err = lookPath("runuser"); err != nil {
			return nil, fmt.Errorf("testpg: running as root, so initdb must run via runuser as \"postgres\", but: %w", err)
		}
	}
	cl.startWatchdog()

	data, logFile := filepath.Join(dir, "data"), filepath.Join(dir, "log")
	if out, err := cl.run(initdb, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		return nil, fmt.Errorf("testpg: initdb (%s) failed: %v\n%s", initdb, err, out)
	}
	for attempt := 1; ; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, fmt.Errorf("testpg: find a free port: %w", err)
		}
		os.Remove(logFile)
		opts := fmt.Sprintf("-k %s -p %d -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", dir, port)
		out, err := cl.run(pgCtl, "-D", data, "-l", logFile, "-w", "-t", "60", "start", "-o", opts)
		if err == nil {
			cl.port, cl.opts, cl.startup = port, opts, time.Since(t0)
			return cl, nil
		}
		tail := logTail(logFile, 30)
		if attempt < 4 && (strings.Contains(tail, "could not bind") || strings.Contains(tail, "already in use")) {
			cl.run(pgCtl, "-D", data, "-m", "immediate", "-w", "stop") // in case it lingers
			continue
		}
		return nil, fmt.Errorf("testpg: pg_ctl start (%s) failed: %v\n%s\n--- tail of the server log ---\n%s", pgCtl, err, out, tail)
	}
}

// startWatchdog starts a detached shell that, once this process has gone,
// stops the cluster and removes its directory. It covers deaths that skip
// Main's cleanup; failing to start it is not an error.
func (cl *cluster) startWatchdog() {
	stop := []string{cl.pgCtl, "-D", filepath.Join(cl.dir, "data"), "-m", "immediate", "-w", "stop"}
	if cl.runuser != "" {
		stop = append([]string{cl.runuser, "-u", "postgres", "--"}, stop...)
	}
	script := `pid=$1 dir=$2; shift 2
while kill -0 "$pid" 2>/dev/null; do sleep 1; done
"$@" >/dev/null 2>&1
rm -rf "$dir"`
	args := append([]string{"-c", script, "testpg-watchdog", strconv.Itoa(os.Getpid()), cl.dir}, stop...)
	cmd := exec.Command("/bin/sh", args...)
	// Own process group: a Ctrl-C to the test's group must not kill it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if cmd.Start() == nil {
		cl.watchdog = cmd
	}
}

// stop ends the watchdog, stops the server (immediate mode: the data is
// thrown away) and removes the directory.
func (cl *cluster) stop() error {
	if cl.watchdog != nil {
		syscall.Kill(-cl.watchdog.Process.Pid, syscall.SIGKILL) // its group: sh and sleep
		cl.watchdog.Wait()
		cl.watchdog = nil
	}
	var stopErr error
	data := filepath.Join(cl.dir, "data")
	if _, err := os.Stat(filepath.Join(data, "postmaster.pid")); err == nil {
		if out, err := cl.run(cl.pgCtl, "-D", data, "-m", "immediate", "-w", "stop"); err != nil {
			stopErr = fmt.Errorf("testpg: pg_ctl stop: %v\n%s", err, out)
		}
	}
	if err := os.RemoveAll(cl.dir); err != nil && stopErr == nil {
		stopErr = fmt.Errorf("testpg: %w", err)
	}
	return stopErr
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// logTail returns the last n lines of a file, or a note why it cannot.
func logTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(cannot read log: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return hex.EncodeToString(b)
}

// quoteIdent quotes a PostgreSQL identifier.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// Cluster is a private PostgreSQL cluster that a test may stop and start
// again (on the same port, with its data), for fault tests: a database that
// is down at start, or restarted under load.
type Cluster struct{ cl *cluster }

// NewCluster starts a new cluster for this test alone, stopped and removed
// at the test's end. It needs the PostgreSQL server binaries (initdb,
// pg_ctl); without them it skips the test, or fails it when CI is true.
func NewCluster(tb testing.TB) *Cluster {
	tb.Helper()
	initdb, pgCtl, err := findBinaries()
	if err != nil {
		if !inCI() {
			tb.Skip(err.Error())
		}
		tb.Fatal(err.Error())
	}
	cl, err := startCluster(initdb, pgCtl)
	if err != nil {
		tb.Fatal(err.Error())
	}
	tb.Cleanup(func() {
		if err := cl.stop(); err != nil {
			tb.Error(err)
		}
	})
	return &Cluster{cl: cl}
}

// URL returns the postgres:// URL of database db (e.g. "postgres") on the cluster.
func (c *Cluster) URL(db string) string { return c.cl.url(db) }

// Stop stops the server in fast mode: sessions are terminated (their
// clients see SQLSTATE 57P01), as in a restart or a failover.
func (c *Cluster) Stop(tb testing.TB) {
	tb.Helper()
	if out, err := c.cl.run(c.cl.pgCtl, "-D", filepath.Join(c.cl.dir, "data"), "-m", "fast", "-w", "stop"); err != nil {
		tb.Fatalf("testpg: pg_ctl stop: %v\n%s", err, out)
	}
}

// Start starts the stopped server again, on the same port.
func (c *Cluster) Start(tb testing.TB) {
	tb.Helper()
	data, logFile := filepath.Join(c.cl.dir, "data"), filepath.Join(c.cl.dir, "log")
	if out, err := c.cl.run(c.cl.pgCtl, "-D", data, "-l", logFile, "-w", "-t", "60", "start", "-o", c.cl.opts); err != nil {
		tb.Fatalf("testpg: pg_ctl start: %v\n%s\n%s", err, out, logTail(logFile, 20))
	}
}

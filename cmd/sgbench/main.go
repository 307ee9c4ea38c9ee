// Command sgbench generates benchmark data, measures a running sessiongraph
// server against raw SQL, soaks it with many clients, and measures its
// subscriptions while it writes as Agno does.
//
//	sgbench gen  --db URL --sessions N --runs R --messages M [--long-session R] [--layout v3|v2] [--seed S] [--replace]
//	sgbench load --server http://127.0.0.1:8080 --db URL [--server-pid PID] [--concurrency 16]
//	             [--duration 10s] [--max-requests N] [--scenarios a,b,c,d,e,f,g] [--page 5000] [--runs-page 5000]
//	             [--rounds 1] [--peer http://127.0.0.1:5055/graphql [--peer-pid PID]]
//	sgbench soak --server http://127.0.0.1:8080 [--db URL] [--server-pid PID] [--concurrency 64]
//	             [--duration 60s] [--max-requests N] [--rename-share 0.1] [--token T] [--max-growth 4]
//	sgbench subscribe --server http://127.0.0.1:8080 --db URL [--server-pid PID] [--subscribers 1000]
//	             [--per-connection 1] [--transport ws|sse] [--document events|dashboard] [--idle 25s]
//	             [--duration 30s] [--write-rate 5] [--update-after 10s] [--token T]
//
// See docs/performance.md and docs/soak.md for the recipes and the numbers.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	// sgbench shares the machine's cores with the server and the database it
	// measures; a lighter garbage collector leaves them more (about a quarter
	// less of sgbench's CPU per request than at Go's default of 100).
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "sgbench:", err)
		}
		os.Exit(2)
	}
}

const usage = `Usage:
  sgbench gen  --db URL --sessions N --runs R --messages M [--long-session R] [--layout v3|v2] [--seed S] [--replace]
  sgbench load --server http://127.0.0.1:8080 --db URL [--server-pid PID] [--concurrency 16]
               [--duration 10s] [--max-requests N] [--scenarios a,b,c,d,e,f,g] [--page 5000] [--runs-page 5000]
               [--rounds 1] [--peer http://127.0.0.1:5055/graphql [--peer-pid PID]] [--floor]
  sgbench floor --db URL [--addr 127.0.0.1:0] [--concurrency 16]   (what load --floor starts)
  sgbench soak --server http://127.0.0.1:8080 [--db URL] [--server-pid PID] [--concurrency 64]
               [--duration 60s] [--max-requests N] [--rename-share 0.1] [--token T] [--max-growth 4]
  sgbench subscribe --server http://127.0.0.1:8080 --db URL [--server-pid PID] [--subscribers 1000]
               [--per-connection 1] [--transport ws|sse] [--document events|dashboard] [--idle 25s]
               [--duration 30s] [--write-rate 5] [--update-after 10s] [--token T]

Run "sgbench gen -h", "sgbench load -h", "sgbench soak -h" or "sgbench subscribe -h" for the flags.`

// run dispatches a subcommand.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "gen":
		return runGen(ctx, args[1:], stdout, stderr)
	case "load":
		return runLoad(ctx, args[1:], stdout, stderr)
	case "soak":
		return runSoak(ctx, args[1:], stdout, stderr)
	case "subscribe":
		return runSubscribe(ctx, args[1:], stdout, stderr)
	case "floor":
		return runFloor(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	fmt.Fprintln(stderr, usage)
	return fmt.Errorf("unknown subcommand %q", args[0])
}

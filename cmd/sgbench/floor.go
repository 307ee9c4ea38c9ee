package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"sessiongraph/db"
)

// The floor is the least a Go server can do for a scenario: read the
// request over net/http, decode its JSON, run the statements the server
// runs for it through pgx, and write their rows back as JSON. No GraphQL,
// no authorization, no logging or metrics. `sgbench load --floor` starts it
// as a child process (`sgbench floor`) and measures it beside the server
// and the raw SQL: the floor ÷ raw SQL ratio is what any Go HTTP server
// over the same statements reaches, the server ÷ floor ratio what the
// GraphQL layer and everything else keep of it.

// floorScenario is what the floor serves: the statements of one scenario
// and, as for the raw SQL phase, the argument replaced by the value of a
// request's variable.
type floorScenario struct {
	Statements []floorStatement
	From       string // the captured argument replaced ("" for none)
	Substitute string // the variable that replaces it
}

type floorStatement struct {
	SQL  string
	Args []any
}

func runFloor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sgbench floor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbURL := fs.String("db", "", "the PostgreSQL database (loopback only)")
	addr := fs.String("addr", "127.0.0.1:0", "where to listen (loopback)")
	concurrency := fs.Int("concurrency", 16, "connections to PostgreSQL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dsn, err := loopbackPostgres(*dbURL)
	if err != nil {
		return err
	}
	cfg, err := pgxpool.ParseConfig(db.WithSessionDefaults(dsn))
	if err != nil {
		return err
	}
	cfg.MaxConns = int32(*concurrency)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	f := &floor{pool: pool}
	srv := &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	// The parent reads this line for the address.
	fmt.Fprintf(stdout, "floor listening on http://%s\n", ln.Addr())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

type floor struct {
	pool *pgxpool.Pool
	mu   sync.RWMutex
	cur  floorScenario
}

// ServeHTTP takes a scenario (PUT, gob) or serves a request of the current
// one (POST, a GraphQL request's JSON).
func (f *floor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPut:
		var s floorScenario
		if err := gob.NewDecoder(r.Body).Decode(&s); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.cur = s
		f.mu.Unlock()
	case http.MethodPost:
		f.mu.RLock()
		s := f.cur
		f.mu.RUnlock()
		var req struct {
			Query     string         `json:"query"`
			Variables map[string]any `json:"variables"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		to := ""
		if s.Substitute != "" {
			to, _ = req.Variables[s.Substitute].(string)
		}
		var out [][]string
		for _, st := range s.Statements {
			rows, err := f.pool.Query(r.Context(), st.SQL, swapArg(st.Args, s.From, to)...)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			for rows.Next() {
				raw := rows.RawValues()
				row := make([]string, len(raw))
				for i, v := range raw {
					row[i] = string(v)
				}
				out = append(out, row)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"rows": out}})
	default:
		http.Error(w, "PUT or POST", http.StatusMethodNotAllowed)
	}
}

// floorProcess is a running `sgbench floor`.
type floorProcess struct {
	cmd    *exec.Cmd
	url    string
	client *graphQLClient
}

// startFloor starts `sgbench floor` on a loopback port.
func startFloor(ctx context.Context, dbURL string, concurrency int) (*floorProcess, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, "floor", "--db", dbURL, "--concurrency", fmt.Sprint(concurrency))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	_, url, ok := strings.Cut(strings.TrimSpace(line), " on ")
	if err != nil || !ok {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("sgbench floor did not start: %q %v", line, err)
	}
	return &floorProcess{cmd: cmd, url: url, client: newGraphQLClient(url+"/graphql", "", concurrency)}, nil
}

func (p *floorProcess) pid() int { return p.cmd.Process.Pid }

// serve makes the floor serve stmts for the requests that follow.
func (p *floorProcess) serve(ctx context.Context, stmts []statement, from, substitute string) error {
	s := floorScenario{From: from, Substitute: substitute}
	for _, st := range stmts {
		s.Statements = append(s.Statements, floorStatement{SQL: st.sql, Args: st.args})
	}
	var body bytes.Buffer
	if err := gob.NewEncoder(&body).Encode(s); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, p.url+"/graphql", &body)
	if err != nil {
		return err
	}
	status, b, err := p.client.do(req)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("sgbench floor: status %d: %.300s", status, b)
	}
	return nil
}

func (p *floorProcess) close() {
	p.client.close()
	_ = p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

// TestPlaygroundInChromium drives the embedded GraphiQL in a real headless
// Chromium against the demo dataset: it types a query into the editor, runs
// it and reads the answer from the result pane; and it runs a subscription
// over a WebSocket while the test writes a session. It skips without Chromium
// (apt-get install -y chromium), or fails under CI=true. Screenshots go to
// $SESSIONGRAPH_ARTIFACTS, else to a temporary directory.
func TestPlaygroundInChromium(t *testing.T) {
	chromium := chromiumPath(t)
	artifacts := os.Getenv("SESSIONGRAPH_ARTIFACTS")
	if artifacts == "" {
		artifacts = t.TempDir()
	} else if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	const query = `{ sessions(first: 3) { totalCount nodes { sessionId name } } }`
	run := runQuery()

	t.Run("runs a sessions query typed into the editor, fetching nothing from elsewhere", func(t *testing.T) {
		base, _ := served(t, "--demo")
		tab := openTab(t, chromium)
		tab.do(t, "open the page, type the query and run it",
			chromedp.Navigate(base+"/"), typeQuery(query), run, waitForResponse(`"totalCount"`))
		checkSessions(t, tab.response(t), 3)
		tab.do(t, "open the explorer plugin, which shows the query's fields",
			chromedp.Click(chromedp.CSS(`.graphiql-sidebar button[aria-label="Show GraphiQL Explorer"]`)),
			poll(`document.querySelector(".graphiql-explorer-root")?.innerText.includes("totalCount")`))
		tab.screenshot(t, filepath.Join(artifacts, "playground-demo.png"))
		tab.check(t, base)
	})

	t.Run("with --security-key, answers 401 until the key is entered in the token field", func(t *testing.T) {
		const key = "playground-browser-test-key"
		base, _ := served(t, "--demo", "--security-key", key)
		tab := openTab(t, chromium)
		tab.do(t, "run the query without a token",
			chromedp.Navigate(base+"/"), typeQuery(query), run, waitForResponse(`"UNAUTHENTICATED"`))
		tab.screenshot(t, filepath.Join(artifacts, "playground-security-key-401.png"))

		tab.do(t, "enter the key in the token field and run the query again",
			chromedp.SendKeys(chromedp.CSS("#sg-token"), key+"\r"),
			poll(`document.getElementById("sg-token-state").textContent.startsWith("sent as Authorization: Bearer")`),
			run, waitForResponse(`"totalCount"`))
		checkSessions(t, tab.response(t), 3)
		tab.screenshot(t, filepath.Join(artifacts, "playground-security-key.png"))

		stored := func() *string {
			v, err := chromedp.Run(tab.ctx, chromedp.Evaluate[*string](`localStorage.getItem("sessiongraph.token")`))
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		if v := stored(); v != nil {
			t.Errorf("the token is in localStorage before the user asked: %q", *v)
		}
		tab.do(t, "tick remember", chromedp.Click(chromedp.CSS("#sg-remember")),
			poll(`localStorage.getItem("sessiongraph.token") !== null`))
		if v := stored(); v == nil || *v != key {
			t.Errorf("localStorage token after ticking remember: %v", v)
		}
		tab.check(t, base)
	})

	t.Run("runs a sessionEvents subscription over a WebSocket, authenticated with the token field, and shows a session written meanwhile", func(t *testing.T) {
		const key = "playground-browser-test-key"
		file := agnoDatabase(t)
		base, _ := served(t, "--db", file, "--security-key", key)
		tab := openTab(t, chromium)
		tab.do(t, "open the page, type the subscription and run it without a token",
			chromedp.Navigate(base+"/"),
			typeQuery(`subscription { sessionEvents { kind sessionId session { sessionId } } }`), run,
			waitForResponse(`"WebSocket closed: 4403`))
		tab.do(t, "enter the key in the token field and run the subscription again",
			chromedp.SendKeys(chromedp.CSS("#sg-token"), key+"\r"),
			poll(`document.getElementById("sg-token-state").textContent.startsWith("sent as Authorization: Bearer")`),
			run, tab.waitForFrame("sent", `"type":"subscribe"`))
		if tab.frame("sent", `{"Authorization":"Bearer `+key+`"}`) == "" {
			t.Errorf("no connection_init carried the token field's key")
		}

		// The subscription's place in the change feed is taken before it counts as open.
		eventually(t, "the server counts the subscription open", func() bool {
			return metricsInclude(t, base, `sessiongraph_subscriptions_open{kind="sessionEvents"} 1`)
		})
		const id = "s-written-while-watched"
		writeSession(t, file, id)
		tab.do(t, "wait for the event in the result pane", waitForResponseWithin(id, 10*time.Second))
		var event struct {
			Data struct {
				SessionEvents struct {
					Kind, SessionID string
					Session         struct{ SessionID string }
				}
			}
			Errors []any
		}
		answer := tab.response(t)
		if err := json.Unmarshal([]byte(answer), &event); err != nil {
			t.Fatalf("result pane: %v\n%s", err, answer)
		}
		if e := event.Data.SessionEvents; len(event.Errors) > 0 || e.Kind != "CREATED" || e.SessionID != id || e.Session.SessionID != id {
			t.Errorf("result pane: %s", answer)
		}
		tab.screenshot(t, filepath.Join(artifacts, "playground-subscription.png"))

		tab.do(t, "stop the subscription", chromedp.Click(chromedp.CSS(".graphiql-execute-button")),
			tab.waitForFrame("sent", `"type":"complete"`))
		tab.check(t, base)
	})
}

// agnoDatabase returns a new SQLite database holding the fixture sessions.
func agnoDatabase(t *testing.T) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "agno.db")
	store, err := db.Open(context.Background(), db.Options{URL: file})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := store.InsertRows(context.Background(), agnotest.LoadRows(t, "sessions.json"), db.PlainJSON); err != nil {
		t.Fatal(err)
	}
	return file
}

// metricsInclude reports whether the server's /metrics has the line.
func metricsInclude(t *testing.T, base, line string) bool {
	t.Helper()
	resp, err := client.Get(base + "/metrics")
	if err != nil {
		t.Fatalf("/metrics: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("/metrics: %v", err)
	}
	return slices.Contains(strings.Split(string(body), "\n"), line)
}

// writeSession stores a new session in the SQLite database at file, as Agno
// would while the server watches it: a fixture session under a new id,
// created and updated now.
func writeSession(t *testing.T, file, id string) {
	t.Helper()
	store, err := db.Open(context.Background(), db.Options{URL: file})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	rows := agnotest.LoadRows(t, "sessions.json")
	// s-102 has no runs, which would carry its old id.
	row := rows[slices.IndexFunc(rows, func(r models.SessionRow) bool { return r.SessionID == "s-102" })]
	now := time.Now().Unix()
	row.SessionID, row.CreatedAt, row.UpdatedAt = id, now, &now
	if err := store.InsertRows(context.Background(), []models.SessionRow{row}, db.PlainJSON); err != nil {
		t.Fatal(err)
	}
}

// chromiumPath finds Chromium, or skips the test (fails it under CI=true).
func chromiumPath(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	msg := "no Chromium to drive the playground (apt-get install -y chromium)"
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// browserTab is a tab of its own headless Chromium that records what the
// page logs and requests, and what goes over its WebSockets.
type browserTab struct {
	ctx context.Context

	mu       sync.Mutex
	console  []chromedp.ConsoleMessage
	requests []string // every URL the page requested, WebSockets' included
	sockets  []string // "opened URL", "sent FRAME", "received FRAME", "error …", "closed", in order
}

func openTab(t *testing.T, chromium string) *browserTab {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox, // CI runs as root
		chromedp.WindowSize(1400, 900))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelTab)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelTimeout)
	tab := &browserTab{ctx: ctx}
	start := time.Now()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	t.Logf("Chromium started in %v", time.Since(start).Round(time.Millisecond))
	console, requests := chromedp.Console(ctx), chromedp.Events(ctx, network.RequestWillBeSent)
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			tab.mu.Lock()
			tab.console = append(tab.console, m)
			tab.mu.Unlock()
		}
	}()
	go func() {
		for ev, err := range requests {
			if err != nil {
				return
			}
			tab.mu.Lock()
			tab.requests = append(tab.requests, ev.Request.URL)
			tab.mu.Unlock()
		}
	}()
	// Listen, unlike Events, keeps the order of events of different types.
	if err := chromedp.Listen(ctx, tab.recordSocket); err != nil {
		t.Fatal(err)
	}
	return tab
}

// recordSocket notes a WebSocket event; it runs on chromedp's read loop.
func (tab *browserTab) recordSocket(ev any) {
	var line, url string
	switch ev := ev.(type) {
	case *network.EventWebSocketCreated:
		line, url = "opened "+ev.URL, ev.URL
	case *network.EventWebSocketFrameSent:
		line = "sent " + string(ev.Response.PayloadData)
	case *network.EventWebSocketFrameReceived:
		line = "received " + string(ev.Response.PayloadData)
	case *network.EventWebSocketFrameError:
		line = "error " + ev.ErrorMessage
	case *network.EventWebSocketClosed:
		line = "closed"
	default:
		return
	}
	tab.mu.Lock()
	defer tab.mu.Unlock()
	tab.sockets = append(tab.sockets, line)
	if url != "" {
		tab.requests = append(tab.requests, url)
	}
}

// do runs steps, failing the test with the page's console if they fail.
func (tab *browserTab) do(t *testing.T, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	start := time.Now()
	if err := chromedp.Do(tab.ctx, steps...); err != nil {
		editors, _ := chromedp.Run(tab.ctx, chromedp.Evaluate[string](
			`[...document.querySelectorAll(".monaco-editor .view-lines")].map((e) => e.innerText).join("\n---\n")`))
		t.Fatalf("%s: %v\neditors:\n%s\n%s%s", what, err, editors, tab.consoleText(), tab.socketText())
	}
	t.Logf("%s: %v", what, time.Since(start).Round(time.Millisecond))
}

// socketText lists the WebSocket events, one a line.
func (tab *browserTab) socketText() string {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	var b strings.Builder
	for _, line := range tab.sockets {
		fmt.Fprintf(&b, "  websocket %s\n", line)
	}
	return b.String()
}

// frame returns the first WebSocket frame sent or received (direction) that
// contains text, or "".
func (tab *browserTab) frame(direction, text string) string {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	for _, line := range tab.sockets {
		if frame, ok := strings.CutPrefix(line, direction+" "); ok && strings.Contains(frame, text) {
			return frame
		}
	}
	return ""
}

// waitForFrame waits until a WebSocket frame sent or received (direction)
// contains text.
func (tab *browserTab) waitForFrame(direction, text string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		for tab.frame(direction, text) == "" {
			select {
			case <-ctx.Done():
				return chromedp.Void{}, fmt.Errorf("waiting for a WebSocket frame %s with %s: %w", direction, text, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
		return chromedp.Void{}, nil
	}
}

func (tab *browserTab) consoleText() string {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	var b strings.Builder
	for _, m := range tab.console {
		fmt.Fprintf(&b, "  console %s %s\n", m.Source, m)
	}
	return b.String()
}

// typeQuery replaces the query editor's text as a user would: focus, select
// all, type, and delete what Monaco added after the cursor.
func typeQuery(query string) chromedp.Action[chromedp.Void] {
	lines := ".graphiql-query-editor .monaco-editor .view-lines"
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS(lines)),
		chromedp.Click(chromedp.CSS(lines)),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.KeyEvent(query),
		// Monaco may have closed a bracket the query closes too.
		chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(chromedp.ModifierCtrl, chromedp.ModifierShift)),
		chromedp.KeyEvent(kb.Delete),
		chromedp.KeyEvent(kb.Home),
		poll(fmt.Sprintf(`document.querySelector(%q).innerText.replace(/\s+/g, " ").trim() === %q`,
			lines, strings.Join(strings.Fields(query), " "))))
}

// responseModel is the result pane's editor model, in the page.
const responseModel = `globalThis.__MONACO.editor.getModels().find((m) => m.uri.path.endsWith("response.json"))`

// runQuery clicks the run button, first noting the result pane's version:
// the pane can already hold an answer (the page shows a failed schema fetch
// there, such as a 401's), which waitForResponse must not take for the run's.
func runQuery() chromedp.Action[chromedp.Void] {
	mark := chromedp.Evaluate[bool](`(() => { window.__sgResponseVersion = ` + responseModel + `?.getVersionId() ?? 0; return true })()`)
	click := chromedp.Click(chromedp.CSS(".graphiql-execute-button"))
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := mark(ctx, t); err != nil {
			return chromedp.Void{}, err
		}
		return click(ctx, t)
	}
}

// waitForResponse waits until the result pane holds an answer given after
// the last runQuery that contains text.
func waitForResponse(text string) chromedp.Action[chromedp.Void] {
	return waitForResponseWithin(text, 30*time.Second)
}

func waitForResponseWithin(text string, timeout time.Duration) chromedp.Action[chromedp.Void] {
	return pollWithin(fmt.Sprintf(`((m) => !!m && m.getVersionId() > (window.__sgResponseVersion ?? 0) && m.getValue().includes(%q))(%s)`, text, responseModel), timeout)
}

// poll waits until the expression is true in the page.
func poll(expression string) chromedp.Action[chromedp.Void] {
	return pollWithin(expression, 30*time.Second)
}

func pollWithin(expression string, timeout time.Duration) chromedp.Action[chromedp.Void] {
	wait := chromedp.Poll[bool](expression, chromedp.WithPollingTimeout(timeout))
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := wait(ctx, t); err != nil {
			return chromedp.Void{}, fmt.Errorf("waiting for %s: %w", expression, err)
		}
		return chromedp.Void{}, nil
	}
}

// response returns the whole text of the result pane. The DOM holds only the
// lines in view, so it reads Monaco's model, which GraphiQL exposes.
func (tab *browserTab) response(t *testing.T) string {
	t.Helper()
	text, err := chromedp.Run(tab.ctx, chromedp.Evaluate[string](
		responseModel+`.getValue()`))
	if err != nil {
		t.Fatalf("read the result pane: %v", err)
	}
	return text
}

func (tab *browserTab) screenshot(t *testing.T, path string) {
	t.Helper()
	png, err := chromedp.Run(tab.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// check fails the test on a Content-Security-Policy violation, an uncaught
// exception or a request that left the server at base (the page must work
// offline), and logs the page's console and WebSocket frames.
func (tab *browserTab) check(t *testing.T, base string) {
	t.Helper()
	t.Logf("page console:\n%s%s", tab.consoleText(), tab.socketText())
	socketBase := "ws" + strings.TrimPrefix(base, "http")
	tab.mu.Lock()
	defer tab.mu.Unlock()
	for _, m := range tab.console {
		if m.IsException() || strings.Contains(m.Text, "Content Security Policy") {
			t.Errorf("page: %s", m)
		}
	}
	for _, u := range tab.requests {
		if !strings.HasPrefix(u, base+"/") && !strings.HasPrefix(u, socketBase+"/") && !strings.HasPrefix(u, "data:") {
			t.Errorf("the page requested %s, outside %s", u, base)
		}
	}
	t.Logf("the page made %d requests, all to %s", len(tab.requests), base)
}

// checkSessions fails the test unless answer is a sessions page of n nodes
// without errors.
func checkSessions(t *testing.T, answer string, n int) {
	t.Helper()
	var out struct {
		Data struct {
			Sessions struct {
				TotalCount int
				Nodes      []struct{ SessionID, Name string }
			}
		}
		Errors []any
	}
	if err := json.Unmarshal([]byte(answer), &out); err != nil {
		t.Fatalf("result pane: %v\n%s", err, answer)
	}
	s := out.Data.Sessions
	if len(out.Errors) > 0 || s.TotalCount < 100 || len(s.Nodes) != n || s.Nodes[0].SessionID == "" {
		t.Errorf("result pane: %s", answer)
	}
}

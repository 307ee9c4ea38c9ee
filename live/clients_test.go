package live_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// payload is one result a subscription delivered: a GraphQL response.
type payload struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (p payload) code() string {
	if len(p.Errors) == 0 {
		return ""
	}
	c, _ := p.Errors[0].Extensions["code"].(string)
	return c
}

// stream is a subscription seen from a client: its results in order, then
// its end (nil for a complete, else why it ended).
type stream struct {
	results chan payload
	done    chan error
}

func newStream() *stream {
	return &stream{results: make(chan payload, 1000), done: make(chan error, 1)}
}

// next waits for the next result; it fails the test after wait.
func (s *stream) next(t *testing.T, wait time.Duration) payload {
	t.Helper()
	select {
	case p := <-s.results:
		return p
	case err := <-s.done:
		select {
		case p := <-s.results: // it came before the end; select chose at random
			s.done <- err
			return p
		default:
		}
		t.Fatalf("the subscription ended (%v) while a result was awaited", err)
	case <-time.After(wait):
		t.Fatalf("no result within %s", wait)
	}
	return payload{}
}

// none checks that no result arrives within wait.
func (s *stream) none(t *testing.T, wait time.Duration) {
	t.Helper()
	select {
	case p := <-s.results:
		t.Fatalf("unexpected result: %s %v", p.Data, p.Errors)
	case <-time.After(wait):
	}
}

// wsClient is a graphql-transport-ws client (the graphql-ws library's
// protocol) over a real WebSocket.
type wsClient struct {
	conn    *websocket.Conn
	mu      sync.Mutex
	streams map[string]*stream
	ack     chan error
	closed  chan websocket.CloseError
	ids     int
}

// dialWS connects to url and sends connection_init with initPayload; it
// returns once the server acknowledged, or fails the test.
func dialWS(t *testing.T, url string, initPayload map[string]any, header http.Header) *wsClient {
	t.Helper()
	c, err := dialWSErr(t, url, initPayload, header)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func dialWSErr(t *testing.T, url string, initPayload map[string]any, header http.Header) (*wsClient, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http")+"/graphql", &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: header,
	})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		return nil, fmt.Errorf("dial (HTTP %d): %w", status, err)
	}
	conn.SetReadLimit(64 << 20)
	c := &wsClient{conn: conn, streams: map[string]*stream{}, ack: make(chan error, 1), closed: make(chan websocket.CloseError, 1)}
	t.Cleanup(func() { _ = conn.CloseNow() })
	if err := wsjson.Write(ctx, conn, map[string]any{"type": "connection_init", "payload": initPayload}); err != nil {
		return nil, err
	}
	go c.read()
	select {
	case err := <-c.ack:
		return c, err
	case ce := <-c.closed:
		return nil, ce
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// read dispatches the server's messages until the connection closes.
func (c *wsClient) read() {
	for {
		var m struct {
			Type    string          `json:"type"`
			ID      string          `json:"id"`
			Payload json.RawMessage `json:"payload"`
		}
		if err := wsjson.Read(context.Background(), c.conn, &m); err != nil {
			var ce websocket.CloseError
			if ok := asCloseError(err, &ce); ok {
				c.closed <- ce
			} else {
				c.closed <- websocket.CloseError{Code: -1, Reason: err.Error()}
			}
			c.mu.Lock()
			for _, s := range c.streams {
				select {
				case s.done <- err:
				default:
				}
			}
			c.mu.Unlock()
			return
		}
		c.mu.Lock()
		s := c.streams[m.ID]
		c.mu.Unlock()
		switch m.Type {
		case "connection_ack":
			c.ack <- nil
		case "ping":
			_ = wsjson.Write(context.Background(), c.conn, map[string]any{"type": "pong"})
		case "next":
			var p payload
			_ = json.Unmarshal(m.Payload, &p)
			s.results <- p
		case "error":
			s.done <- fmt.Errorf("error message: %s", m.Payload)
		case "complete":
			s.done <- nil
		}
	}
}

func asCloseError(err error, ce *websocket.CloseError) bool {
	code := websocket.CloseStatus(err)
	if code == -1 {
		return false
	}
	var reason string
	if e, ok := err.(websocket.CloseError); ok {
		reason = e.Reason
	} else if s := err.Error(); strings.Contains(s, "reason = ") {
		reason = s[strings.Index(s, "reason = ")+len("reason = "):]
	}
	*ce = websocket.CloseError{Code: code, Reason: reason}
	return true
}

// subscribe starts a subscription. Streams are registered before the
// message is sent, from the test's goroutine only.
func (c *wsClient) subscribe(t *testing.T, query string, vars map[string]any) *stream {
	t.Helper()
	c.ids++
	id := fmt.Sprint(c.ids)
	s := newStream()
	c.mu.Lock()
	c.streams[id] = s
	c.mu.Unlock()
	if err := wsjson.Write(context.Background(), c.conn, map[string]any{"id": id, "type": "subscribe",
		"payload": map[string]any{"query": query, "variables": vars}}); err != nil {
		t.Fatal(err)
	}
	return s
}

// sseSubscribe starts a subscription over Server-Sent Events (graphql-sse's
// distinct connections mode) with a real HTTP client, and parses the
// stream as it arrives.
func sseSubscribe(t *testing.T, url, token, query string, vars map[string]any) (*stream, *http.Response) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	s := newStream()
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		return s, resp
	}
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && event == "next":
				var p payload
				_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &p)
				s.results <- p
			case line == "" && event == "complete":
				s.done <- nil
				return
			}
		}
		s.done <- fmt.Errorf("stream ended: %v", sc.Err())
	}()
	return s, resp
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// The subscription load's clients: graphql-transport-ws over WebSocket
// (several subscriptions per connection) and graphql-sse's distinct
// connections mode (one subscription per HTTP stream). Each connection has
// one goroutine, which reads the events, timestamps them and takes only the
// session id out of each: sgbench shares the cores with the server.

// received is one event as a subscription got it.
type received struct {
	sub     int32         // the subscription, numbered from 0 across connections
	session int32         // the written session the event names (sessionIndex)
	at      time.Duration // when it was read, on the load's clock
}

// sessionIndex numbers the sessions the writer writes, so that a connection
// turns an event's session id into a number without allocating. A session
// is added before it is written.
type sessionIndex struct {
	mu  sync.RWMutex
	ids map[string]int32
}

func newSessionIndex() *sessionIndex { return &sessionIndex{ids: map[string]int32{}} }

func (x *sessionIndex) add(id string) int32 {
	x.mu.Lock()
	defer x.mu.Unlock()
	n := int32(len(x.ids))
	x.ids[id] = n
	return n
}

func (x *sessionIndex) lookup(id []byte) (int32, bool) {
	x.mu.RLock()
	n, ok := x.ids[string(id)]
	x.mu.RUnlock()
	return n, ok
}

// loadClock is what every connection shares: the clock events are
// timestamped on, the written sessions, and a count of the events of
// written sessions received so far (to know when every expected one came).
type loadClock struct {
	start     time.Time
	sessions  *sessionIndex
	delivered atomic.Int64
}

func (c *loadClock) now() time.Duration { return time.Since(c.start) }

// subscriberConn is one client connection and what its subscriptions got.
type subscriberConn struct {
	clock    *loadClock
	first, n int32 // its subscriptions are first … first+n-1
	events   []received
	foreign  int // events naming sessions sgbench did not write
	// failures are results that are not events (errors, a subscription
	// completed by the server) and how the connection ended, if it did
	// before sgbench closed it; failed counts them (read while the reader
	// runs).
	failures []string
	failed   atomic.Int32
	closing  atomic.Bool
	close    func()
	done     chan struct{} // closed when the reader returns
}

func newSubscriberConn(clock *loadClock, first, n int32) *subscriberConn {
	return &subscriberConn{clock: clock, first: first, n: n, done: make(chan struct{})}
}

// event records an event of subscription id (1-based on the connection).
func (c *subscriberConn) event(id int, sessionID []byte, at time.Duration) {
	if id < 1 || id > int(c.n) {
		c.fail(fmt.Sprintf("an event for subscription %d, which this connection did not open", id))
		return
	}
	session, ok := c.clock.sessions.lookup(sessionID)
	if !ok {
		c.foreign++
		return
	}
	c.events = append(c.events, received{sub: c.first + int32(id) - 1, session: session, at: at})
	c.clock.delivered.Add(1)
}

func (c *subscriberConn) fail(what string) {
	if len(c.failures) < 10 {
		c.failures = append(c.failures, what)
	}
	c.failed.Add(1)
}

// ended records why the reader stopped, unless sgbench closed the connection.
func (c *subscriberConn) ended(err error) {
	if !c.closing.Load() {
		c.fail("connection ended: " + err.Error())
	}
}

// shut closes the connection and waits for its reader.
func (c *subscriberConn) shut() {
	c.closing.Store(true)
	c.close()
	<-c.done
}

// eventOf returns the session id of a result (the first "sessionId" of its
// data: the event's own, which the documents select before the session),
// or the errors it carries.
func eventOf(payload []byte) (sessionID []byte, errs string) {
	if bytes.HasPrefix(payload, []byte(`{"errors"`)) {
		var resp graphQLErrors
		if err := json.Unmarshal(payload, &resp); err != nil || len(resp.Errors) == 0 {
			return nil, fmt.Sprintf("%.200s", payload)
		}
		return nil, resp.Errors[0].Extensions.Code + " " + resp.Errors[0].Message
	}
	const key = `"sessionId":"`
	i := bytes.Index(payload, []byte(key))
	if i < 0 {
		return nil, fmt.Sprintf("a result without a sessionId: %.200s", payload)
	}
	rest := payload[i+len(key):]
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return nil, fmt.Sprintf("a result without a sessionId: %.200s", payload)
	}
	return rest[:end], ""
}

// wsMessage is what sgbench reads of a graphql-transport-ws message.
type wsMessage struct {
	typ     string
	id      int    // the subscription's id; 0 for a message without one
	payload []byte // a next's result, an error's errors
}

// parseWSMessage reads a message's type, id and payload. gqlgen writes
// {"payload":…,"id":"N","type":"next"}: a next is read without decoding
// its payload; other messages, and messages in another key order, are
// decoded.
func parseWSMessage(b []byte) (wsMessage, error) {
	const head, tail = `{"payload":`, `","type":"next"}`
	if bytes.HasPrefix(b, []byte(head)) && bytes.HasSuffix(b, []byte(tail)) {
		body := b[:len(b)-len(tail)]
		if i := bytes.LastIndex(body, []byte(`,"id":"`)); i > len(head) {
			if id, err := strconv.Atoi(string(body[i+len(`,"id":"`):])); err == nil {
				return wsMessage{typ: "next", id: id, payload: b[len(head):i]}, nil
			}
		}
	}
	var m struct {
		Type    string          `json:"type"`
		ID      string          `json:"id"`
		Payload json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return wsMessage{}, fmt.Errorf("a message that is not JSON: %.200s", b)
	}
	out := wsMessage{typ: m.Type, payload: m.Payload}
	if m.ID != "" {
		id, err := strconv.Atoi(m.ID)
		if err != nil {
			return wsMessage{}, fmt.Errorf("a message with id %q, which sgbench did not give", m.ID)
		}
		out.id = id
	}
	return out, nil
}

// wsInitTimeout bounds the graphql-transport-ws handshake.
const wsInitTimeout = 30 * time.Second

// dialWS opens a WebSocket to the server's GraphQL endpoint (an http://
// URL), waits for connection_ack and starts n subscriptions of doc, which
// it numbers from first.
func dialWS(ctx context.Context, endpoint, token, doc string, clock *loadClock, first, n int32) (*subscriberConn, error) {
	hctx, cancel := context.WithTimeout(ctx, wsInitTimeout)
	defer cancel()
	conn, resp, err := websocket.Dial(hctx, "ws"+strings.TrimPrefix(endpoint, "http"), &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"},
	})
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("opening a WebSocket (HTTP %d): %w", resp.StatusCode, err)
		}
		return nil, fmt.Errorf("opening a WebSocket: %w", err)
	}
	conn.SetReadLimit(16 << 20)
	init := map[string]any{"type": "connection_init"}
	if token != "" {
		init["payload"] = map[string]string{"Authorization": "Bearer " + token}
	}
	if err := writeJSON(hctx, conn, init); err != nil {
		conn.CloseNow()
		return nil, err
	}
	var buf bytes.Buffer
	for acked := false; !acked; {
		raw, err := readFrame(hctx, conn, &buf)
		var m wsMessage
		if err == nil {
			m, err = parseWSMessage(raw)
		}
		if err != nil {
			conn.CloseNow()
			return nil, fmt.Errorf("waiting for connection_ack: %w", err)
		}
		switch m.typ {
		case "connection_ack":
			acked = true
		case "ping":
			err = conn.Write(hctx, websocket.MessageText, []byte(`{"type":"pong"}`))
		default:
			err = fmt.Errorf("%q before connection_ack", m.typ)
		}
		if err != nil {
			conn.CloseNow()
			return nil, err
		}
	}
	c := newSubscriberConn(clock, first, n)
	c.close = func() { conn.CloseNow() }
	for id := 1; id <= int(n); id++ {
		msg := map[string]any{"id": strconv.Itoa(id), "type": "subscribe", "payload": map[string]string{"query": doc}}
		if err := writeJSON(hctx, conn, msg); err != nil {
			conn.CloseNow()
			return nil, err
		}
	}
	go c.readWS(context.WithoutCancel(ctx), conn)
	return c, nil
}

func writeJSON(ctx context.Context, conn *websocket.Conn, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return conn.Write(ctx, websocket.MessageText, b)
}

// readFrame reads one message into buf, which it reuses.
func readFrame(ctx context.Context, conn *websocket.Conn, buf *bytes.Buffer) ([]byte, error) {
	_, r, err := conn.Reader(ctx)
	if err != nil {
		return nil, err
	}
	buf.Reset()
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// readWS reads the connection's messages until it closes.
func (c *subscriberConn) readWS(ctx context.Context, conn *websocket.Conn) {
	defer close(c.done)
	var buf bytes.Buffer
	for {
		raw, err := readFrame(ctx, conn, &buf)
		at := c.clock.now()
		if err != nil {
			c.ended(err)
			return
		}
		m, err := parseWSMessage(raw)
		if err != nil {
			c.fail(err.Error())
			continue
		}
		switch m.typ {
		case "next":
			sessionID, errs := eventOf(m.payload)
			if errs != "" {
				c.fail(fmt.Sprintf("subscription %d: %s", m.id, errs))
				continue
			}
			c.event(m.id, sessionID, at)
		case "ping":
			if err := conn.Write(ctx, websocket.MessageText, []byte(`{"type":"pong"}`)); err != nil {
				c.ended(err)
				return
			}
		case "pong":
		default: // error, complete: the subscription ended
			c.fail(fmt.Sprintf("subscription %d: %s %.200s", m.id, m.typ, m.payload))
		}
	}
}

// dialSSE starts one subscription of doc over Server-Sent Events: a POST
// with Accept: text/event-stream on its own connection, the stream read as
// it comes.
func dialSSE(ctx context.Context, client *graphQLClient, token, doc string, clock *loadClock, sub int32) (*subscriberConn, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, client.endpoint, bytes.NewReader(graphQLBody(doc, nil)))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	hc, err := client.dial(ctx)
	if err != nil {
		return nil, err
	}
	_ = hc.c.SetDeadline(time.Now().Add(wsInitTimeout))
	if err := req.Write(hc.bw); err == nil {
		err = hc.bw.Flush()
	}
	var resp *http.Response
	if err == nil {
		resp, err = http.ReadResponse(hc.br, req)
	}
	if err != nil {
		_ = hc.c.Close()
		return nil, fmt.Errorf("opening an SSE stream: %w", err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1000))
		_ = hc.c.Close()
		return nil, fmt.Errorf("opening an SSE stream: HTTP %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	_ = hc.c.SetDeadline(time.Time{})
	c := newSubscriberConn(clock, sub, 1)
	c.close = func() { _ = hc.c.Close() }
	go c.readSSE(bufio.NewReaderSize(resp.Body, 1<<20))
	return c, nil
}

// readSSE reads a graphql-sse stream: "event: next" and "data: <result>"
// lines, "event: complete", comments.
func (c *subscriberConn) readSSE(r *bufio.Reader) {
	defer close(c.done)
	event := ""
	for {
		line, err := r.ReadSlice('\n')
		at := c.clock.now()
		if err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				c.fail("an SSE line longer than 1 MB")
			}
			c.ended(err)
			return
		}
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case bytes.HasPrefix(line, []byte("event: ")):
			event = string(line[len("event: "):])
			if event == "complete" {
				c.fail("subscription completed by the server")
			}
		case bytes.HasPrefix(line, []byte("data: ")) && event == "next":
			sessionID, errs := eventOf(line[len("data: "):])
			if errs != "" {
				c.fail(errs)
				continue
			}
			c.event(1, sessionID, at)
		case len(line) == 0:
			event = ""
		}
	}
}

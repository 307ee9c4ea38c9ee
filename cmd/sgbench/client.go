package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"
)

// graphQLClient posts GraphQL requests to one server endpoint over
// keep-alive HTTP/1.1 connections, one per request in flight.
//
// It does not use net/http's Transport: sgbench shares the machine's cores
// with the server it measures, and the Transport hands every request and
// answer between three goroutines (the caller's and each connection's
// reader and writer): a third of sgbench's CPU per request under load
// (0.12 against 0.08 ms for one session's run tree). Here the caller's
// goroutine writes the request and reads the answer itself, with net/http's
// own Request.Write and ReadResponse.
type graphQLClient struct {
	endpoint string
	addr     string         // host:port to dial
	token    string         // sent as "Authorization: Bearer <token>" when not empty
	idle     chan *httpConn // connections between requests
	timeout  time.Duration  // for one request, from writing it to reading its answer
}

type httpConn struct {
	c  net.Conn
	br *bufio.Reader
	bw *bufio.Writer
}

func newGraphQLClient(endpoint, token string, concurrency int) *graphQLClient {
	c := &graphQLClient{endpoint: endpoint, token: token, idle: make(chan *httpConn, concurrency), timeout: time.Minute}
	if u, err := url.Parse(endpoint); err == nil {
		c.addr = u.Host
		if u.Port() == "" {
			c.addr = net.JoinHostPort(u.Hostname(), "80")
		}
	}
	return c
}

// post sends one GraphQL request and returns the HTTP status and the body;
// err is a transport error (no answer, or a body that could not be read).
func (c *graphQLClient) post(ctx context.Context, body []byte) (status int, respBody []byte, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	return c.do(req)
}

// get fetches another URL of the same server, such as its /metrics.
func (c *graphQLClient) get(ctx context.Context, url string) (status int, respBody []byte, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, err
	}
	return c.do(req)
}

var errNotHTTP = errors.New("sgbench speaks plain http:// only")

func (c *graphQLClient) do(req *http.Request) (int, []byte, error) {
	if req.URL.Scheme != "http" {
		return 0, nil, errNotHTTP
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	hc, reused, err := c.conn(req.Context())
	if err != nil {
		return 0, nil, err
	}
	status, b, reuse, sent, err := hc.roundTrip(req, c.timeout)
	if err != nil && reused && !sent {
		// The server closed the idle connection (its IdleTimeout) before
		// reading the request: send it again on a new one, as net/http does.
		_ = hc.c.Close()
		if hc, err = c.dial(req.Context()); err != nil {
			return 0, nil, err
		}
		status, b, reuse, _, err = hc.roundTrip(req, c.timeout)
	}
	if err != nil || !reuse {
		_ = hc.c.Close()
		return status, b, err
	}
	select {
	case c.idle <- hc:
	default:
		_ = hc.c.Close()
	}
	return status, b, nil
}

// conn returns an idle connection (reused), or a new one.
func (c *graphQLClient) conn(ctx context.Context) (hc *httpConn, reused bool, err error) {
	select {
	case hc := <-c.idle:
		return hc, true, nil
	default:
	}
	hc, err = c.dial(ctx)
	return hc, false, err
}

func (c *graphQLClient) dial(ctx context.Context) (*httpConn, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return nil, err
	}
	return &httpConn{c: nc, br: bufio.NewReader(nc), bw: bufio.NewWriter(nc)}, nil
}

// roundTrip writes req and reads its whole answer; reuse reports whether
// the connection can carry another request, sent whether the server may
// have read the request (false: the connection failed before any answer,
// on an idle connection the server had closed).
func (hc *httpConn) roundTrip(req *http.Request, timeout time.Duration) (status int, body []byte, reuse, sent bool, err error) {
	deadline := time.Now().Add(timeout)
	if d, ok := req.Context().Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := hc.c.SetDeadline(deadline); err != nil {
		return 0, nil, false, false, err
	}
	if req.Context().Done() != nil { // a canceled request stops waiting at once
		stop := context.AfterFunc(req.Context(), func() { _ = hc.c.SetDeadline(time.Unix(1, 0)) })
		defer stop()
	}
	if req.GetBody != nil { // a resent request reads its body again
		if req.Body, err = req.GetBody(); err != nil {
			return 0, nil, false, false, err
		}
	}
	if err := req.Write(hc.bw); err != nil {
		return 0, nil, false, false, err
	}
	if err := hc.bw.Flush(); err != nil {
		return 0, nil, false, false, err
	}
	if _, err := hc.br.Peek(1); err != nil {
		return 0, nil, false, !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET), err
	}
	resp, err := http.ReadResponse(hc.br, req)
	if err != nil {
		return 0, nil, false, true, err
	}
	body, err = io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, body, err == nil && !resp.Close, true, err
}

// check posts a request and accepts only a 200 answer without GraphQL errors.
func (c *graphQLClient) check(ctx context.Context, body []byte) ([]byte, error) {
	status, b, err := c.post(ctx, body)
	if err != nil {
		return nil, err
	}
	return b, checkResponse(status, b)
}

func (c *graphQLClient) close() {
	for {
		select {
		case hc := <-c.idle:
			_ = hc.c.Close()
		default:
			return
		}
	}
}

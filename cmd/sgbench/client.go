package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"time"
)

// graphQLClient posts GraphQL requests to one server endpoint, with
// keep-alive connections for every request in flight.
type graphQLClient struct {
	http     *http.Client
	endpoint string
	token    string // sent as "Authorization: Bearer <token>" when not empty
}

func newGraphQLClient(endpoint, token string, concurrency int) *graphQLClient {
	return &graphQLClient{endpoint: endpoint, token: token, http: &http.Client{Timeout: time.Minute, Transport: &http.Transport{
		MaxIdleConns: concurrency, MaxIdleConnsPerHost: concurrency, DisableCompression: true}}}
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

func (c *graphQLClient) do(req *http.Request) (int, []byte, error) {
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// check posts a request and accepts only a 200 answer without GraphQL errors.
func (c *graphQLClient) check(ctx context.Context, body []byte) ([]byte, error) {
	status, b, err := c.post(ctx, body)
	if err != nil {
		return nil, err
	}
	return b, checkResponse(status, b)
}

func (c *graphQLClient) close() { c.http.CloseIdleConnections() }

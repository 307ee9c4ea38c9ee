package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"time"

	"sessiongraph/bench"
	"sessiongraph/models"
)

// The documents of the soak's requests beside bench.QueryNewest and bench.QueryTree.
const (
	// queryFiltered lists the 20 sessions of one type updated last, which renames reorder.
	queryFiltered = `query($type: SessionType) { sessions(first: 20, filter: {type: $type}, orderBy: {field: UPDATED_AT, direction: DESC}) { nodes { sessionId name updatedAt } } }`
	// queryNode fetches a session by its global id.
	queryNode = `query($id: ID!) { node(id: $id) { id ... on Session { sessionId name updatedAt } } }`
	// mutationRename renames a session.
	mutationRename = `mutation($input: RenameSessionInput!) { renameSession(input: $input) { session { sessionId name } } }`
)

// soakMix draws the soak's requests: renames with probability renameShare,
// otherwise one of the reads, each as likely as the others.
type soakMix struct {
	reads       []*scenario
	rename      *scenario
	renameShare float64
}

func newSoakMix(sample []sampledSession, renameShare float64) *soakMix {
	pick := func(r *rand.Rand) sampledSession { return sample[r.IntN(len(sample))] }
	return &soakMix{
		renameShare: renameShare,
		reads: []*scenario{
			{key: "list", title: "20 newest + totalCount", query: bench.QueryNewest},
			{key: "tree", title: "one session, full tree", query: bench.QueryTree,
				variables: func(r *rand.Rand) map[string]any { return map[string]any{"id": pick(r).id} }},
			{key: "filtered", title: "20 of a type, updated last", query: queryFiltered,
				variables: func(r *rand.Rand) map[string]any {
					return map[string]any{"type": models.AllSessionType[r.IntN(len(models.AllSessionType))]}
				}},
			{key: "node", title: "node(id:) of a session", query: queryNode,
				variables: func(r *rand.Rand) map[string]any { return map[string]any{"id": pick(r).nodeID} }},
		},
		rename: &scenario{key: "rename", title: "renameSession, random name", query: mutationRename,
			variables: func(r *rand.Rand) map[string]any {
				return map[string]any{"input": map[string]any{"sessionId": pick(r).id, "name": fmt.Sprintf("sgbench soak %08x", r.Uint32())}}
			}},
	}
}

// kinds lists the request kinds in report order.
func (m *soakMix) kinds() []*scenario { return append(slices.Clone(m.reads), m.rename) }

// pick draws the next request and its variables.
func (m *soakMix) pick(r *rand.Rand) (*scenario, map[string]any) {
	s := m.rename
	if r.Float64() >= m.renameShare {
		s = m.reads[r.IntN(len(m.reads))]
	}
	if s.variables == nil {
		return s, nil
	}
	return s, s.variables(r)
}

// errorClass is how a request failed: class is transport, HTTP 4xx,
// HTTP 5xx, HTTP other or GraphQL; detail the status and the first error's
// extensions.code.
type errorClass struct{ class, detail string }

// fails reports whether the class means the server broke: no answer, a 5xx,
// or an INTERNAL error (the server's 5xx inside a 200 answer). Client errors
// (4xx, BAD_USER_INPUT, NOT_FOUND, …) are reported but do not fail a soak.
func (c errorClass) fails() bool {
	return c.class == "transport" || c.class == "HTTP 5xx" || (c.class == "GraphQL" && c.detail == string(models.Internal))
}

// graphQLErrors is the errors list of a GraphQL response.
type graphQLErrors struct {
	Errors []struct {
		Message    string
		Extensions struct{ Code string }
	}
}

// classify returns how a request failed, with a message to show, or ok when
// it got a 2xx answer without GraphQL errors.
func classify(status int, body []byte, err error) (c errorClass, message string, ok bool) {
	if err != nil {
		return errorClass{class: "transport"}, err.Error(), false
	}
	var resp graphQLErrors
	// Only a body that holds the key is decoded: the check costs sgbench
	// little CPU, which it shares with the server.
	if bytes.Contains(body, []byte(`"errors"`)) {
		_ = json.Unmarshal(body, &resp)
	}
	code, message := "", fmt.Sprintf("%.200s", body)
	if len(resp.Errors) > 0 {
		code, message = cmp.Or(resp.Errors[0].Extensions.Code, "no code"), resp.Errors[0].Message
	}
	detail := strconv.Itoa(status)
	if code != "" {
		detail += " " + code
	}
	switch {
	case status >= 500:
		return errorClass{"HTTP 5xx", detail}, message, false
	case status >= 400:
		return errorClass{"HTTP 4xx", detail}, message, false
	case status < 200 || status >= 300:
		return errorClass{"HTTP other", detail}, message, false
	case code != "":
		return errorClass{"GraphQL", code}, message, false
	}
	return errorClass{}, "", true
}

// soakTally collects the outcome of every request, from all clients.
type soakTally struct {
	mu     sync.Mutex
	kinds  []*scenario
	byKind map[string]*kindTally
	errors map[errorClass]*errorTally
}

// kindTally is what the requests of one kind saw.
type kindTally struct {
	requests, errors int
	lat              []time.Duration // of the requests that succeeded
}

// errorTally counts the requests that failed one way.
type errorTally struct {
	requests int
	byKind   map[string]int
	first    string // the first one's message
}

func newSoakTally(kinds []*scenario) *soakTally {
	t := &soakTally{kinds: kinds, byKind: map[string]*kindTally{}, errors: map[errorClass]*errorTally{}}
	for _, k := range kinds {
		t.byKind[k.key] = &kindTally{}
	}
	return t
}

// record counts one request of kind that took d; it returns an error when
// the request failed.
func (t *soakTally) record(kind string, d time.Duration, status int, body []byte, err error) error {
	class, message, ok := classify(status, body, err)
	t.mu.Lock()
	defer t.mu.Unlock()
	k := t.byKind[kind]
	k.requests++
	if ok {
		k.lat = append(k.lat, d)
		return nil
	}
	k.errors++
	e := t.errors[class]
	if e == nil {
		e = &errorTally{byKind: map[string]int{}, first: message}
		t.errors[class] = e
	}
	e.requests++
	e.byKind[kind]++
	return errors.New(message)
}

// kindSummary is one line of the report's table.
type kindSummary struct {
	kind             *scenario
	requests, errors int
	p50, p99         time.Duration // of the requests that succeeded
}

// errorSummary is one error class of the report.
type errorSummary struct {
	errorClass
	errorTally
}

// summary returns the kinds in report order and the error classes sorted.
func (t *soakTally) summary() ([]kindSummary, []errorSummary) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var kinds []kindSummary
	for _, k := range t.kinds {
		kt := t.byKind[k.key]
		slices.Sort(kt.lat)
		r := result{lat: kt.lat}
		kinds = append(kinds, kindSummary{kind: k, requests: kt.requests, errors: kt.errors, p50: r.percentile(50), p99: r.percentile(99)})
	}
	var errs []errorSummary
	for c, e := range t.errors {
		errs = append(errs, errorSummary{c, *e})
	}
	slices.SortFunc(errs, func(a, b errorSummary) int {
		return cmp.Or(cmp.Compare(a.class, b.class), cmp.Compare(a.detail, b.detail))
	})
	return kinds, errs
}

// queryInto posts a query that must succeed and decodes its answer into out.
func queryInto(ctx context.Context, client *graphQLClient, query string, vars map[string]any, out any) error {
	body, err := client.check(ctx, graphQLBody(query, vars))
	if err != nil {
		return err
	}
	return json.Unmarshal(body, out)
}

package models

import (
	"encoding/base64"
	"net/url"
	"strings"
)

// GlobalID is the decoded form of a Node id: the GraphQL type, the database
// id and the natural key (a session id, plus a run id for runs).
type GlobalID struct {
	TypeName  string
	DBID      string
	SessionID string
	RunID     string
}

// MaxGlobalIDLength bounds what ParseGlobalID decodes: room for a session
// and a run id of MaxIDLength each, base64-encoded and query-escaped.
const MaxGlobalIDLength = 64 << 10

var sessionTypeNames = map[string]bool{"AgentSession": true, "TeamSession": true, "WorkflowSession": true}
var runTypeNames = map[string]bool{"AgentRun": true, "TeamRun": true, "WorkflowRun": true}

// IsSession reports whether the id names a session.
func (g GlobalID) IsSession() bool { return sessionTypeNames[g.TypeName] }

// IsRun reports whether the id names a run.
func (g GlobalID) IsRun() bool { return runTypeNames[g.TypeName] }

// String encodes the id: base64url of "Type:db:session[:run]", each key part query-escaped.
func (g GlobalID) String() string {
	parts := []string{g.TypeName, url.QueryEscape(g.DBID), url.QueryEscape(g.SessionID)}
	if g.IsRun() {
		parts = append(parts, url.QueryEscape(g.RunID))
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, ":")))
}

// ParseGlobalID decodes an id made by String; BAD_USER_INPUT when it is not one.
func ParseGlobalID(id string) (GlobalID, error) {
	bad := Errorf(BadUserInput, "%q is not a valid id", truncate(id, 64))
	if len(id) > MaxGlobalIDLength {
		return GlobalID{}, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(id, "="))
	if err != nil {
		return GlobalID{}, bad
	}
	parts := strings.Split(string(b), ":")
	g := GlobalID{TypeName: parts[0]}
	want := 3
	if g.IsRun() {
		want = 4
	} else if !g.IsSession() {
		return GlobalID{}, bad
	}
	if len(parts) != want {
		return GlobalID{}, bad
	}
	keys := make([]string, 0, 3)
	for _, p := range parts[1:] {
		k, err := url.QueryUnescape(p)
		if err != nil {
			return GlobalID{}, bad
		}
		keys = append(keys, k)
	}
	g.DBID, g.SessionID = keys[0], keys[1]
	if g.IsRun() {
		g.RunID = keys[2]
	}
	return g, nil
}

// truncate shortens s for error messages.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

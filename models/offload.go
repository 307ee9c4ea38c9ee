package models

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// OffloadedResult is the envelope Agno v3 stores in place of a tool result
// (or a team member's message) longer than its offload threshold, with
// offload_tool_results on (offload/store.py, render_stored_envelope and
// render_refused_envelope):
//
//	<result id="res_…" tool="…" lines="N" size="84.2KB">
//	preview
//	</result>
//	Full result stored; read with read_result("res_…") or search_result("res_…", pattern).
//
// or, when the store refused the write, a tag without id that says
// stored="false" reason="…" and a hint that the result was not stored.
type OffloadedResult struct {
	ResultID *string `json:"resultId"`
	ToolName string  `json:"toolName"`
	Lines    int     `json:"lines"`
	Size     string  `json:"size"`
	Stored   bool    `json:"stored"`
	Reason   *string `json:"reason"`
	Preview  string  `json:"preview"`

	run *RunCore // the run whose message or tool holds the envelope
}

// Location returns the database and the session the envelope is stored in:
// where its result is indexed, since Agno serves a result to its own session only.
func (o *OffloadedResult) Location() (dbID, sessionID string) {
	return o.run.session.dbID, o.run.session.row.SessionID
}

// The opening tags Agno renders: render_stored_envelope's attributes, and
// render_refused_envelope's, whose reason (free text, last) may hold quotes.
var (
	storedEnvelopeTag  = regexp.MustCompile(`^id="([^"]*)" tool="(.*?)" lines="(\d+)" size="([^"]*)"$`)
	refusedEnvelopeTag = regexp.MustCompile(`(?s)^tool="(.*?)" lines="(\d+)" size="([^"]*)" stored="false" reason="(.*)"$`)
)

const (
	envelopeOpen  = "<result "
	envelopeClose = "\n</result>\n"
	envelopeHint  = "Full result " // both hints begin so
)

// parseOffloadedResult recognises an envelope in a stored string value (raw
// JSON); nil for anything else, which is the common case and costs a prefix test.
func parseOffloadedResult(raw []byte, run *RunCore) *OffloadedResult {
	// Python's json.dumps writes "<" as is, Go's encoding/json as \u003c.
	if !bytes.HasPrefix(raw, []byte(`"`+envelopeOpen)) && !bytes.HasPrefix(raw, []byte(`"\u003cresult `)) {
		return nil
	}
	text, ok := decodeString(raw)
	if !ok || !strings.HasPrefix(text, envelopeOpen) {
		return nil
	}
	attrs, body, ok := strings.Cut(text[len(envelopeOpen):], "\">\n")
	if !ok {
		return nil
	}
	attrs += `"`
	end := strings.LastIndex(body, envelopeClose)
	if end < 0 || !strings.HasPrefix(body[end+len(envelopeClose):], envelopeHint) {
		return nil
	}
	out := &OffloadedResult{Preview: body[:end], run: run}
	var lines string
	if m := storedEnvelopeTag.FindStringSubmatch(attrs); m != nil {
		out.ResultID, out.ToolName, lines, out.Size, out.Stored = &m[1], m[2], m[3], m[4], true
	} else if m := refusedEnvelopeTag.FindStringSubmatch(attrs); m != nil {
		out.ToolName, lines, out.Size, out.Reason = m[1], m[2], m[3], &m[4]
	} else {
		return nil
	}
	n, err := strconv.Atoi(lines)
	if err != nil {
		return nil
	}
	out.Lines = n
	return out
}

// StoredToolResult is a row of Agno v3's agno_tool_results table, the index
// of one offloaded tool result (db/postgres/schemas.py TOOL_RESULTS_TABLE_SCHEMA).
// The payload itself is a file of Agno's FileSystem at Namespace and Path.
type StoredToolResult struct {
	ResultID    string  `json:"resultId"`
	SessionID   string  `json:"sessionId"`
	RunID       string  `json:"runId"`
	ToolCallID  string  `json:"toolCallId"`
	ToolName    string  `json:"toolName"`
	ContentType string  `json:"contentType"`
	SizeBytes   int     `json:"sizeBytes"`
	LineCount   int     `json:"lineCount"`
	UserID      *string `json:"userId"`
	Namespace   string  `json:"namespace"`
	Path        string  `json:"path"`
	// Created and Expires are created_at and expires_at, epoch seconds.
	Created int64
	Expires *int64
}

// CreatedAt returns created_at.
func (r *StoredToolResult) CreatedAt() time.Time { return fromEpoch(r.Created) }

// ExpiresAt returns expires_at, when Agno's TTL sweep may delete the result.
func (r *StoredToolResult) ExpiresAt() *time.Time {
	if r.Expires == nil {
		return nil
	}
	t := fromEpoch(*r.Expires)
	return &t
}

// PayloadPath is the path under which Agno's FileSystem wrote the payload:
// the row's path as normalize_path canonicalises it (NFC, no repeated or
// leading slash), for the row records the path before FileSystem.write
// normalised it.
func (r *StoredToolResult) PayloadPath() string {
	p := norm.NFC.String(r.Path)
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	return strings.TrimPrefix(p, "/")
}

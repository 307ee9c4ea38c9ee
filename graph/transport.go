package graph

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
)

// postTransport is gqlgen's POST transport (transport.POST) but for how it
// writes an executed operation's response: gqlgen passes the whole response
// through json.Marshal, which scans the data gqlgen has just written once
// more, byte by byte, to validate and re-compact it (about a seventh of the
// CPU of one session's run tree). The data is already compact JSON, so it
// is written as it is, and only the errors and extensions go through
// encoding/json. Two differences in the bytes, none in the JSON value:
// '<', '>' and '&' inside the data are no longer escaped as \u003c… (the
// response is never served as HTML: its Content-Type is JSON and
// X-Content-Type-Options is nosniff), and JSON scalars read from a SQLite
// column keep the spaces Python's json.dumps put in them.
//
// Everything else, the request refused before execution included, is
// transport.POST's own: such a request is handed to it whole, so its status
// codes and error bodies are gqlgen's.
type postTransport struct {
	transport.POST
}

func (t postTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	body, err := io.ReadAll(r.Body) // in memory already: guardHTTP read and capped it
	if err != nil {
		t.POST.Do(w, r, exec)
		return
	}
	params := &graphql.RawParams{}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // as gqlgen decodes variables
	if err := dec.Decode(params); err != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		t.POST.Do(w, r, exec)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	ctx := r.Context()
	opCtx, opErr := exec.CreateOperationContext(ctx, params)
	if opErr != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		t.POST.Do(w, r, exec)
		return
	}
	w.Header().Set("Content-Type", responseContentType(r.Header.Get("Accept")))
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	writeResponse(w, responses(ctx))
}

// responseContentType is transport.POST's choice of Content-Type by the
// Accept header (it has no ResponseHeaders and does not prefer
// application/graphql-response+json by default).
func responseContentType(accept string) string {
	if accept == "" {
		return "application/json"
	}
	for part := range strings.SplitSeq(accept, ",") {
		mediaType, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mediaType {
		case "*/*", "application/*", "application/json":
			return "application/json"
		case "application/graphql-response+json":
			return "application/graphql-response+json"
		}
	}
	return "application/graphql-response+json"
}

// writeResponse writes resp as json.Marshal would, keys in the same order
// and under the same omitempty rules, but with the data as it is, straight
// to w (net/http buffers it) rather than through a copy. Its length is
// known before the first byte, so it is sent with a Content-Length rather
// than chunked, as net/http does for a body over 2 kB written without one.
func writeResponse(w http.ResponseWriter, resp *graphql.Response) {
	var head bytes.Buffer
	head.WriteByte('{')
	if len(resp.Errors) > 0 {
		field(&head, "errors", resp.Errors)
		head.WriteByte(',')
	}
	head.WriteString(`"data":`)
	if len(resp.Data) == 0 {
		head.WriteString("null")
	}
	var tail bytes.Buffer
	if resp.Label != "" {
		tail.WriteByte(',')
		field(&tail, "label", resp.Label)
	}
	if len(resp.Path) > 0 {
		tail.WriteByte(',')
		field(&tail, "path", resp.Path)
	}
	if resp.HasNext != nil {
		tail.WriteByte(',')
		field(&tail, "hasNext", resp.HasNext)
	}
	if len(resp.Extensions) > 0 {
		tail.WriteByte(',')
		field(&tail, "extensions", resp.Extensions)
	}
	tail.WriteByte('}')
	w.Header().Set("Content-Length", strconv.Itoa(head.Len()+len(resp.Data)+tail.Len()))
	_, _ = w.Write(head.Bytes())
	// The data and the tail in one Write, so that net/http does not send
	// the tail ("}") in a write system call of its own: appended in the
	// room the data's buffer usually has left (the data is this response's
	// alone and written once), else copied once.
	_, _ = w.Write(append(resp.Data, tail.Bytes()...))
}

func field(buf *bytes.Buffer, key string, v any) {
	buf.WriteByte('"')
	buf.WriteString(key)
	buf.WriteString(`":`)
	b, err := json.Marshal(v)
	if err != nil { // an extension value encoding/json cannot encode: gqlgen would panic
		b = []byte("null")
	}
	buf.Write(b)
}

package httpserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"sessiongraph/models"
)

// graphQLTransport is GraphQL over HTTP (graphql.github.io/graphql-over-http)
// for POST with a JSON body and GET (queries only; a mutation is refused
// with 405 and Allow: POST), in place of gqlgen's transport.POST and
// transport.GET. Its statuses and bodies are theirs, with two differences:
//
//   - A request that is not a GraphQL request (a body that is not JSON, not
//     an object, variables that are not an object, a form or text body, a
//     body over the cap) is refused with a coded error (BAD_USER_INPUT,
//     REQUEST_TOO_LARGE), a log line and a metric (Server.refuse), where
//     gqlgen answers without a code and echoes the body.
//   - An executed operation's response is written by writeResponse:
//     gqlgen passes the whole response through json.Marshal, which scans
//     the data gqlgen has just written once more, byte by byte, to validate
//     and re-compact it. The data is already compact JSON, so it is written
//     as it is, and only the errors and extensions go through encoding/json.
//     Two differences in the bytes, none in the JSON value: '<', '>' and '&'
//     inside the data are no longer escaped as \u003c… (the response is never
//     served as HTML: its Content-Type is JSON and X-Content-Type-Options is
//     nosniff), and JSON scalars read from a SQLite column keep the spaces
//     Python's json.dumps put in them.
type graphQLTransport struct{ s *Server }

var _ graphql.Transport = graphQLTransport{}

func (graphQLTransport) Supports(r *http.Request) bool {
	return r.Header.Get("Upgrade") == "" && (r.Method == http.MethodPost || r.Method == http.MethodGet)
}

func (t graphQLTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	params := t.readParams(w, r)
	if params == nil {
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	ctx := r.Context()
	contentType := responseContentType(r.Header.Get("Accept"))
	w.Header().Set("Content-Type", contentType)
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		w.WriteHeader(statusFor(errs, contentType))
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs))
		return
	}
	if r.Method == http.MethodGet && opCtx.Operation.Operation != ast.Query {
		t.refuseOverGET(w, r)
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	writeResponse(w, responses(ctx))
}

// readParams reads the request's GraphQL parameters; when they cannot be
// read it refuses the request and returns nil.
func (t graphQLTransport) readParams(w http.ResponseWriter, r *http.Request) *graphql.RawParams {
	params := &graphql.RawParams{}
	if r.Method == http.MethodGet {
		query, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			t.s.refuse(w, r, http.StatusBadRequest, models.BadUserInput, "the query string cannot be parsed")
			return nil
		}
		params.Query, params.OperationName = query.Get("query"), query.Get("operationName")
		if isMutation(params.Query, params.OperationName) {
			t.refuseOverGET(w, r)
			return nil
		}
		for _, p := range []struct {
			name string
			into *map[string]any
		}{{"variables", &params.Variables}, {"extensions", &params.Extensions}} {
			v := query.Get(p.name)
			if v == "" {
				continue
			}
			if _, err := decodeJSON([]byte(v), p.into); err != nil {
				t.s.refuse(w, r, http.StatusBadRequest, models.BadUserInput, p.name+" must be a JSON object")
				return nil
			}
		}
		return params
	}
	if mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mediaType != "application/json" {
		t.s.refuse(w, r, http.StatusBadRequest, models.BadUserInput, "a POST body must be JSON, sent with Content-Type: application/json")
		return nil
	}
	body, err := io.ReadAll(r.Body)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		t.s.refuse(w, r, http.StatusRequestEntityTooLarge, models.RequestTooLarge, fmt.Sprintf("request body too large (at most %d bytes)", tooLarge.Limit))
		return nil
	case err != nil:
		t.s.refuse(w, r, http.StatusBadRequest, models.BadUserInput, "request body could not be read")
		return nil
	}
	switch rest, err := decodeJSON(body, params); {
	case isSyntaxError(err) || len(bytes.Trim(rest, " \t\r\n")) > 0:
		t.s.refuse(w, r, http.StatusBadRequest, models.BadUserInput, "request body is not valid JSON")
		return nil
	case err != nil:
		t.s.refuse(w, r, http.StatusBadRequest, models.BadUserInput, "request body is not a GraphQL request: "+notAGraphQLRequest(err))
		return nil
	}
	return params
}

// decodeJSON decodes the JSON value data starts with into v, as gqlgen
// decodes GraphQL requests (numbers as json.Number), and returns what
// follows the value. The decoder reads the whole value before it fills v,
// so a value that is not JSON is a syntax error (isSyntaxError), and one
// that is JSON but does not fit v a type error, with rest past the value.
func decodeJSON(data []byte, v any) (rest []byte, err error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	err = dec.Decode(v)
	return data[dec.InputOffset():], err
}

// isSyntaxError reports whether err, from decodeJSON, says its data is not
// JSON at all (nothing, cut short, or malformed).
func isSyntaxError(err error) bool {
	var syntax *json.SyntaxError
	return errors.As(err, &syntax) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// notAGraphQLRequest says what is wrong with a JSON body that does not
// decode as graphql.RawParams, without quoting it.
func notAGraphQLRequest(err error) string {
	var typeErr *json.UnmarshalTypeError
	if !errors.As(err, &typeErr) || typeErr.Field == "" {
		return "it must be a JSON object with query, variables, operationName and extensions"
	}
	switch typeErr.Field {
	case "variables", "extensions":
		return typeErr.Field + " must be a JSON object"
	}
	return typeErr.Field + " must be a string"
}

// refuseOverGET refuses an operation other than a query sent over GET.
func (t graphQLTransport) refuseOverGET(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", "POST")
	t.s.refuse(w, r, http.StatusMethodNotAllowed, models.MethodNotAllowed, "mutations are only allowed over POST")
}

// isMutation reports whether the operation a GET request would run is a
// mutation; unparsable queries are left to gqlgen to report.
func isMutation(query, operationName string) bool {
	if !strings.Contains(query, "mutation") {
		return false
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return false
	}
	for _, op := range doc.Operations {
		if (operationName == "" || op.Name == operationName) && op.Operation == ast.Mutation {
			return true
		}
	}
	return false
}

// statusFor is the status of a request gqlgen refused before execution, as
// gqlgen's transports choose it: a protocol error (errcode.KindProtocol:
// parse and validation errors, the limits) is 422, or 400 under
// application/graphql-response+json; any other is answered with 200.
func statusFor(errs gqlerror.List, contentType string) int {
	if errcode.GetErrorKind(errs) != errcode.KindProtocol {
		return http.StatusOK
	}
	if contentType == graphQLResponseJSON {
		return http.StatusBadRequest
	}
	return http.StatusUnprocessableEntity
}

const graphQLResponseJSON = "application/graphql-response+json"

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
		case graphQLResponseJSON:
			return graphQLResponseJSON
		}
	}
	return graphQLResponseJSON
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

package gqlinline

import (
	"bytes"
	"hash/maphash"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
)

// responseSizes remember, for each operation's document (by a hash of its
// text, in one of a fixed number of slots), how long its longest recent
// response was: the longest so far, forgotten by an eighth per response, so
// that the same document for a larger object (another session's runs) still
// fits, and one outlier does not size every buffer after it.
var responseSizes [256]atomic.Int32

var responseSeed = maphash.MakeSeed()

const (
	// responseSlack leaves room after the data for what the transport
	// appends to it (the response object's closing brace, extensions).
	responseSlack = 256
	// maxResponseHint bounds the buffer one large answer makes the next
	// request of its document start with.
	maxResponseHint = 1 << 20
)

// MarshalResponse marshals a response's data into a buffer sized for the
// recent responses of the same document and returns the bytes. internal/gqlgen
// puts it in place of the generated query executor's empty bytes.Buffer,
// which grows by doubling from 64 bytes, copying what it holds each time. A
// slot two documents share only gives one of them a wrong first size.
func MarshalResponse(opCtx *graphql.OperationContext, data graphql.Marshaler) []byte {
	slot := &responseSizes[maphash.String(responseSeed, opCtx.RawQuery)%uint64(len(responseSizes))]
	var buf bytes.Buffer
	hint := int(slot.Load())
	buf.Grow(hint + responseSlack)
	data.MarshalGQL(&buf)
	slot.Store(int32(min(max(buf.Len(), hint-hint/8), maxResponseHint)))
	return buf.Bytes()
}

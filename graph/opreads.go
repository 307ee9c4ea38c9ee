package graph

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"sessiongraph/db"
	"sessiongraph/models"
)

// opReads are the reads one operation makes below the root of the schema,
// where complexity does not bound them (what they return is not paged):
// offloaded tool results (OffloadedResult's record and fullContent) and
// Agno's traces (Run.trace, Session.traces). Each is made once however many
// fields ask for it, and within a budget of reads and of what they return.
// Fields below the root resolve one after another (see internal/gqlgen), so
// a dataloader could not gather keys to batch; the locks are for the root
// fields, which resolve concurrently, and for gqlgen's own executor.
type opReads struct {
	toolResults *memo[toolResultKey, *models.StoredToolResult]
	traces      *memo[traceKey, db.TraceRead]
}

func newOpReads() *opReads {
	return &opReads{
		toolResults: newMemo[toolResultKey, *models.StoredToolResult](maxToolResultRows),
		traces:      newMemo[traceKey, db.TraceRead](maxTraceReads),
	}
}

type opReadsKey struct{}

// opReadsOf returns the operation's reads; an executor built without
// NewServer's extensions gets fresh ones on every call, so no memo and no
// limits across fields.
func opReadsOf(ctx context.Context) *opReads {
	if r, ok := ctx.Value(opReadsKey{}).(*opReads); ok {
		return r
	}
	return newOpReads()
}

// readBudget gives every operation its opReads.
type readBudget struct{}

var (
	_ graphql.HandlerExtension     = readBudget{}
	_ graphql.OperationInterceptor = readBudget{}
)

func (readBudget) ExtensionName() string                   { return "ReadBudget" }
func (readBudget) Validate(graphql.ExecutableSchema) error { return nil }
func (readBudget) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	return next(context.WithValue(ctx, opReadsKey{}, newOpReads()))
}

// memo holds up to max reads by key, each made by the first caller, and
// a count (rows, bytes) that the reads spend against a limit of their own.
type memo[K comparable, V any] struct {
	mu    sync.Mutex
	reads map[K]*memoRead[V]
	max   int
	spent int
}

type memoRead[V any] struct {
	once sync.Once
	v    V
	err  error
}

func newMemo[K comparable, V any](max int) *memo[K, V] {
	return &memo[K, V]{reads: map[K]*memoRead[V]{}, max: max}
}

// get returns the read of key, made by read on the first call; over is
// true, and nothing is read, when the operation already made max other reads.
func (m *memo[K, V]) get(key K, read func() (V, error)) (v V, over bool, err error) {
	m.mu.Lock()
	r, ok := m.reads[key]
	if !ok && len(m.reads) < m.max {
		r = &memoRead[V]{}
		m.reads[key] = r
	}
	m.mu.Unlock()
	if r == nil {
		return v, true, nil
	}
	r.once.Do(func() { r.v, r.err = read() })
	return r.v, false, r.err
}

// left is what remains of limit after what the reads spent.
func (m *memo[K, V]) left(limit int) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return limit - m.spent
}

// spend adds n to what was spent; with strict, only when that stays
// within limit, reporting whether it did.
func (m *memo[K, V]) spend(n, limit int, strict bool) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if strict && m.spent+n > limit {
		return false
	}
	m.spent += n
	return true
}

package graph

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"sessiongraph/db"
	"sessiongraph/models"
)

// What one operation may read of offloaded tool results (OffloadedResult's
// record and fullContent, the only fields below the root that read the
// database): rows, one lookup each, and payload bytes, of which Agno stores
// up to 8 MB per result. Complexity does not bound them, because a run's
// messages are not paged.
const (
	maxToolResultRows  = 100
	maxToolResultBytes = 32 << 20
)

// toolResultReads is what one operation has read of offloaded tool
// results: each row once, however many fields ask for it, and how many
// payload bytes. Fields below the root resolve one after another (see
// internal/gqlgen), so a dataloader could not gather keys to batch; they are
// still guarded for gqlgen's own executor, which resolves list elements
// concurrently, and for the operation's root fields, which always are.
type toolResultReads struct {
	mu    sync.Mutex
	rows  map[toolResultKey]*toolResultRead
	bytes int
}

type toolResultKey struct{ dbID, sessionID, resultID string }

// toolResultRead is one row, read by the first field that asks for it.
type toolResultRead struct {
	once sync.Once
	row  *models.StoredToolResult
	err  error
}

type toolResultReadsKey struct{}

// toolResultBudget gives every operation its toolResultReads.
type toolResultBudget struct{}

var (
	_ graphql.HandlerExtension     = toolResultBudget{}
	_ graphql.OperationInterceptor = toolResultBudget{}
)

func (toolResultBudget) ExtensionName() string                   { return "ToolResultBudget" }
func (toolResultBudget) Validate(graphql.ExecutableSchema) error { return nil }
func (toolResultBudget) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	return next(context.WithValue(ctx, toolResultReadsKey{}, &toolResultReads{rows: map[toolResultKey]*toolResultRead{}}))
}

// readsOf returns the operation's reads; an executor built without
// NewServer's extensions gets a fresh one on every call, so no memo and no limits.
func readsOf(ctx context.Context) *toolResultReads {
	if r, ok := ctx.Value(toolResultReadsKey{}).(*toolResultReads); ok {
		return r
	}
	return &toolResultReads{rows: map[toolResultKey]*toolResultRead{}}
}

// toolResult returns the agno_tool_results row of an envelope's result and
// the store holding it; no row when the result was not stored or is not there.
func (r *Resolver) toolResult(ctx context.Context, o *models.OffloadedResult) (*db.Store, *models.StoredToolResult, error) {
	if o.ResultID == nil {
		return nil, nil, nil
	}
	dbID, sessionID := o.Location()
	store, err := r.store(&dbID)
	if err != nil {
		return nil, nil, err
	}
	reads, key := readsOf(ctx), toolResultKey{dbID, sessionID, *o.ResultID}
	reads.mu.Lock()
	read, ok := reads.rows[key]
	if !ok && len(reads.rows) < maxToolResultRows {
		read = &toolResultRead{}
		reads.rows[key] = read
	}
	reads.mu.Unlock()
	if read == nil {
		return nil, nil, models.Errorf(models.ComplexityLimitExceeded, "an operation reads at most %d offloaded tool results; select record and fullContent of fewer", maxToolResultRows)
	}
	read.once.Do(func() { read.row, read.err = store.ToolResult(ctx, sessionID, *o.ResultID) })
	return store, read.row, read.err
}

// toolResultContent returns the whole text of an envelope's result, nil
// when it is not in the database.
func (r *Resolver) toolResultContent(ctx context.Context, o *models.OffloadedResult) (*string, error) {
	store, row, err := r.toolResult(ctx, o)
	if row == nil || err != nil {
		return nil, err
	}
	reads := readsOf(ctx)
	reads.mu.Lock()
	over := reads.bytes+row.SizeBytes > maxToolResultBytes
	if !over {
		reads.bytes += row.SizeBytes
	}
	reads.mu.Unlock()
	if over {
		return nil, models.Errorf(models.ComplexityLimitExceeded, "an operation reads at most %d MiB of offloaded tool results; select fullContent of fewer", maxToolResultBytes>>20)
	}
	return store.ToolResultContent(ctx, row)
}

package graph

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"sessiongraph/db"
	"sessiongraph/models"
)

// What one operation may read of Agno's traces (Run.trace and
// Session.traces, which read the database below the root): reads, at most
// two statements each (the traces, then their spans), and rows of the
// traces and spans tables, whose attributes can hold whole conversations.
// A page of 100 runs may each ask for its trace. Complexity does not bound
// them: a trace's spans are not paged.
const (
	maxTraceReads = 100
	maxTraceRows  = 10_000
)

// traceReads is what one operation has read of traces: each run's or
// session's once, however many fields ask for it, and how many rows. Fields
// below the root resolve one after another (see internal/gqlgen), so a
// dataloader could not gather keys to batch; the lock is for the root
// fields, which resolve concurrently, and gqlgen's own executor.
type traceReads struct {
	mu    sync.Mutex
	reads map[traceKey]*traceRead
	rows  int
}

// traceKey is a run's trace (runID set) or a session's traces.
type traceKey struct{ dbID, sessionID, runID string }

// traceRead is one read, made by the first field that asks for it.
type traceRead struct {
	once sync.Once
	read db.TraceRead
	err  error
}

type traceReadsKey struct{}

// traceBudget gives every operation its traceReads.
type traceBudget struct{}

var (
	_ graphql.HandlerExtension     = traceBudget{}
	_ graphql.OperationInterceptor = traceBudget{}
)

func (traceBudget) ExtensionName() string                   { return "TraceBudget" }
func (traceBudget) Validate(graphql.ExecutableSchema) error { return nil }
func (traceBudget) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	return next(context.WithValue(ctx, traceReadsKey{}, &traceReads{reads: map[traceKey]*traceRead{}}))
}

// traceReadsOf returns the operation's reads; an executor built without
// NewServer's extensions gets a fresh one on every call, so no memo and no limits.
func traceReadsOf(ctx context.Context) *traceReads {
	if r, ok := ctx.Value(traceReadsKey{}).(*traceReads); ok {
		return r
	}
	return &traceReads{reads: map[traceKey]*traceRead{}}
}

// readTraces reads the traces of key once per operation, within its budget.
func (r *Resolver) readTraces(ctx context.Context, key traceKey) ([]*models.Trace, error) {
	store, err := r.store(&key.dbID)
	if err != nil {
		return nil, err
	}
	reads := traceReadsOf(ctx)
	reads.mu.Lock()
	read, ok := reads.reads[key]
	if !ok && len(reads.reads) < maxTraceReads {
		read = &traceRead{}
		reads.reads[key] = read
	}
	reads.mu.Unlock()
	if read == nil {
		return nil, models.Errorf(models.ComplexityLimitExceeded, "an operation reads the traces of at most %d runs and sessions; select trace and traces of fewer", maxTraceReads)
	}
	read.once.Do(func() {
		reads.mu.Lock()
		left := maxTraceRows - reads.rows
		reads.mu.Unlock()
		if key.runID != "" {
			read.read, read.err = store.RunTrace(ctx, key.sessionID, key.runID, left)
		} else {
			read.read, read.err = store.SessionTraces(ctx, key.sessionID, left)
		}
		reads.mu.Lock()
		reads.rows += read.read.Rows
		reads.mu.Unlock()
	})
	if read.err != nil {
		return nil, read.err
	}
	return read.read.Traces, nil
}

// runTrace resolves Run.trace: null when the database has no trace of the run.
func (r *Resolver) runTrace(ctx context.Context, run models.Run) (*models.Trace, error) {
	core := run.Core()
	if core.RunID() == "" {
		return nil, nil
	}
	traces, err := r.readTraces(ctx, traceKey{core.Session().Core().DBID(), core.SessionID(), core.RunID()})
	if len(traces) == 0 {
		return nil, err
	}
	return traces[0], err
}

// sessionTraces resolves Session.traces; a read that fails leaves the list
// empty with the error at its path, so the session still resolves.
func (r *Resolver) sessionTraces(ctx context.Context, s models.Session) ([]*models.Trace, error) {
	core := s.Core()
	traces, err := r.readTraces(ctx, traceKey{dbID: core.DBID(), sessionID: core.SessionID()})
	if traces == nil {
		traces = []*models.Trace{}
	}
	return partial(ctx, traces, err)
}

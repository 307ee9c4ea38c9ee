package graph

import (
	"context"

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

// traceKey is a run's trace (runID set) or a session's traces.
type traceKey struct{ dbID, sessionID, runID string }

// readTraces reads the traces of key once per operation, within its budget.
func (r *Resolver) readTraces(ctx context.Context, key traceKey) ([]*models.Trace, error) {
	store, err := r.store(&key.dbID)
	if err != nil {
		return nil, err
	}
	reads := opReadsOf(ctx).traces
	read, over, err := reads.get(key, func() (db.TraceRead, error) {
		left := reads.left(maxTraceRows)
		var read db.TraceRead
		var err error
		if key.runID != "" {
			read, err = store.RunTrace(ctx, key.sessionID, key.runID, left)
		} else {
			read, err = store.SessionTraces(ctx, key.sessionID, left)
		}
		reads.spend(read.Rows, maxTraceRows, false)
		return read, err
	})
	if over {
		return nil, models.Errorf(models.ComplexityLimitExceeded, "an operation reads the traces of at most %d runs and sessions; select trace and traces of fewer", maxTraceReads)
	}
	if err != nil {
		return nil, err
	}
	return read.Traces, nil
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

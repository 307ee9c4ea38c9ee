package graph

import (
	"context"

	"sessiongraph/db"
	"sessiongraph/models"
)

// What one operation may read of offloaded tool results (OffloadedResult's
// record and fullContent, see opReads): rows, one lookup each, and payload
// bytes, of which Agno stores up to 8 MB per result. Complexity does not bound them, because a run's
// messages are not paged.
const (
	maxToolResultRows  = 100
	maxToolResultBytes = 32 << 20
)

type toolResultKey struct{ dbID, sessionID, resultID string }

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
	row, over, err := opReadsOf(ctx).toolResults.get(toolResultKey{dbID, sessionID, *o.ResultID}, func() (*models.StoredToolResult, error) {
		return store.ToolResult(ctx, sessionID, *o.ResultID)
	})
	if over {
		return nil, nil, models.Errorf(models.ComplexityLimitExceeded, "an operation reads at most %d offloaded tool results; select record and fullContent of fewer", maxToolResultRows)
	}
	return store, row, err
}

// toolResultContent returns the whole text of an envelope's result, nil
// when it is not in the database.
func (r *Resolver) toolResultContent(ctx context.Context, o *models.OffloadedResult) (*string, error) {
	store, row, err := r.toolResult(ctx, o)
	if row == nil || err != nil {
		return nil, err
	}
	if !opReadsOf(ctx).toolResults.spend(row.SizeBytes, maxToolResultBytes, true) {
		return nil, models.Errorf(models.ComplexityLimitExceeded, "an operation reads at most %d MiB of offloaded tool results; select fullContent of fewer", maxToolResultBytes>>20)
	}
	return store.ToolResultContent(ctx, row)
}

package live

import (
	"container/list"
	"sync"

	"sessiongraph/models"
)

// trackedSession is what is kept of a session whose deletion is watched
// for: enough to tell who may hear of it and which filters it matched.
type trackedSession struct {
	id         string
	owner      *string
	typ        *models.SessionType
	agentID    *string
	teamID     *string
	workflowID *string
	createdAt  *int64
}

// matches reports whether filter may select the session, as far as what is
// kept tells: its type, component, user and creation time (a deleted
// session cannot be read for the rest).
func (t *trackedSession) matches(f *models.SessionFilter) bool {
	if f == nil {
		return true
	}
	eq := func(a, b *string) bool { return a != nil && b != nil && *a == *b }
	switch {
	case f.Type != nil && t.typ != nil && *f.Type != *t.typ:
		return false
	case f.UserID != nil && !eq(f.UserID, t.owner):
		return false
	case f.ComponentID != nil && t.typ != nil && !(eq(f.ComponentID, t.agentID) || eq(f.ComponentID, t.teamID) || eq(f.ComponentID, t.workflowID)):
		return false
	case f.CreatedAfter != nil && t.createdAt != nil && *t.createdAt < models.EpochSecondsAtOrAfter(*f.CreatedAfter):
		return false
	case f.CreatedBefore != nil && t.createdAt != nil && *t.createdAt > models.EpochSecondsAtOrBefore(*f.CreatedBefore):
		return false
	}
	return true
}

// tracker is the bounded set of sessions a watcher checks for deletion, in
// the order they are to be checked: new ones first, then the one checked
// longest ago. Past its size the most recently checked are forgotten.
type tracker struct {
	size int

	mu    sync.Mutex
	order *list.List // of *trackedSession
	by    map[string]*list.Element
}

func newTracker(size int) *tracker {
	return &tracker{size: size, order: list.New(), by: map[string]*list.Element{}}
}

// put tracks a session (or updates what is kept of it) from its row.
func (t *tracker) put(row models.SessionRow) {
	typ := row.EffectiveType()
	created := row.CreatedAt
	t.set(&trackedSession{id: row.SessionID, owner: row.UserID, typ: &typ, agentID: row.AgentID,
		teamID: row.TeamID, workflowID: row.WorkflowID, createdAt: &created})
}

// putOwner tracks a session of which only the owner is known.
func (t *tracker) putOwner(id string, owner *string) {
	t.mu.Lock()
	_, known := t.by[id]
	t.mu.Unlock()
	if !known {
		t.set(&trackedSession{id: id, owner: owner})
	}
}

func (t *tracker) set(s *trackedSession) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.by[s.id]; ok {
		e.Value = s
		return
	}
	t.by[s.id] = t.order.PushFront(s)
	for t.order.Len() > t.size {
		e := t.order.Back()
		t.order.Remove(e)
		delete(t.by, e.Value.(*trackedSession).id)
	}
}

// next returns up to n ids to check, and moves them to the back.
func (t *tracker) next(n int) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	n = min(n, t.order.Len())
	ids := make([]string, 0, n)
	for range n {
		e := t.order.Front()
		ids = append(ids, e.Value.(*trackedSession).id)
		t.order.MoveToBack(e)
	}
	return ids
}

// take forgets a session and returns what was kept of it.
func (t *tracker) take(id string) (trackedSession, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.by[id]
	if !ok {
		return trackedSession{}, false
	}
	t.order.Remove(e)
	delete(t.by, id)
	return *e.Value.(*trackedSession), true
}

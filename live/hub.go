// Package live delivers the subscriptions' events: one watcher per database
// reads the database's change feed (db.Store.Changes) at an interval, for
// every subscriber at once, and fans the changes out to the subscribers
// they concern, each through a bounded buffer. A subscriber that does not
// keep up is cut off, never allowed to grow memory.
package live

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"sessiongraph/db"
	"sessiongraph/models"
)

// Defaults of Options.
const (
	DefaultInterval         = time.Second
	DefaultMaxSubscriptions = 10000
	DefaultBuffer           = 256
	DefaultTrackedSessions  = 10000
)

// Options configures the Hub. Its zero value is the default: a field left
// zero takes its default.
type Options struct {
	// Interval is how often a database with subscribers is read for changes.
	Interval time.Duration
	// MaxSubscriptions bounds the subscriptions open on the server at once
	// (TOO_MANY_SUBSCRIPTIONS past it).
	MaxSubscriptions int
	// Buffer is how many events a subscriber may leave unread; past it the
	// subscriber is cut off (SLOW_CONSUMER).
	Buffer int
	// TrackedSessions bounds the sessions each database's watcher checks for
	// deletion: the sessions runEvents subscribers watch and those last
	// delivered to sessionEvents subscribers.
	TrackedSessions int
	// Logger receives the watchers' errors and the subscribers cut off;
	// default slog.Default().
	Logger *slog.Logger
	// Registerer, when set, receives the metrics (see newMetrics).
	Registerer prometheus.Registerer
}

func (o Options) withDefaults() Options {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.MaxSubscriptions <= 0 {
		o.MaxSubscriptions = DefaultMaxSubscriptions
	}
	if o.Buffer <= 0 {
		o.Buffer = DefaultBuffer
	}
	if o.TrackedSessions <= 0 {
		o.TrackedSessions = DefaultTrackedSessions
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Hub holds the subscriptions of a server and a watcher per database that
// has any.
type Hub struct {
	opts    Options
	metrics *metrics

	mu     sync.Mutex
	feeds  map[*db.Store]*feed
	open   int
	closed bool
}

// New returns a Hub; it fails only when the metrics cannot be registered.
func New(opts Options) (*Hub, error) {
	opts = opts.withDefaults()
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	return &Hub{opts: opts, metrics: m, feeds: map[*db.Store]*feed{}}, nil
}

// Close ends every subscription (their channels close, which completes
// them on the wire) and stops the watchers. Later subscriptions are refused
// with UNAVAILABLE.
func (h *Hub) Close() {
	h.mu.Lock()
	h.closed = true
	feeds := make([]*feed, 0, len(h.feeds))
	for _, f := range h.feeds {
		feeds = append(feeds, f)
	}
	h.mu.Unlock()
	for _, f := range feeds {
		f.closeAll()
	}
}

// Wake makes store's watcher read the feed now rather than at its next
// tick: this server has just written to it.
func (h *Hub) Wake(store *db.Store) {
	h.mu.Lock()
	f := h.feeds[store]
	h.mu.Unlock()
	if f != nil {
		f.wakeUp()
	}
}

// Subscriber is who subscribes: the owner they are restricted to (nil for
// a caller who sees every session), when their credentials expire (zero
// for never), and their connection, which a subscriber cut off for not
// reading is closed through (nil when the transport has none).
type Subscriber struct {
	Owner   *string
	Expires time.Time
	Conn    *Connection
}

// allows reports whether the subscriber may see a session of owner.
func (s *Subscriber) allows(owner *string) bool {
	return s.Owner == nil || (owner != nil && *owner == *s.Owner)
}

// SessionWatch is a sessionEvents subscription.
type SessionWatch struct {
	Subscriber
	// Filter selects the sessions (as sessions' filter); nil for every one.
	Filter *models.SessionFilter
	// Columns are what the events' session field reads; WithSession is
	// false when the subscription does not select it.
	Columns     models.SessionColumns
	WithSession bool
	// After resumes after an event's cursor; nil starts from now.
	After *models.ChangeCursor
}

// RunWatch is a runEvents subscription.
type RunWatch struct {
	Subscriber
	SessionID string
	// Columns are what the events' run field reads of its session (with
	// every run).
	Columns models.SessionColumns
	After   *models.ChangeCursor
}

// WatchSessions subscribes to the sessions w selects in store. The channel
// delivers events until ctx ends, the subscriber's credentials expire or it
// is cut off (then a last event carries why), or the Hub closes.
// TOO_MANY_SUBSCRIPTIONS when the server or the connection holds its most.
func (h *Hub) WatchSessions(ctx context.Context, store *db.Store, w SessionWatch) (<-chan *models.SessionEvent, error) {
	out := newOutbox(h.opts.Buffer, models.NewEndingSessionEvent)
	sub := &subscriber{Subscriber: w.Subscriber, sessions: &w, sessionOut: out, ctx: ctx,
		group: groupKey(w.Filter, w.Columns, w.WithSession)}
	if err := h.join(ctx, store, sub); err != nil {
		return nil, err
	}
	return out.ch, nil
}

// WatchRuns subscribes to the runs of one session in store; as
// WatchSessions. NOT_FOUND when the subscriber cannot see the session.
func (h *Hub) WatchRuns(ctx context.Context, store *db.Store, w RunWatch) (<-chan *models.RunEvent, error) {
	out := newOutbox(h.opts.Buffer, models.NewEndingRunEvent)
	sub := &subscriber{Subscriber: w.Subscriber, runs: &w, runOut: out, ctx: ctx,
		group: w.SessionID + "\x00" + groupKey(nil, w.Columns, true)}
	if err := h.join(ctx, store, sub); err != nil {
		return nil, err
	}
	return out.ch, nil
}

// join admits sub to store's feed, starting its watcher when it is the
// first, and arranges for its end.
func (h *Hub) join(ctx context.Context, store *db.Store, sub *subscriber) error {
	if !sub.Expires.IsZero() && !time.Now().Before(sub.Expires) {
		return models.Errorf(models.Unauthenticated, "token has expired")
	}
	if err := sub.Conn.admit(); err != nil {
		return err
	}
	h.mu.Lock()
	switch {
	case h.closed:
		h.mu.Unlock()
		sub.Conn.leave()
		return models.Errorf(models.Unavailable, "the server is shutting down")
	case h.open >= h.opts.MaxSubscriptions:
		h.mu.Unlock()
		sub.Conn.leave()
		return models.Errorf(models.TooManySubscriptions, "the server holds its most subscriptions (%d); try again later", h.opts.MaxSubscriptions)
	}
	h.open++
	h.mu.Unlock()
	var f *feed
	for f == nil {
		h.mu.Lock()
		f = h.feeds[store]
		if f == nil {
			f = newFeed(h, store)
			h.feeds[store] = f
		}
		h.mu.Unlock()
		switch err := f.add(sub); {
		case err == errFeedStopped: // its last subscriber just left: start anew
			h.forget(store, f)
			f = nil
		case err != nil:
			h.left(sub)
			return err
		}
	}
	h.metrics.opened(sub.kind())
	context.AfterFunc(ctx, func() { f.remove(sub, nil) })
	if !sub.Expires.IsZero() {
		sub.expiry.Store(time.AfterFunc(time.Until(sub.Expires), func() {
			f.remove(sub, models.Errorf(models.Unauthenticated, "token has expired"))
		}))
	}
	return nil
}

// left releases what join counted for sub.
func (h *Hub) left(sub *subscriber) {
	h.mu.Lock()
	h.open--
	h.mu.Unlock()
	sub.Conn.leave()
}

// forget drops f once it has no subscribers left, so that a later
// subscriber starts a new watcher.
func (h *Hub) forget(store *db.Store, f *feed) {
	h.mu.Lock()
	if h.feeds[store] == f {
		delete(h.feeds, store)
	}
	h.mu.Unlock()
}

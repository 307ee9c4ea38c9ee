package live

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"sessiongraph/db"
	"sessiongraph/models"
)

// maxCatchUpBatches bounds what a subscription resuming from a cursor
// replays: past that many full batches behind, it is refused.
const maxCatchUpBatches = 10

var errFeedStopped = errors.New("feed stopped")

// subscriber is one subscription in a feed.
type subscriber struct {
	Subscriber
	ctx        context.Context
	sessions   *SessionWatch
	sessionOut *outbox[*models.SessionEvent]
	runs       *RunWatch
	runOut     *outbox[*models.RunEvent]
	expiry     atomic.Pointer[time.Timer]
	// group is what subscribers that read the same of a batch share (see
	// groupKey), computed once.
	group string

	// A subscriber resuming from a cursor is not live until it has caught
	// up: the batches the watcher reads meanwhile wait in pending, and the
	// changes the catch-up delivered are not delivered again.
	catchingUp bool
	pending    [][]models.Change
	delivered  map[changeKey]bool

	// later are the events of the batch being delivered that did not fit
	// in the buffer at once (see feed.flush).
	later []func(deadline time.Time) bool
}

func (s *subscriber) kind() string {
	if s.sessions != nil {
		return "sessionEvents"
	}
	return "runEvents"
}

// end closes the subscriber's channel; with err, after a last event saying why.
func (s *subscriber) end(err error) {
	if s.sessionOut != nil {
		s.sessionOut.end(err)
	} else {
		s.runOut.end(err)
	}
	if t := s.expiry.Load(); t != nil {
		t.Stop()
	}
}

// changeKey is a change as delivered: its row, timestamp and version.
type changeKey struct {
	run     bool
	id      string
	at      int64
	version uint32
}

func keyOf(ch *models.Change) changeKey {
	if ch.Run != nil {
		return changeKey{run: true, id: ch.Run.RunID, at: ch.At, version: ch.Version}
	}
	return changeKey{id: ch.Session.SessionID, at: ch.At, version: ch.Version}
}

// feed is one database's watcher and its subscribers.
type feed struct {
	hub   *Hub
	store *db.Store
	wake  chan struct{}

	// deliverMu is held while a batch is read and delivered, so that the
	// subscribers receive batches whole and in order.
	deliverMu sync.Mutex
	cursor    models.ChangeCursor
	started   bool
	tracked   *tracker
	prints    map[string]map[string]uint64 // session → run → fingerprint, for Agno 2's runs column

	noticeMu sync.Mutex
	deletes  []models.ChangeNotice // deleted sessions the trigger told of

	mu      sync.Mutex
	subs    map[*subscriber]struct{}
	stopped bool
	stop    context.CancelFunc
}

func newFeed(h *Hub, store *db.Store) *feed {
	return &feed{hub: h, store: store, wake: make(chan struct{}, 1), subs: map[*subscriber]struct{}{},
		tracked: newTracker(h.opts.TrackedSessions), prints: map[string]map[string]uint64{}}
}

// add admits sub; the first subscriber starts the watcher, from the
// feed's position now, before add returns, so that a write made after the
// subscription opened is delivered.
func (f *feed) add(sub *subscriber) error {
	f.deliverMu.Lock()
	defer f.deliverMu.Unlock()
	f.mu.Lock()
	stopped := f.stopped
	f.mu.Unlock()
	if stopped {
		return errFeedStopped
	}
	if !f.started {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		cursor, err := f.store.ChangeCursorNow(ctx)
		cancel()
		if err != nil {
			return err
		}
		f.cursor, f.started = cursor, true
		watchCtx, stop := context.WithCancel(context.Background())
		f.mu.Lock()
		f.stop = stop
		f.mu.Unlock()
		go f.watch(watchCtx)
	}
	if sub.runs != nil {
		if err := f.startRuns(sub); err != nil {
			f.stopIfIdle()
			return err
		}
	}
	after := sub.afterCursor()
	f.mu.Lock()
	sub.catchingUp = after != nil
	f.subs[sub] = struct{}{}
	f.mu.Unlock()
	if after != nil {
		go f.catchUp(sub, *after)
	}
	return nil
}

func (s *subscriber) afterCursor() *models.ChangeCursor {
	if s.sessions != nil {
		return s.sessions.After
	}
	return s.runs.After
}

// startRuns checks that a runEvents subscriber may see its session and
// remembers the session's runs as they are, to tell later changes of
// Agno 2's runs column apart.
func (f *feed) startRuns(sub *subscriber) error {
	// The subscription's context, restricted to its owner.
	row, err := f.store.GetSession(context.WithoutCancel(sub.ctx), sub.runs.SessionID, nil, models.SessionColumns{Runs: true})
	if err != nil {
		return err
	}
	if row == nil {
		return models.Errorf(models.NotFound, "no session %q", sub.runs.SessionID)
	}
	f.tracked.put(*row)
	if _, ok := f.prints[row.SessionID]; !ok {
		runs, _ := models.NewSession(f.store.ID(), *row).Core().Runs()
		f.prints[row.SessionID] = fingerprints(runs)
	}
	return nil
}

// remove ends sub (with err, a last event saying why) and stops the
// watcher when it was the last subscriber.
func (f *feed) remove(sub *subscriber, err error) {
	f.mu.Lock()
	_, ok := f.subs[sub]
	delete(f.subs, sub)
	f.mu.Unlock()
	if !ok {
		return
	}
	sub.end(err)
	if sub.runs != nil {
		f.forgetRuns(sub.runs.SessionID)
	}
	f.hub.left(sub)
	f.hub.metrics.closed(sub.kind(), models.ErrorCode(err), err != nil)
	if models.ErrorCode(err) == models.SlowConsumer {
		f.hub.opts.Logger.Warn("subscriber cut off: it left too many events unread", "db", f.store.ID(), "subscription", sub.kind())
		sub.Conn.cut("slow consumer: more than the buffered events left unread")
	}
	f.stopIfIdle()
}

// forgetRuns drops the memory of a session's runs when no subscriber
// watches them any more.
func (f *feed) forgetRuns(sessionID string) {
	f.deliverMu.Lock()
	defer f.deliverMu.Unlock()
	f.mu.Lock()
	defer f.mu.Unlock()
	for s := range f.subs {
		if s.runs != nil && s.runs.SessionID == sessionID {
			return
		}
	}
	delete(f.prints, sessionID)
}

// stopIfIdle stops the watcher when no subscriber is left.
func (f *feed) stopIfIdle() {
	f.mu.Lock()
	idle := len(f.subs) == 0 && !f.stopped
	if idle {
		f.stopped = true
		if f.stop != nil {
			f.stop()
		}
	}
	f.mu.Unlock()
	if idle {
		f.hub.forget(f.store, f)
	}
}

// closeAll ends every subscriber (the Hub is closing).
func (f *feed) closeAll() {
	f.mu.Lock()
	subs := make([]*subscriber, 0, len(f.subs))
	for s := range f.subs {
		subs = append(subs, s)
	}
	f.mu.Unlock()
	for _, s := range subs {
		f.remove(s, nil)
	}
}

func (f *feed) wakeUp() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// watch reads the feed every Interval (or when woken) until ctx ends.
func (f *feed) watch(ctx context.Context) {
	if f.store.Dialect() == db.Postgres {
		go f.listen(ctx)
	}
	t := time.NewTicker(f.hub.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-f.wake:
		}
		f.read(ctx)
	}
}

// listen follows the NOTIFY trigger's notices while install-triggers has
// covered the database's tables (checked every 30 s): each wakes the
// watcher, so that a change is read as soon as it commits, and a deleted
// session is checked (and announced to whoever may see it) even when no
// subscriber heard of it before. Polling goes on regardless: a notice is a
// hint.
func (f *feed) listen(ctx context.Context) {
	for ctx.Err() == nil {
		state, err := f.store.TriggersInstalled(ctx)
		if err == nil && state.Complete() {
			err = f.store.ListenChanges(ctx, f.notice)
			if err != nil && ctx.Err() == nil {
				f.hub.opts.Logger.Warn("listening for change notices failed; listening again", "db", f.store.ID(), "error", err)
			}
		}
		wait := 30 * time.Second
		if err != nil {
			wait = time.Second
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
}

// maxNoticedDeletes bounds the deleted sessions noticed between two reads.
const maxNoticedDeletes = db.MaxExistingIDs

// notice takes one of the trigger's notices.
func (f *feed) notice(n models.ChangeNotice) {
	if n.Op == models.ChangeKindDeleted && !n.Run && n.SessionID != "" {
		f.noticeMu.Lock()
		if len(f.deletes) < maxNoticedDeletes {
			f.deletes = append(f.deletes, n)
		}
		f.noticeMu.Unlock()
	}
	f.wakeUp()
}

func (f *feed) takeDeletes() []models.ChangeNotice {
	f.noticeMu.Lock()
	defer f.noticeMu.Unlock()
	d := f.deletes
	f.deletes = nil
	return d
}

// read reads what changed since the last read, delivers it and checks
// tracked sessions for deletion.
func (f *feed) read(ctx context.Context) {
	f.deliverMu.Lock()
	defer f.deliverMu.Unlock()
	start := time.Now()
	for range maxCatchUpBatches {
		batch, err := f.store.Changes(ctx, f.cursor, db.MaxChangeBatch)
		if err != nil {
			if ctx.Err() == nil {
				f.hub.metrics.watchErrors.Inc()
				f.hub.opts.Logger.Warn("reading the change feed failed; trying again at the next tick", "db", f.store.ID(), "error", err)
			}
			return
		}
		f.cursor = batch.Next
		if len(batch.Changes) > 0 {
			f.publish(ctx, batch.Changes)
		}
		if !batch.More {
			break
		}
	}
	f.checkDeleted(ctx)
	f.hub.metrics.watchDuration.Observe(time.Since(start).Seconds())
}

// live returns the subscribers that are live, and queues changes for those
// still catching up.
func (f *feed) live(changes []models.Change) []*subscriber {
	f.mu.Lock()
	defer f.mu.Unlock()
	subs := make([]*subscriber, 0, len(f.subs))
	for s := range f.subs {
		if s.catchingUp {
			s.pending = append(s.pending, changes)
			continue
		}
		subs = append(subs, s)
	}
	return subs
}

// publish delivers a batch of the shared feed to the live subscribers.
func (f *feed) publish(ctx context.Context, changes []models.Change) {
	subs := f.live(changes)
	var plain, dedup []*subscriber
	for _, s := range subs {
		if s.delivered != nil {
			dedup = append(dedup, s)
		} else {
			plain = append(plain, s)
		}
	}
	f.deliver(ctx, changes, plain, true)
	for _, s := range dedup { // just caught up: skip what the catch-up delivered
		f.deliver(ctx, unseen(changes, s.delivered), []*subscriber{s}, false)
		s.delivered = nil
	}
	f.hub.metrics.lag(changes)
}

// catchUp replays for sub the changes after its cursor, read as sub may
// see them, then delivers what the watcher read meanwhile and makes sub
// live.
func (f *feed) catchUp(sub *subscriber, after models.ChangeCursor) {
	ctx := context.Background() // the events' owners are checked one by one
	scoped := ctx
	if sub.Owner != nil {
		scoped = db.WithOwner(ctx, *sub.Owner)
	}
	delivered := map[changeKey]bool{}
	cursor := after
	for i := 0; ; i++ {
		if sub.ctx.Err() != nil {
			return
		}
		if i == maxCatchUpBatches {
			f.remove(sub, models.Errorf(models.BadUserInput, "the cursor is more than %d changes behind; subscribe without after and read the current state", maxCatchUpBatches*db.MaxChangeBatch))
			return
		}
		batch, err := f.store.Changes(scoped, cursor, db.MaxChangeBatch)
		if err != nil {
			f.remove(sub, err)
			return
		}
		f.deliverMu.Lock()
		f.deliver(ctx, batch.Changes, []*subscriber{sub}, false)
		f.deliverMu.Unlock()
		for i := range batch.Changes {
			delivered[keyOf(&batch.Changes[i])] = true
		}
		cursor = batch.Next
		if !batch.More {
			break
		}
	}
	f.deliverMu.Lock()
	defer f.deliverMu.Unlock()
	f.mu.Lock()
	pending := sub.pending
	sub.pending, sub.catchingUp = nil, false
	f.mu.Unlock()
	for _, changes := range pending {
		f.deliver(ctx, unseen(changes, delivered), []*subscriber{sub}, false)
	}
	// The watcher's next read may hold changes the catch-up read too.
	sub.delivered = delivered
}

// unseen returns the changes not in delivered.
func unseen(changes []models.Change, delivered map[changeKey]bool) []models.Change {
	return slices.DeleteFunc(slices.Clone(changes), func(ch models.Change) bool { return delivered[keyOf(&ch)] })
}

// sessionChange is what a batch says about one session.
type sessionChange struct {
	id      string
	kind    models.ChangeKind
	at      int64
	cursor  string
	owner   *string
	row     *models.SessionRow // the session row's change, when there is one
	runs    []string           // runs of the runs table that changed
	session bool               // the session row changed
}

// summarize folds a batch into one change per session, in the order of
// each session's last change.
func summarize(changes []models.Change) []*sessionChange {
	by := map[string]*sessionChange{}
	last := map[*sessionChange]int{} // the position of each session's last change
	var order []*sessionChange
	for i := range changes {
		ch := &changes[i]
		id := ch.SessionID()
		sc := by[id]
		if sc == nil {
			sc = &sessionChange{id: id, kind: models.ChangeKindUpdated}
			by[id] = sc
			order = append(order, sc)
		}
		last[sc] = i
		sc.at, sc.cursor, sc.owner = max(sc.at, ch.At), ch.Cursor, ch.UserID()
		if ch.Run != nil {
			sc.runs = append(sc.runs, ch.Run.RunID)
		} else {
			sc.session, sc.row = true, ch.Session
			if ch.Kind == models.ChangeKindCreated {
				sc.kind = models.ChangeKindCreated
			}
		}
	}
	slices.SortFunc(order, func(a, b *sessionChange) int { return last[a] - last[b] })
	return order
}

// deliver turns changes into the events of subs. shared is true for the
// watcher's own batches: only then is the feed's memory of Agno 2's runs
// columns advanced.
func (f *feed) deliver(ctx context.Context, changes []models.Change, subs []*subscriber, shared bool) {
	if len(changes) == 0 || len(subs) == 0 {
		return
	}
	summary := summarize(changes)
	var sessionSubs, runSubs []*subscriber
	for _, s := range subs {
		if s.sessions != nil {
			sessionSubs = append(sessionSubs, s)
		} else {
			runSubs = append(runSubs, s)
		}
	}
	if len(sessionSubs) > 0 {
		f.deliverSessions(ctx, summary, sessionSubs)
	}
	if len(runSubs) > 0 {
		f.deliverRuns(ctx, summary, runSubs, shared)
	}
	f.flush(subs)
}

// deliverSessions delivers session events. Subscribers with the same
// filter and selection share one read of the batch's sessions.
func (f *feed) deliverSessions(ctx context.Context, summary []*sessionChange, subs []*subscriber) {
	groups := map[string][]*subscriber{}
	for _, s := range subs {
		groups[s.group] = append(groups[s.group], s)
	}
	ids := make([]string, len(summary))
	for i, sc := range summary {
		ids[i] = sc.id
	}
	for _, group := range groups {
		w := group[0].sessions
		var rows map[string]*models.SessionRow
		if w.WithSession || !emptyFilter(w.Filter) {
			var err error
			if rows, err = f.sessionsByID(ctx, ids, w.Filter, w.Columns); err != nil {
				f.hub.opts.Logger.Warn("reading the changed sessions failed; their events are not delivered", "db", f.store.ID(), "error", err)
				continue
			}
		}
		for _, sc := range summary {
			owner := sc.owner
			var session models.Session
			if rows != nil {
				row := rows[sc.id]
				if row == nil {
					continue // not selected by the filter, or gone
				}
				owner = row.UserID
				if w.WithSession {
					session = models.NewSession(f.store.ID(), *row)
				}
				f.tracked.put(*row)
			} else if sc.row != nil {
				f.tracked.put(*sc.row)
			} else {
				f.tracked.putOwner(sc.id, owner)
			}
			ev := models.NewSessionEvent(sc.kind, sc.id, session, time.Unix(sc.at, 0), sc.cursor)
			for _, s := range group {
				if s.allows(owner) {
					f.sendSession(s, ev)
				}
			}
		}
	}
}

// sessionsByID reads the sessions among ids that filter selects, every
// user's (the subscribers' owners are checked on each event).
func (f *feed) sessionsByID(ctx context.Context, ids []string, filter *models.SessionFilter, cols models.SessionColumns) (map[string]*models.SessionRow, error) {
	out := map[string]*models.SessionRow{}
	for chunk := range slices.Chunk(ids, db.MaxExistingIDs) {
		rows, err := f.store.SessionsByID(ctx, chunk, filter, cols)
		if err != nil {
			return nil, err
		}
		for i := range rows {
			out[rows[i].SessionID] = &rows[i]
		}
	}
	return out, nil
}

// deliverRuns delivers run events: for each watched session the batch
// touched, its runs are read once per selection, and the events name the
// runs the runs table says changed and, where Agno 2's runs column
// changed, the runs whose stored JSON differs from what the feed last saw
// (a catch-up, which has no such memory, delivers every run of the column).
func (f *feed) deliverRuns(ctx context.Context, summary []*sessionChange, subs []*subscriber, shared bool) {
	bySession := map[string]*sessionChange{}
	for _, sc := range summary {
		bySession[sc.id] = sc
	}
	groups := map[string][]*subscriber{}
	for _, s := range subs {
		if bySession[s.runs.SessionID] == nil {
			continue
		}
		groups[s.group] = append(groups[s.group], s)
	}
	changed := map[string][]changedRun{} // per session, computed by its first group
	for _, group := range groups {
		w := group[0].runs
		sc := bySession[w.SessionID]
		cols := w.Columns
		cols.Runs = true
		row, err := f.store.GetSession(ctx, w.SessionID, nil, cols)
		if err != nil {
			f.hub.opts.Logger.Warn("reading a watched session failed; its run events are not delivered", "db", f.store.ID(), "error", err)
			continue
		}
		if row == nil {
			continue // deleted: checkDeleted says so
		}
		session := models.NewSession(f.store.ID(), *row)
		runs, _ := session.Core().Runs()
		list, ok := changed[w.SessionID]
		if !ok {
			list = f.changedRuns(sc, runs, shared)
			changed[w.SessionID] = list
		}
		byID := make(map[string]models.Run, len(runs))
		for _, r := range runs {
			byID[r.Core().RunID()] = r
		}
		for _, c := range list {
			run := byID[c.id]
			if run == nil {
				continue
			}
			ev := models.NewRunEvent(c.kind, w.SessionID, c.id, run, time.Unix(sc.at, 0), sc.cursor)
			for _, s := range group {
				if s.allows(row.UserID) {
					f.sendRun(s, ev)
				}
			}
		}
	}
}

// changedRun is a run an event is delivered for.
type changedRun struct {
	id   string
	kind models.ChangeKind
}

// changedRuns returns the runs of a session a summary tells of, in stored
// order: those the runs table names, and those of the column whose stored
// JSON changed (shared) or all of them (a catch-up).
func (f *feed) changedRuns(sc *sessionChange, runs []models.Run, shared bool) []changedRun {
	prev, known := f.prints[sc.id]
	legacy := f.store.Describe().LegacyRunsColumn // else a session row's change is not its runs'
	now := fingerprints(runs)
	named := map[string]bool{}
	for _, id := range sc.runs {
		named[id] = true
	}
	var out []changedRun
	for _, r := range runs {
		id := r.Core().RunID()
		p, had := prev[id]
		switch {
		case named[id] || (legacy && sc.session && !shared):
		case legacy && sc.session && (!had || p != now[id]):
		default:
			continue
		}
		kind := models.ChangeKindUpdated
		if known && !had {
			kind = models.ChangeKindCreated
		}
		out = append(out, changedRun{id: id, kind: kind})
	}
	if shared && known {
		if legacy {
			f.prints[sc.id] = now
		} else {
			// Only the runs told of now: a run written since the batch was
			// read (the session's runs are read after its events went out)
			// is told of by the next batch, as created.
			for _, c := range out {
				prev[c.id] = now[c.id]
			}
		}
	}
	return out
}

// fingerprints identifies each run's stored state by its id.
func fingerprints(runs []models.Run) map[string]uint64 {
	out := make(map[string]uint64, len(runs))
	for _, r := range runs {
		out[r.Core().RunID()] = models.RunFingerprint(r)
	}
	return out
}

// sendSession queues ev for s, or, when s's buffer is full, keeps it for
// flush.
func (f *feed) sendSession(s *subscriber, ev *models.SessionEvent) { queue(f, s, s.sessionOut, ev) }

func (f *feed) sendRun(s *subscriber, ev *models.RunEvent) { queue(f, s, s.runOut, ev) }

func queue[T any](f *feed, s *subscriber, out *outbox[T], ev T) {
	if len(s.later) == 0 && out.send(ev) {
		f.hub.metrics.delivered(s.kind())
		return
	}
	s.later = append(s.later, func(deadline time.Time) bool { return out.sendBy(ev, deadline) })
}

// flush queues the events that did not fit in their subscribers' buffers
// at once, giving every such subscriber, at the same time, until one
// interval (at least five seconds) from now to read; one that has not made
// room by then is cut off (SLOW_CONSUMER). The next batch waits, so that
// events stay in order.
func (f *feed) flush(subs []*subscriber) {
	deadline := time.Now().Add(max(5*time.Second, f.hub.opts.Interval))
	var wg sync.WaitGroup
	for _, s := range subs {
		if len(s.later) == 0 {
			continue
		}
		later := s.later
		s.later = nil
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, send := range later {
				if !send(deadline) { // removed apart: remove waits for deliverMu, held by our caller
					go f.remove(s, models.Errorf(models.SlowConsumer, "more than %d events left unread", f.hub.opts.Buffer))
					return
				}
				f.hub.metrics.delivered(s.kind())
			}
		}()
	}
	wg.Wait()
}

// checkDeleted checks the tracked sessions, at most db.MaxExistingIDs per
// read in turn, and delivers DELETED for those gone.
func (f *feed) checkDeleted(ctx context.Context) {
	ids := f.tracked.next(db.MaxExistingIDs)
	for _, n := range f.takeDeletes() { // named by the NOTIFY trigger: checked whether tracked or not
		if n.Session != nil {
			f.tracked.put(*n.Session)
		} else {
			f.tracked.putOwner(n.SessionID, n.UserID)
		}
		if !slices.Contains(ids, n.SessionID) {
			ids = append(ids, n.SessionID)
		}
	}
	if len(ids) == 0 {
		return
	}
	exists, err := f.store.Existing(ctx, ids)
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		f.hub.opts.Logger.Warn("checking for deleted sessions failed", "db", f.store.ID(), "error", err)
		return
	}
	var gone []trackedSession
	for _, id := range ids {
		if !exists[id] {
			if t, ok := f.tracked.take(id); ok {
				gone = append(gone, t)
			}
		}
	}
	if len(gone) == 0 {
		return
	}
	f.mu.Lock()
	subs := make([]*subscriber, 0, len(f.subs))
	for s := range f.subs {
		subs = append(subs, s)
	}
	f.mu.Unlock()
	now := time.Now().Truncate(time.Second)
	cursor := f.cursor.Encode()
	for _, t := range gone {
		delete(f.prints, t.id)
		sev := models.NewSessionEvent(models.ChangeKindDeleted, t.id, nil, now, cursor)
		rev := models.NewRunEvent(models.ChangeKindDeleted, t.id, "", nil, now, cursor)
		for _, s := range subs {
			switch {
			case !s.allows(t.owner):
			case s.sessions != nil && t.matches(s.sessions.Filter):
				f.sendSession(s, sev)
			case s.runs != nil && s.runs.SessionID == t.id:
				f.sendRun(s, rev)
			}
		}
	}
	f.flush(subs)
}

// groupKey identifies subscribers that read the same of a batch.
func groupKey(filter *models.SessionFilter, cols models.SessionColumns, withSession bool) string {
	b, _ := json.Marshal(struct {
		F *models.SessionFilter
		C models.SessionColumns
		S bool
	}{filter, cols, withSession})
	return string(b)
}

func emptyFilter(f *models.SessionFilter) bool {
	return f == nil || *f == (models.SessionFilter{})
}

package live

import (
	"sync"
	"time"
)

// outbox is a subscriber's bounded buffer of events: the channel its
// transport reads. It holds at most size events; one more slot is kept for
// the last event, which says why the subscription ended.
type outbox[T any] struct {
	size   int
	ending func(error) T

	mu     sync.Mutex
	ch     chan T
	closed bool
}

func newOutbox[T any](size int, ending func(error) T) *outbox[T] {
	return &outbox[T]{size: size, ending: ending, ch: make(chan T, size+1)}
}

// send queues v; false when the buffer is full (or closed): the reader is
// not keeping up.
func (o *outbox[T]) send(v T) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed || len(o.ch) >= o.size {
		return false
	}
	o.ch <- v
	return true
}

// sendBy queues v, waiting until deadline for the reader to make room;
// false when it did not (or the outbox is closed).
func (o *outbox[T]) sendBy(v T, deadline time.Time) bool {
	for {
		if o.send(v) {
			return true
		}
		o.mu.Lock()
		closed := o.closed
		o.mu.Unlock()
		if closed || !time.Now().Before(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// end closes the outbox; with err, after a last event carrying it.
func (o *outbox[T]) end(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return
	}
	o.closed = true
	if err != nil {
		select {
		case o.ch <- o.ending(err):
		default:
		}
	}
	close(o.ch)
}

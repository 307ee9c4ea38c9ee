package live

import (
	"context"
	"sync"

	"sessiongraph/models"
)

// DefaultMaxPerConnection is the default of NewConnection's max.
const DefaultMaxPerConnection = 100

// Connection is a client connection that carries subscriptions (a
// WebSocket, an SSE stream): it bounds how many it holds, and is how a
// subscriber that does not read is cut off. A nil *Connection bounds
// nothing and closes nothing.
type Connection struct {
	max   int
	close func(reason string)

	mu   sync.Mutex
	open int
}

// NewConnection returns a connection that holds at most max subscriptions
// at once (DefaultMaxPerConnection when max <= 0) and is closed by close,
// with a reason a client may show.
func NewConnection(max int, close func(reason string)) *Connection {
	if max <= 0 {
		max = DefaultMaxPerConnection
	}
	return &Connection{max: max, close: close}
}

type connectionKey struct{}

// WithConnection returns ctx carrying c, for the subscriptions made with it.
func WithConnection(ctx context.Context, c *Connection) context.Context {
	return context.WithValue(ctx, connectionKey{}, c)
}

// ConnectionOf returns the connection ctx carries, nil when none.
func ConnectionOf(ctx context.Context) *Connection {
	c, _ := ctx.Value(connectionKey{}).(*Connection)
	return c
}

func (c *Connection) admit() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open >= c.max {
		return models.Errorf(models.TooManySubscriptions, "this connection holds its most subscriptions (%d)", c.max)
	}
	c.open++
	return nil
}

func (c *Connection) leave() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.open--
	c.mu.Unlock()
}

// cut closes the connection with reason.
func (c *Connection) cut(reason string) {
	if c != nil && c.close != nil {
		c.close(reason)
	}
}

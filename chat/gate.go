package chat

import (
	"context"
	"errors"
	"fmt"
)

// ErrHeld is how a gated message fails when its command's audit row was
// not stored: the command is not answered, and the caller that stored the
// row says why once.
var ErrHeld = errors.New("held back: the command's audit row was not stored")

// A Gate holds a command's messages back until its audit row is stored.
// A read-only command reads while its row commits, to answer sooner, but
// nothing it says may reach Slack before the row is stored: a crash in
// between would leave an answer with no record of the command, and a
// redelivered envelope (refused by the store) must stay silent.
type Gate struct {
	done chan struct{}
	err  error
}

// NewGate returns a closed gate; Open it with the audit row's outcome.
func NewGate() *Gate { return &Gate{done: make(chan struct{})} }

// Open lets the messages through when err is nil, and refuses them with
// err otherwise. Call it once.
func (g *Gate) Open(err error) {
	g.err = err
	close(g.done)
}

// Wait blocks until the gate is opened and returns its refusal as given.
func (g *Gate) Wait() error {
	<-g.done
	return g.err
}

type gateKey struct{}

// WithGate makes every message sent under ctx wait for g.
func WithGate(ctx context.Context, g *Gate) context.Context {
	return context.WithValue(ctx, gateKey{}, g)
}

// AwaitGate waits for ctx's gate, if it has one, and returns its refusal.
func AwaitGate(ctx context.Context) error {
	g, _ := ctx.Value(gateKey{}).(*Gate)
	if g == nil {
		return nil
	}
	select {
	case <-g.done:
		if g.err != nil {
			return fmt.Errorf("%w: %w", ErrHeld, g.err)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Gated wraps c so that every message waits for its context's gate.
func Gated(c Chat) Chat { return gated{c} }

type gated struct{ c Chat }

func (g gated) Post(ctx context.Context, channel string, m Message) (Ref, error) {
	if err := AwaitGate(ctx); err != nil {
		return Ref{}, err
	}
	return g.c.Post(ctx, channel, m)
}

func (g gated) Reply(ctx context.Context, parent Ref, m Message) (Ref, error) {
	if err := AwaitGate(ctx); err != nil {
		return Ref{}, err
	}
	return g.c.Reply(ctx, parent, m)
}

func (g gated) Update(ctx context.Context, ref Ref, m Message) error {
	if err := AwaitGate(ctx); err != nil {
		return err
	}
	return g.c.Update(ctx, ref, m)
}

func (g gated) Ephemeral(ctx context.Context, channel, user string, m Message) error {
	if err := AwaitGate(ctx); err != nil {
		return err
	}
	return g.c.Ephemeral(ctx, channel, user, m)
}

func (g gated) Respond(ctx context.Context, responseURL string, m Message) error {
	if err := AwaitGate(ctx); err != nil {
		return err
	}
	return g.c.Respond(ctx, responseURL, m)
}

func (g gated) Upload(ctx context.Context, parent Ref, filename, title, content string) error {
	if err := AwaitGate(ctx); err != nil {
		return err
	}
	return g.c.Upload(ctx, parent, filename, title, content)
}

func (g gated) UploadDirect(ctx context.Context, user, filename, title, content string) error {
	if err := AwaitGate(ctx); err != nil {
		return err
	}
	return g.c.UploadDirect(ctx, user, filename, title, content)
}

// Permalink sends nothing, so it does not wait.
func (g gated) Permalink(ctx context.Context, ref Ref) (string, error) {
	return g.c.Permalink(ctx, ref)
}

package chat_test

import (
	"context"
	"errors"
	"testing"

	"dobot/chat"
)

// countingChat counts the messages that reach it.
type countingChat struct {
	chat.Chat
	n int
}

func (c *countingChat) Ephemeral(context.Context, string, string, chat.Message) error {
	c.n++
	return nil
}

func TestGatedChatWaitsForTheGateAndHonoursItsRefusal(t *testing.T) {
	inner := &countingChat{}
	c := chat.Gated(inner)
	if err := c.Ephemeral(context.Background(), "C1", "U1", chat.Message{Text: "no gate"}); err != nil || inner.n != 1 {
		t.Fatalf("without a gate: err %v, sent %d; want it sent at once", err, inner.n)
	}

	g := chat.NewGate()
	sent := make(chan error, 1)
	go func() {
		sent <- c.Ephemeral(chat.WithGate(context.Background(), g), "C1", "U1", chat.Message{Text: "gated"})
	}()
	g.Open(nil)
	if err := <-sent; err != nil || inner.n != 2 {
		t.Fatalf("gate opened: err %v, sent %d; want it sent", err, inner.n)
	}

	refused := errors.New("already handled")
	g = chat.NewGate()
	g.Open(refused)
	if err := c.Ephemeral(chat.WithGate(context.Background(), g), "C1", "U1", chat.Message{Text: "dropped"}); !errors.Is(err, refused) || !errors.Is(err, chat.ErrHeld) || inner.n != 2 {
		t.Fatalf("gate refused: err %v, sent %d; want the refusal and nothing sent", err, inner.n)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Ephemeral(chat.WithGate(ctx, chat.NewGate()), "C1", "U1", chat.Message{}); !errors.Is(err, context.Canceled) || inner.n != 2 {
		t.Fatalf("gate never opened, context over: err %v, sent %d; want context.Canceled and nothing sent", err, inner.n)
	}
}

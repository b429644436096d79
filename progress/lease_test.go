package progress

import (
	"context"
	"errors"
	"testing"

	"dobot"
	"dobot/chat"
)

// Once the operation's lease is gone, the reporter says nothing more: the
// replica that holds it now reports it.
func TestReporterIsSilentOnceTheLeaseIsGone(t *testing.T) {
	held := true
	ctx := dobot.WithLeaseCheck(context.Background(), func() bool { return held })
	c := &fakeChat{}
	r := New(c, quiet, "C1", chat.Ref{}, "https://hooks.example/1")
	if err := r.Start(ctx, chat.Message{Text: "card"}); err != nil {
		t.Fatal(err)
	}
	held = false
	r.Update(ctx, chat.Message{Text: "building"})
	r.Note(ctx, chat.Message{Text: "detail"})
	r.Reply(ctx, chat.Message{Text: "phase"})
	r.Final(ctx, chat.Message{Text: "live"})
	if err := r.Replace(ctx, chat.Message{Text: "card 2"}); !errors.Is(err, dobot.ErrLeaseLost) {
		t.Errorf("Replace with the lease gone = %v; want ErrLeaseLost", err)
	}
	if want := []string{"post card"}; !equal(c.calls, want) {
		t.Errorf("calls = %q; want %q, nothing after the lease went", c.calls, want)
	}
	if err := New(c, quiet, "C1", chat.Ref{}, "").Start(ctx, chat.Message{Text: "card"}); !errors.Is(err, dobot.ErrLeaseLost) {
		t.Errorf("Start with the lease gone = %v; want ErrLeaseLost", err)
	}
}

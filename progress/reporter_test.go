package progress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"dobot/chat"
)

// fakeChat records what the reporter sends. It refuses to post in the
// channel "closed", as Slack does where the bot is not a member.
type fakeChat struct {
	calls []string
	n     int
}

func (c *fakeChat) Post(_ context.Context, ch string, m chat.Message) (chat.Ref, error) {
	if ch == "closed" {
		return chat.Ref{}, fmt.Errorf("%w: not_in_channel", chat.ErrCannotPost)
	}
	c.n++
	c.calls = append(c.calls, "post "+m.Text)
	return chat.Ref{Channel: ch, ID: fmt.Sprint(c.n)}, nil
}
func (c *fakeChat) Reply(_ context.Context, p chat.Ref, m chat.Message) (chat.Ref, error) {
	c.n++
	c.calls = append(c.calls, "reply@"+p.ID+" "+m.Text)
	return chat.Ref{Channel: p.Channel, ID: fmt.Sprint(c.n)}, nil
}
func (c *fakeChat) Update(_ context.Context, r chat.Ref, m chat.Message) error {
	c.calls = append(c.calls, "update@"+r.ID+" "+m.Text)
	return nil
}
func (c *fakeChat) Ephemeral(context.Context, string, string, chat.Message) error { return nil }
func (c *fakeChat) Respond(_ context.Context, _ string, m chat.Message) error {
	c.calls = append(c.calls, "respond "+m.Text)
	return nil
}
func (c *fakeChat) Upload(context.Context, chat.Ref, string, string, string) error     { return nil }
func (c *fakeChat) UploadDirect(context.Context, string, string, string, string) error { return nil }
func (c *fakeChat) Permalink(context.Context, chat.Ref) (string, error)                { return "", nil }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestReporterPostsThenUpdatesAndReplies(t *testing.T) {
	c := &fakeChat{}
	r := New(c, quiet, "C1", chat.Ref{}, "https://hooks.example/1")
	ctx := context.Background()
	if err := r.Start(ctx, chat.Message{Text: "card"}); err != nil {
		t.Fatal(err)
	}
	if !r.Posted() || r.Head() != (chat.Ref{Channel: "C1", ID: "1"}) {
		t.Fatalf("head = %+v, posted %v; want C1/1", r.Head(), r.Posted())
	}
	r.Update(ctx, chat.Message{Text: "building"})
	r.Note(ctx, chat.Message{Text: "detail"})
	r.Reply(ctx, chat.Message{Text: "phase"})
	r.Final(ctx, chat.Message{Text: "live"})
	want := []string{"post card", "update@1 building", "reply@1 detail", "reply@1 phase", "reply@1 live"}
	if !equal(c.calls, want) {
		t.Errorf("calls = %q; want %q", c.calls, want)
	}
}

// Where the bot may not post, everything goes through the response_url:
// notes are left out, and of Slack's five uses the last is kept for the
// final word however many phase changes come first.
func TestReporterFallsBackToTheResponseURL(t *testing.T) {
	c := &fakeChat{}
	r := New(c, quiet, "closed", chat.Ref{}, "https://hooks.example/1")
	ctx := context.Background()
	if err := r.Start(ctx, chat.Message{Text: "card"}); err != nil {
		t.Fatalf("Start on a closed channel = %v; want the response_url to answer", err)
	}
	if r.Posted() {
		t.Fatal("Posted after a fallback start")
	}
	r.Update(ctx, chat.Message{Text: "building"}) // nothing to update
	r.Note(ctx, chat.Message{Text: "detail"})     // not worth a use
	for i := range 6 {
		r.Reply(ctx, chat.Message{Text: fmt.Sprint("phase ", i)})
	}
	r.Final(ctx, chat.Message{Text: "live"})
	want := []string{"respond card", "respond phase 0", "respond phase 1", "respond phase 2", "respond live"}
	if !equal(c.calls, want) {
		t.Errorf("calls = %q; want %q", c.calls, want)
	}
}

func TestReporterWithoutAFallbackReportsTheError(t *testing.T) {
	r := New(&fakeChat{}, quiet, "closed", chat.Ref{}, "")
	if err := r.Start(context.Background(), chat.Message{Text: "card"}); !errors.Is(err, chat.ErrCannotPost) {
		t.Errorf("Start = %v; want ErrCannotPost", err)
	}
}

// A resumed operation's reporter starts from its stored head message.
func TestReporterResumesOnItsHead(t *testing.T) {
	c := &fakeChat{}
	r := New(c, quiet, "C1", chat.Ref{Channel: "C1", ID: "9.9"}, "")
	r.Reply(context.Background(), chat.Message{Text: "restarted"})
	if want := []string{"reply@9.9 restarted"}; !equal(c.calls, want) {
		t.Errorf("calls = %q; want %q", c.calls, want)
	}
}

// The final reply mentions the person who started the operation, once.
func TestFinalReplyMentionsTheRequester(t *testing.T) {
	c := &fakeChat{}
	r := New(c, quiet, "C1", chat.Ref{Channel: "C1", ID: "1"}, "").Notify("U0REQ")
	ctx := context.Background()
	r.Reply(ctx, chat.Message{Text: "phase"})
	r.Final(ctx, chat.Message{Text: "live"})
	r.Final(ctx, chat.Message{Text: chat.Mention("U0REQ") + " gone"})
	want := []string{"reply@1 phase", "reply@1 " + chat.Mention("U0REQ") + " live", "reply@1 " + chat.Mention("U0REQ") + " gone"}
	if !equal(c.calls, want) {
		t.Errorf("calls = %q; want %q", c.calls, want)
	}
}

// A requester that is not a user id (the bot itself) is not mentioned.
func TestFinalReplyMentionsOnlyAUser(t *testing.T) {
	c := &fakeChat{}
	r := New(c, quiet, "C1", chat.Ref{Channel: "C1", ID: "1"}, "").Notify("dobot")
	r.Final(context.Background(), chat.Message{Text: "x"})
	if want := []string{"reply@1 x"}; !equal(c.calls, want) {
		t.Errorf("calls = %q; want %q", c.calls, want)
	}
}

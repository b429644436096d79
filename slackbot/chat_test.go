package slackbot

import (
	"context"
	dobotchat "dobot/chat"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"dobot"
	"dobot/commands"
	"dobot/internal/slacktest"
)

// An update coalesced behind one in flight is sent even when the first
// caller's context ends before its own update is answered: the second
// caller was told its update would go out.
func TestCoalescedUpdateSurvivesTheFirstCallersContext(t *testing.T) {
	srv, chat, ctx, ts := postedMessage(t)

	release := srv.Hold(func(method string, form url.Values) bool {
		return method == "chat.update" && strings.Contains(form.Get("text"), "first")
	})
	defer release()
	firstCtx, endFirst := context.WithCancel(ctx)
	firstDone := make(chan error, 1)
	go func() { firstDone <- chat.Update(firstCtx, ts, commands.Message{Text: "first update"}) }()
	isUpdate := func(text string) func(slacktest.Message) bool {
		return func(m slacktest.Message) bool {
			return m.Method == "chat.update" && m.TS == ts.ID && strings.Contains(m.Text, text)
		}
	}
	if _, err := srv.WaitMessage(ctx, isUpdate("first")); err != nil {
		t.Fatalf("first update never reached Slack: %v", err)
	}
	// The first update is in flight and held: this one is coalesced.
	if err := chat.Update(ctx, ts, commands.Message{Text: "second update"}); err != nil {
		t.Fatalf("coalesced Update = %v", err)
	}
	endFirst()
	<-firstDone
	release()
	if _, err := srv.WaitMessage(ctx, isUpdate("second")); err != nil {
		t.Fatalf("the coalesced second update was dropped: %v\nmessages: %v", err, srv.Messages())
	}
}

// An update coalesced behind one in flight is dropped when its caller's
// operation moved to another replica (its context ended because the lease
// was lost): only the replica holding an operation updates its message.
func TestCoalescedUpdateOfALostOperationIsDropped(t *testing.T) {
	srv, chat, ctx, ts := postedMessage(t)
	release := srv.Hold(func(method string, form url.Values) bool {
		return method == "chat.update" && strings.Contains(form.Get("text"), "first")
	})
	defer release()
	firstDone := make(chan error, 1)
	go func() { firstDone <- chat.Update(ctx, ts, commands.Message{Text: "first update"}) }()
	if _, err := srv.WaitMessage(ctx, func(m slacktest.Message) bool {
		return m.Method == "chat.update" && strings.Contains(m.Text, "first")
	}); err != nil {
		t.Fatalf("first update never reached Slack: %v", err)
	}
	opCtx, lose := context.WithCancelCause(ctx)
	if err := chat.Update(opCtx, ts, commands.Message{Text: "stale update"}); err != nil {
		t.Fatalf("coalesced Update = %v", err)
	}
	lose(dobot.ErrLeaseLost)
	release()
	if err := <-firstDone; err != nil {
		t.Fatalf("first Update = %v", err)
	}
	// The first caller has returned, so anything it would send is sent.
	for _, c := range srv.Calls() {
		if c.Method == "chat.update" && strings.Contains(c.Form.Get("text"), "stale") {
			t.Errorf("the update of an operation whose lease was lost was sent: %v", c.Form)
		}
	}
}

// A message's permalink is asked of Slack once, however often an answer
// links to it: `/do list` over many apps must not make a call per app on
// every answer.
func TestPermalinkIsAskedOnce(t *testing.T) {
	srv, chat, ctx, ts := postedMessage(t)
	var links []string
	for range 3 {
		link, err := chat.Permalink(ctx, ts)
		if err != nil {
			t.Fatal(err)
		}
		links = append(links, link)
	}
	if links[0] == "" || links[1] != links[0] || links[2] != links[0] {
		t.Errorf("permalinks = %q; want one link three times", links)
	}
	n := 0
	for _, c := range srv.Calls() {
		if c.Method == "chat.getPermalink" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("chat.getPermalink called %d times; want 1", n)
	}
}

// postedMessage starts a Chat against a fresh Slack test server and posts
// one message in C1, whose ts it returns.
func postedMessage(t *testing.T) (*slacktest.Server, *Chat, context.Context, dobotchat.Ref) {
	t.Helper()
	srv := slacktest.New(slacktest.Options{})
	t.Cleanup(srv.Close)
	api := slack.New("xoxb-test-bot", slack.OptionAPIURL(srv.APIURL()))
	chat := NewChat(api, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	t.Cleanup(cancel)
	ts, err := chat.Post(ctx, "C1", commands.Message{Text: "launching web"})
	if err != nil {
		t.Fatal(err)
	}
	return srv, chat, ctx, ts
}

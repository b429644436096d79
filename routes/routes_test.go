package routes_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"dobot"
	"dobot/chat"
	"dobot/internal/storetest"
	"dobot/reply"
	"dobot/routes"
	"dobot/store"
)

var _ routes.Store = (*store.DB)(nil)
var _ routes.Poster = (chat.Chat)(nil)

// posted is one message the fake chat was given.
type posted struct {
	channel, thread string
	msg             chat.Message
}

// fakeChat records what is posted; refuse makes Post fail in a channel.
type fakeChat struct {
	refuse map[string]error
	sent   []posted
}

func (c *fakeChat) Post(_ context.Context, channel string, m chat.Message) (chat.Ref, error) {
	if err := c.refuse[channel]; err != nil {
		return chat.Ref{}, err
	}
	c.sent = append(c.sent, posted{channel: channel, msg: m})
	return chat.Ref{Channel: channel, ID: fmt.Sprint(len(c.sent))}, nil
}

func (c *fakeChat) Reply(_ context.Context, parent chat.Ref, m chat.Message) (chat.Ref, error) {
	c.sent = append(c.sent, posted{channel: parent.Channel, thread: parent.ID, msg: m})
	return chat.Ref{Channel: parent.Channel, ID: fmt.Sprint(len(c.sent))}, nil
}

func newRouter(t *testing.T) (*routes.Router, *store.DB, *fakeChat) {
	t.Helper()
	db := storetest.Open(t)
	c := &fakeChat{refuse: map[string]error{}}
	return routes.New(db, c, slog.New(slog.NewTextHandler(io.Discard, nil))), db, c
}

func watch(t *testing.T, r *routes.Router, user string, words ...string) (chat.Message, error) {
	t.Helper()
	args, err := routes.ParseWatch(words)
	if err != nil {
		t.Fatalf("ParseWatch(%q): %v", words, err)
	}
	return r.Watch(context.Background(), user, args)
}

func TestWatchShowsSetsAndSendsBack(t *testing.T) {
	r, db, c := newRouter(t)
	ctx := context.Background()
	m, err := watch(t, r, "U1", "web")
	if err != nil || !strings.Contains(m.Text, "go where each command is typed. `/do watch web #channel`") {
		t.Fatalf("watch web (no route) = %q, %v; want where commands are typed", m.Text, err)
	}
	m, err = watch(t, r, "U1", "web", "#C0OPS")
	if err != nil || m.Text != "web's messages now go to "+chat.Channel("C0OPS")+"." {
		t.Fatalf("watch web #C0OPS = %q, %v", m.Text, err)
	}
	if len(c.sent) != 1 || c.sent[0].channel != "C0OPS" || !strings.Contains(c.sent[0].msg.Text, chat.Mention("U1")+" sent web's messages here") {
		t.Errorf("announced %+v; want one note in C0OPS naming U1", c.sent)
	}
	if rt, err := db.Route(ctx, "web"); err != nil || rt.Channel != "C0OPS" || rt.SetBy != "U1" {
		t.Errorf("stored route = %+v, %v; want C0OPS set by U1", rt, err)
	}
	m, err = watch(t, r, "U2", "web")
	if err != nil || !strings.Contains(m.Text, chat.Channel("C0OPS")+" (set by "+chat.Mention("U1")) {
		t.Errorf("watch web (routed) = %q, %v; want the channel and who set it", m.Text, err)
	}
	m, err = watch(t, r, "U1", "web", "--off")
	if err != nil || m.Text != "web's messages go where each command is typed again." {
		t.Errorf("watch web --off = %q, %v", m.Text, err)
	}
	if _, err := db.Route(ctx, "web"); !errors.Is(err, dobot.ErrNotFound) {
		t.Errorf("route after --off: %v; want none", err)
	}
}

// TestWatchRefusesAChannelItCannotPostIn: the route is put back as it was,
// and the person is told to invite the bot.
func TestWatchRefusesAChannelItCannotPostIn(t *testing.T) {
	r, db, c := newRouter(t)
	ctx := context.Background()
	c.refuse["C0SHUT"] = fmt.Errorf("post: %w", chat.ErrCannotPost)
	c.refuse["C0DOWN"] = errors.New("chat is down")
	for _, prior := range []string{"", "C0OPS"} {
		if prior != "" {
			if _, err := watch(t, r, "U1", "web", prior); err != nil {
				t.Fatal(err)
			}
		}
		_, err := watch(t, r, "U1", "web", "C0SHUT")
		var ue *reply.UserError
		if !errors.As(err, &ue) || !strings.Contains(ue.Msg, "invite it there first") {
			t.Errorf("watch web C0SHUT (prior %q) = %v; want a user error asking for an invite", prior, err)
		}
		if _, err := watch(t, r, "U1", "web", "C0DOWN"); err == nil || errors.As(err, &ue) {
			t.Errorf("watch web C0DOWN = %v; want an internal error", err)
		}
		rt, err := db.Route(ctx, "web")
		if prior == "" && !errors.Is(err, dobot.ErrNotFound) || prior != "" && rt.Channel != prior {
			t.Errorf("route after refusals (prior %q) = %+v, %v; want it unchanged", prior, rt, err)
		}
	}
}

func TestOperationsAndNoticesFollowTheRoute(t *testing.T) {
	r, db, c := newRouter(t)
	ctx := context.Background()
	app := dobot.App{Name: "web", Channel: "C0TYPED", ThreadTS: "111.1"}
	if ch, th := r.Home(ctx, app); ch != "C0TYPED" || th != "111.1" {
		t.Errorf("Home without a route = %q, %q; want the launch thread", ch, th)
	}
	op := dobot.Operation{App: "web", Action: "scale", Card: dobot.Card{Channel: "C0TYPED"}}
	if _, ok := r.RouteOp(ctx, &op); ok || op.Channel != "C0TYPED" {
		t.Errorf("RouteOp without a route moved the operation to %q", op.Channel)
	}
	if err := db.SetRoute(ctx, dobot.Route{App: "web", Channel: "C0OPS", SetBy: "U1"}); err != nil {
		t.Fatal(err)
	}
	if ch, th := r.Home(ctx, app); ch != "C0OPS" || th != "" {
		t.Errorf("Home with a route = %q, %q; want a new card in C0OPS", ch, th)
	}
	note, ok := r.RouteOp(ctx, &op)
	if !ok || op.Channel != "C0OPS" || !strings.Contains(note.Text, "the card and progress of this scale are there") {
		t.Errorf("RouteOp = %q, %v, channel %q; want the operation sent to C0OPS", note.Text, ok, op.Channel)
	}
	reg := dobot.Operation{App: "web", Action: "registry.create", Card: dobot.Card{Channel: "C0TYPED"}}
	if _, ok := r.RouteOp(ctx, &reg); ok || reg.Channel != "C0TYPED" {
		t.Errorf("RouteOp moved a registry operation to %q", reg.Channel)
	}
	r.Notice(ctx, app, chat.Message{Text: "one"})
	c.refuse["C0OPS"] = chat.ErrCannotPost
	r.Notice(ctx, app, chat.Message{Text: "two"})
	want := []posted{{channel: "C0OPS", msg: chat.Message{Text: "one"}}, {channel: "C0TYPED", thread: "111.1", msg: chat.Message{Text: "two"}}}
	if fmt.Sprint(c.sent) != fmt.Sprint(want) {
		t.Errorf("notices went to %+v; want %+v", c.sent, want)
	}
}

func TestParseWatch(t *testing.T) {
	tests := []struct {
		in   string
		want routes.WatchArgs
	}{
		{"web", routes.WatchArgs{Name: "web"}},
		{"web #C0123ABCD", routes.WatchArgs{Name: "web", Channel: "C0123ABCD"}},
		{"web G0PRIVATE", routes.WatchArgs{Name: "web", Channel: "G0PRIVATE"}},
		{"web --off", routes.WatchArgs{Name: "web", Off: true}},
	}
	for _, tt := range tests {
		got, err := routes.ParseWatch(strings.Fields(tt.in))
		if err != nil || got != tt.want {
			t.Errorf("ParseWatch(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
		if got.Shows() != (tt.want.Channel == "" && !tt.want.Off) {
			t.Errorf("ParseWatch(%q).Shows() = %v", tt.in, got.Shows())
		}
	}
	refusals := map[string]string{
		"":                    "watch takes an app name",
		"web #C1 #C2":         "watch takes an app name",
		"Web":                 "bad app name",
		"web #C0123 --off":    "a channel or --off, not both",
		"web #general":        "not a channel the bot can name",
		"web c0123":           "not a channel the bot can name",
		"web --off --off":     "",
		"web --channel C0123": "",
	}
	for in, want := range refusals {
		_, err := routes.ParseWatch(strings.Fields(in))
		var ue *reply.UserError
		if !errors.As(err, &ue) || !strings.Contains(ue.Msg, want) {
			t.Errorf("ParseWatch(%q) = %v; want a user error containing %q", in, err, want)
		}
	}
}

// FuzzParseChannel: whatever is typed, a channel comes back only as an id
// a channel token can carry.
func FuzzParseChannel(f *testing.F) {
	for _, s := range []string{"#C0123", "C0123", "#general", "G1", "<#C0123ABCD|ops>", "<#C1|<!channel>>", "<@U1>", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := routes.ParseChannel(s)
		if err != nil {
			return
		}
		segs := chat.Segments(chat.Channel(id))
		if len(segs) != 1 || segs[0].Kind != chat.Room || segs[0].Target != id {
			t.Errorf("ParseChannel(%q) = %q, which is no channel token: %+v", s, id, segs)
		}
	})
}

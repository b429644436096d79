package console_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"golang.org/x/oauth2"

	"dobot"
	"dobot/chat"
	"dobot/commands"
	"dobot/console"
	"dobot/imagecheck"
	"dobot/internal/botproc"
	"dobot/internal/dotest"
	"dobot/internal/regtest"
	"dobot/store"
	"dobot/watch"
)

// syncBuffer is an output that background messages may write while the
// test reads it.
type syncBuffer = botproc.LockedBuffer

// harness is the console wired as cmd/bot wires it: the real store in a
// temporary directory, a real godo client against the DigitalOcean test
// server (which fails the test on any request the real API would refuse),
// the shared watcher and the standard commands.
type harness struct {
	db  *store.DB
	out *syncBuffer
	con *console.Console
	bot *commands.Bot
}

func start(t *testing.T, opts ...func(*harness, *commands.Deps)) *harness {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "dobot.db"))
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.EnsureAdmins(ctx, []string{console.DefaultUser}); err != nil {
		t.Fatalf("EnsureAdmins: %v", err)
	}
	do := dotest.New(t, dotest.Options{Token: "console-test-token", PhaseDelay: 100 * time.Millisecond})
	hc := oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "console-test-token"}))
	client, err := godo.New(hc, godo.SetBaseURL(do.URL()))
	if err != nil {
		t.Fatalf("godo.New: %v", err)
	}
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	reg, err := regtest.Start(regtest.Options{DOToken: "console-test-token"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Close)
	images := &imagecheck.Checker{Mirrors: regtest.ParseMirrors(reg.Mirrors()), DOToken: "console-test-token"}

	life, stop := context.WithCancel(ctx)
	watcher := watch.New(client.Apps, log, watch.Fixed(20*time.Millisecond))
	watched := make(chan struct{})
	go func() { watcher.Run(life); close(watched) }()

	h := &harness{db: db, out: &syncBuffer{}}
	h.con = console.New(h.out, console.Options{Store: db, Wait: time.Minute})
	deps := commands.Deps{Store: db, Cloud: commands.CloudOf(client),
		Chat: h.con, Images: images, Watcher: watcher, Log: log, Observer: h.con.Observer(nil)}
	for _, o := range opts {
		o(h, &deps)
	}
	h.bot, err = commands.New(commands.Config{Region: "nyc3"}, deps)
	if err != nil {
		t.Fatalf("commands.New: %v", err)
	}
	if err := h.bot.Start(life); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		stop()
		h.bot.Wait()
		<-watched
	})
	return h
}

// run feeds script to the console as a pipe would, and returns everything
// it printed by the time it ended.
func (h *harness) run(t *testing.T, script string) string {
	t.Helper()
	if err := h.con.Run(context.Background(), strings.NewReader(script), h.bot); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return h.out.String()
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// wantInOrder fails unless out has each of wants, in that order.
func wantInOrder(t *testing.T, out string, wants ...string) {
	t.Helper()
	rest := out
	for _, w := range wants {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("output lacks %q (after the earlier wants); output:\n%s", w, out)
		}
		rest = rest[i+len(w):]
	}
}

func TestPipedLaunchGoesLive(t *testing.T) {
	h := start(t)
	out := h.run(t, "/do launch demo --image nginx\n")
	wantInOrder(t, out,
		"ULOCAL> /do launch demo --image nginx\n",
		"[#1] 🚀 Launching demo\n",
		"end of input: waiting up to 1m0s for 1 running operation",
		"~ updated [#1 demo]: ✅ demo is live",
		"▰▰▰▰▰▰▰▰▰▰",
		"  ↳ [#1 demo] @ULOCAL ✅ demo is live at https://demo-",
	)
	if strings.Contains(out, "still running") {
		t.Errorf("the wait ran out; output:\n%s", out)
	}
	ops, err := h.db.UnfinishedOperations(context.Background())
	if err != nil || len(ops) != 0 {
		t.Errorf("unfinished operations after the end of input = %v, %v; want none", ops, err)
	}
}

// A teardown needs a second person: the requester's own click is refused;
// after /as, an approver's click goes through Bot.HandleClick and the app
// is deleted.
func TestApprovalNeedsASecondPerson(t *testing.T) {
	h := start(t)
	out := h.run(t, strings.Join([]string{
		"/do launch demo --image nginx",
		"/wait",
		"/do grant @UOTHER approver",
		"/do teardown demo",
		"1", // Approve, as the requester
		"/as @uother",
		"/click 1",
	}, "\n"))
	wantInOrder(t, out,
		"is live at https://",
		"(console) all operations finished",
		"[#2] ✋ Request #2: tear down demo",
		"[1] Approve  [2] Deny",
		"(only you) ⌛ Request #2",
		"ULOCAL> 1\n",
		"(only you) ⚠️ You asked for request #2, so someone else must decide it",
		"(console) you are UOTHER (approver)",
		"UOTHER> /click 1\n",
		"~ updated [#2 demo]: 🗑️ Tearing down demo",
		"@UOTHER approved request #2",
		"🗑️ Deleted demo",
	)
	if _, err := h.db.App(context.Background(), "demo"); err == nil {
		t.Errorf("demo is still in the store after its approved teardown")
	}
	audit, err := h.db.Audit(context.Background(), dobot.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var decided bool
	for _, e := range audit {
		if e.Action == "approval.decision" && e.UserID == "UOTHER" && e.Decision == "approved" {
			decided = true
		}
	}
	if !decided {
		t.Errorf("no audit row of UOTHER approving; audit: %+v", audit)
	}
}

func TestBadInputSaysWhatToType(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"bot refuses a bad name", "/do launch Bad_Name --image nginx", "(only you) ⚠️ launch: bad app name \"Bad_Name\""},
		{"unknown bot command", "/do lunch demo", "(only you) ⚠️"},
		{"no /do", "launch demo", "(console) type /do launch demo to run it as a bot command"},
		{"unknown console command", "/deploy demo", "(console) /deploy is not a console command"},
		{"no such choice", "3", "(console) there is no choice 3: no message shows buttons now"},
		{"click without number", "/click Approve", "(console) /click needs a choice number"},
		{"bad user", "/as bob", `(console) /as needs a Slack-style user id like U0456`},
		{"bad wait", "/wait soon", `(console) /wait takes a duration like 30s or 5m, not "soon"`},
		{"no role", "/as U0NOBODY\n/do launch demo --image nginx", "`launch` needs the deployer role and you have no role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t)
			out := h.run(t, tt.in+"\n")
			if !strings.Contains(out, tt.want) {
				t.Errorf("after %q, output lacks %q:\n%s", tt.in, tt.want, out)
			}
			if strings.Contains(out, "[#1]") {
				t.Errorf("after %q, something was posted:\n%s", tt.in, out)
			}
		})
	}
}

// /quit ends the session before the rest of the input.
func TestQuit(t *testing.T) {
	h := start(t)
	out := h.run(t, "/as\n/quit\n/do help\n")
	if !strings.Contains(out, "(console) you are ULOCAL (admin)") || strings.Contains(out, "/do help") {
		t.Errorf("output:\n%s", out)
	}
}

// tsPattern is a Slack-style ts, which a Click must carry.
var tsPattern = regexp.MustCompile(`^\d+\.\d{6}$`)

// recordingBot records what the console asks of the bot.
type recordingBot struct {
	reqs   []commands.Request
	clicks []commands.Click
}

func (b *recordingBot) Handle(_ context.Context, r commands.Request) { b.reqs = append(b.reqs, r) }
func (b *recordingBot) HandleClick(_ context.Context, c commands.Click) {
	b.clicks = append(b.clicks, c)
}

// A click carries what a Slack click carries: the button's action and
// value, the message's channel and ts, and who clicked.
func TestClickCarriesTheButton(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "dobot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := &syncBuffer{}
	con := console.New(out, console.Options{Store: db})
	ts, err := con.Post(ctx, console.DefaultChannel, commands.Message{Text: "Request #7", Title: "Request #7",
		Buttons: []commands.Button{{ActionID: "approve", Label: "Approve", Value: "7"}, {ActionID: "deny", Label: "Deny", Value: "7"}}})
	if err != nil || !tsPattern.MatchString(ts.ID) || ts.Channel != console.DefaultChannel {
		t.Fatalf("Post = %q, %v; want a Slack-style ts", ts, err)
	}
	bot := &recordingBot{}
	if err := con.Run(ctx, strings.NewReader("/as U0456\n2\n/do status web\n"), bot); err != nil {
		t.Fatal(err)
	}
	if len(bot.clicks) != 1 {
		t.Fatalf("clicks = %+v; want one", bot.clicks)
	}
	c := bot.clicks[0]
	if c.ActionID != "deny" || c.Value != "7" || c.MessageTS != ts.ID || c.ChannelID != console.DefaultChannel || c.UserID != "U0456" || c.Ref == "" {
		t.Errorf("click = %+v; want deny 7 on %s in %s by U0456", c, ts, console.DefaultChannel)
	}
	if len(bot.reqs) != 1 || bot.reqs[0].Text != "status web" || bot.reqs[0].UserID != "U0456" || bot.reqs[0].ChannelID != console.DefaultChannel {
		t.Errorf("requests = %+v; want status web from U0456", bot.reqs)
	}
	// The response URL names the person, and answers them privately.
	if err := con.Respond(ctx, bot.reqs[0].ResponseURL, commands.Message{Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.String(), "(only you) hello\n") {
		t.Errorf("Respond printed:\n%s", out)
	}
}

func TestRendering(t *testing.T) {
	ctx := context.Background()
	out := &syncBuffer{}
	con := console.New(out, console.Options{})
	mark := func() int { return len(out.String()) }
	since := func(i int) string { return out.String()[i:] }

	i := mark()
	head, _ := con.Post(ctx, console.DefaultChannel, commands.Message{
		Text:     "fallback",
		Title:    chat.IconLaunch + " Launching web",
		Fields:   []commands.Field{{Label: "App", Value: "web"}, {Label: "Image", Value: "nginx"}, {Label: "Links", Value: chat.Link("https://web.example", "Open the app")}},
		Progress: &commands.Progress{Done: 3, Total: 6},
		Body:     "first\nsecond",
		Footer:   "Requested by " + chat.Mention("U1ABC"),
	})
	want := "[#1] 🚀 Launching web\n" +
		"     App: web · Image: nginx · Links: Open the app (https://web.example)\n" +
		"     ▰▰▰▰▰▱▱▱▱▱ 3/6 steps\n" +
		"     first\n" +
		"     second\n" +
		"     — Requested by @U1ABC\n"
	if got := since(i); got != want {
		t.Errorf("Post printed:\n%s\nwant:\n%s", got, want)
	}

	i = mark()
	if _, err := con.Reply(ctx, head, commands.Message{Text: chat.IconOK + " web is live at " + chat.Link("https://web.example", "")}); err != nil {
		t.Fatal(err)
	}
	if got, want := since(i), "  ↳ [#1 web] ✅ web is live at https://web.example\n"; got != want {
		t.Errorf("Reply printed %q; want %q", got, want)
	}

	i = mark()
	m := commands.Message{Text: "same", Title: "Same"}
	if err := con.Update(ctx, head, m); err != nil {
		t.Fatal(err)
	}
	if err := con.Update(ctx, head, m); err != nil {
		t.Fatal(err)
	}
	if got, want := since(i), "~ updated [#1]: Same\n    same\n"; got != want {
		t.Errorf("two identical updates printed %q; want one: %q", got, want)
	}
	if err := con.Update(ctx, chat.Ref{Channel: console.DefaultChannel, ID: "1.000099"}, m); err == nil {
		t.Errorf("Update of an unknown ts succeeded")
	}

	i = mark()
	_ = con.Ephemeral(ctx, console.DefaultChannel, "U0OTHER", commands.Message{Text: "for someone else"})
	_ = con.Ephemeral(ctx, console.DefaultChannel, console.DefaultUser, commands.Message{Text: "line one\nline two"})
	if got, want := since(i), "(only @U0OTHER) for someone else\n(only you) line one\n    line two\n"; got != want {
		t.Errorf("Ephemeral printed %q; want %q", got, want)
	}

	i = mark()
	var log strings.Builder
	for n := 1; n <= 50; n++ {
		log.WriteString("line " + strings.Repeat("x", n%3) + "\n")
	}
	_ = con.Upload(ctx, head, "web.log", "web logs", log.String())
	got := since(i)
	if !strings.HasPrefix(got, "  ↳ [#1] 📎 web logs (web.log), last 40 of 50 lines:\n") || strings.Count(got, "  | line") != 40 {
		t.Errorf("Upload printed:\n%s", got)
	}
}

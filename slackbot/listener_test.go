package slackbot

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"dobot"
	"dobot/commands"
	"dobot/internal/health"
	"dobot/internal/slacktest"
	"dobot/store"
)

// waitFor bounds every wait; generous because CI has two busy cores.
const waitFor = 15 * time.Second

// countingHandler records every command and click it is given.
type countingHandler struct {
	mu       sync.Mutex
	commands map[string]int // by text
	clicks   map[string]int // by action id
	requests []commands.Request
	// onCommand, when set, runs for each command.
	onCommand func(ctx context.Context, req commands.Request)
	// onClick, when set, runs for each click.
	onClick func(ctx context.Context, c commands.Click)
}

func (h *countingHandler) Handle(ctx context.Context, req commands.Request) {
	h.mu.Lock()
	h.commands[req.Text]++
	h.requests = append(h.requests, req)
	on := h.onCommand
	h.mu.Unlock()
	if on != nil {
		on(ctx, req)
	}
}

func (h *countingHandler) HandleClick(ctx context.Context, c commands.Click) {
	h.mu.Lock()
	h.clicks[c.ActionID]++
	on := h.onClick
	h.mu.Unlock()
	if on != nil {
		on(ctx, c)
	}
}

// listenerWorld is a Listener connected to a slacktest server, remembering
// handled envelopes in a real store.
type listenerWorld struct {
	srv      *slacktest.Server
	listener *Listener
	chat     *Chat
	handler  *countingHandler
	db       *store.DB
	ctx      context.Context
	stop     context.CancelFunc // ends Run's socket context
	done     chan error         // Run's result
}

func startListener(t *testing.T, opts slacktest.Options) *listenerWorld {
	t.Helper()
	return startListenerAt(t, opts, filepath.Join(t.TempDir(), "bot.db"), nil)
}

// startListenerAt is startListener with the store at dbPath, on clock when
// it is not nil.
func startListenerAt(t *testing.T, opts slacktest.Options, dbPath string, clock func() time.Time) *listenerWorld {
	t.Helper()
	return startListenerWith(t, opts, dbPath, clock, func(l *Listener, db *store.DB) { l.RememberHandled(db.MarkHandled) })
}

// startListenerWith is startListenerAt with dedupe set up by dedupe
// (RememberHandled or ClaimWith) before the listener runs.
func startListenerWith(t *testing.T, opts slacktest.Options, dbPath string, clock func() time.Time, dedupe func(*Listener, *store.DB)) *listenerWorld {
	t.Helper()
	opts.BotToken, opts.AppToken = "xoxb-test-bot", "xapp-test-app"
	srv := slacktest.New(opts)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	t.Cleanup(cancel)
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if clock != nil {
		db.Now = clock
	}
	t.Cleanup(func() { db.Close() })

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	api := slack.New(opts.BotToken, slack.OptionAPIURL(srv.APIURL()), slack.OptionAppLevelToken(opts.AppToken))
	h := &countingHandler{commands: map[string]int{}, clicks: map[string]int{}}
	chat := NewChat(api, nil, log)
	chat.TrackResponseURLs(db)
	l := NewListener(api, chat, h, 4, log)
	dedupe(l, db)
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(runCtx, context.Background()) }()
	t.Cleanup(func() {
		stop()
		select {
		case err := <-done:
			done <- err // for a test that waits on it too
		case <-time.After(waitFor):
			t.Error("listener did not stop")
		}
	})
	if err := srv.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	return &listenerWorld{srv: srv, listener: l, chat: chat, handler: h, db: db, ctx: ctx, stop: stop, done: done}
}

// settle waits until every envelope sent so far has been read and its work
// finished: envelopes are read in order, so once a later one is acked the
// earlier ones have been dispatched, and Drain waits for the dispatched work.
func (w *listenerWorld) settle(t *testing.T) {
	t.Helper()
	id, err := w.srv.SlashCommand(slack.SlashCommand{Text: "settle", UserID: "U1", ChannelID: "C1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.WaitAck(w.ctx, id); err != nil {
		t.Fatal(err)
	}
	if !w.listener.Drain(waitFor) {
		t.Fatal("work did not finish")
	}
}

func TestRedeliveredCommandRunsOnce(t *testing.T) {
	w := startListener(t, slacktest.Options{AckDeadline: 300 * time.Millisecond})
	w.srv.LoseAcks(1) // the bot's ack is "late": Slack redelivers
	id, err := w.srv.SlashCommand(slack.SlashCommand{Text: "launch web --image nginx", UserID: "U1", ChannelID: "C1"})
	if err != nil {
		t.Fatal(err)
	}
	ack, err := w.srv.WaitAck(w.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if ack.RetryAttempt != 1 || ack.EnvelopeID == id {
		t.Fatalf("ack = %+v; want the redelivery's", ack)
	}
	w.settle(t)
	w.handler.mu.Lock()
	defer w.handler.mu.Unlock()
	if n := w.handler.commands["launch web --image nginx"]; n != 1 {
		t.Errorf("a command delivered twice ran %d times; want once", n)
	}
}

func TestRedeliveredClickRunsOnce(t *testing.T) {
	w := startListener(t, slacktest.Options{AckDeadline: 300 * time.Millisecond})
	w.srv.LoseAcks(1)
	id, err := w.srv.ClickButton("U1", "C1", "1700000000.000100", "approve", "12")
	if err != nil {
		t.Fatal(err)
	}
	if ack, err := w.srv.WaitAck(w.ctx, id); err != nil || ack.RetryAttempt != 1 {
		t.Fatalf("ack = %+v, %v; want the redelivery's", ack, err)
	}
	w.settle(t)
	w.handler.mu.Lock()
	defer w.handler.mu.Unlock()
	if n := w.handler.clicks["approve"]; n != 1 {
		t.Errorf("a click delivered twice ran %d times; want once", n)
	}
}

func TestHealthSaysReconnectingWhileTheSocketIsDown(t *testing.T) {
	w := startListener(t, slacktest.Options{})
	handler := health.Handler(health.Checks{Store: w.db.Ping, SlackState: w.listener.State})
	get := func() (int, string) {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		return rec.Code, rec.Body.String()
	}
	// waitHealth polls /healthz, as a container's health check does, until
	// it reports slack as want.
	waitHealth := func(want string) (int, string) {
		t.Helper()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			code, body := get()
			if strings.Contains(body, `"slack":"`+want+`"`) {
				return code, body
			}
			select {
			case <-w.ctx.Done():
				t.Fatalf("/healthz never said slack %s; last %d %s", want, code, body)
			case <-tick.C:
			}
		}
	}
	if code, body := waitHealth(health.SlackConnected); code != http.StatusOK {
		t.Fatalf("/healthz while connected = %d %s; want 200", code, body)
	}

	// Keep the client from getting a new socket, then drop the live one.
	w.srv.RateLimit("apps.connections.open", 1000, time.Minute)
	w.srv.DropConnection()
	code, body := waitHealth(health.SlackReconnecting)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "reconnecting") {
		t.Errorf("/healthz while reconnecting = %d %s; want 503 naming the reconnect", code, body)
	}
	if w.listener.Connected() {
		t.Error("Connected() = true with the socket down")
	}
}

// TestClaimedCommandRunsOnceAcrossARestart: with ClaimWith, as the bot runs,
// the command's envelope is recorded with its first audit row; the same
// command delivered again to a restarted bot (its in-memory set empty)
// cannot write that row, and its response_url was recorded for the user.
func TestClaimedCommandRunsOnceAcrossARestart(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "bot.db")
	// As the bot sets it up: commands and clicks claimed, other work marked.
	claim := func(l *Listener, db *store.DB) { l.ClaimWith(claimChecked); l.RememberHandled(db.MarkHandled) }
	cmd := slack.SlashCommand{Text: "status", UserID: "U1", ChannelID: "C1", TriggerID: "13345224609.738474920.8088930838d88f008e0"}
	deliver := func() (string, error) {
		w := startListenerWith(t, slacktest.Options{}, dbPath, nil, claim)
		appended := make(chan error, 1)
		w.handler.onCommand = func(ctx context.Context, req commands.Request) {
			_, err := w.db.AppendAudit(ctx, dobot.AuditEntry{UserID: req.UserID, Action: "status", Decision: "allowed", Outcome: "started"})
			appended <- err
		}
		if _, err := w.srv.SlashCommand(cmd); err != nil {
			t.Fatal(err)
		}
		var err error
		select {
		case err = <-appended:
		case <-w.ctx.Done():
			t.Fatal("the command was not handled")
		}
		w.handler.mu.Lock()
		url := w.handler.requests[0].ResponseURL
		w.handler.mu.Unlock()
		w.stop()
		runErr := <-w.done
		w.done <- runErr // for the cleanup, which waits on it too
		if runErr != nil {
			t.Fatal(runErr)
		}
		w.db.Close()
		return url, err
	}
	url, err := deliver()
	if err != nil {
		t.Fatalf("first delivery: AppendAudit = %v; want nil", err)
	}
	_, err = deliver()
	if !errors.Is(err, dobot.ErrAlreadyHandled) {
		t.Fatalf("redelivery after a restart: AppendAudit = %v; want dobot.ErrAlreadyHandled", err)
	}
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if allowed, user, err := db.UseResponseURL(context.Background(), url, 5, time.Hour); err != nil || !allowed || user != "U1" {
		t.Errorf("UseResponseURL(the command's URL) = %v, %q, %v; want it recorded for U1", allowed, user, err)
	}
	if n, err := db.VerifyAudit(context.Background()); err != nil || n != 1 {
		t.Errorf("VerifyAudit = %d, %v; want the one row of the first delivery", n, err)
	}
}

package slacktest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

const (
	botToken = "xoxb-unit-bot"
	appToken = "xapp-unit-app"
	// waitFor bounds every wait; generous because CI has two busy cores.
	waitFor = 15 * time.Second
)

// harness is a Server with the real slack-go Socket Mode client running
// against it.
type harness struct {
	srv    *Server
	api    *slack.Client
	client *socketmode.Client
}

// start runs a Server and a connected slack-go client, both stopped when
// the test ends.
func start(t *testing.T) *harness {
	t.Helper()
	return startWith(t, Options{})
}

// startWith is start with server options and slack-go client options.
func startWith(t *testing.T, opts Options, clientOpts ...socketmode.Option) *harness {
	t.Helper()
	opts.BotToken, opts.AppToken, opts.Users = botToken, appToken, map[string]string{"U1": "ana"}
	srv := New(opts)
	t.Cleanup(srv.Close) // runs last: the client stops first

	api := slack.New(botToken, slack.OptionAPIURL(srv.APIURL()), slack.OptionAppLevelToken(appToken))
	client := socketmode.New(api, clientOpts...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- client.RunContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(waitFor):
			t.Error("socketmode client did not stop")
		}
	})
	h := &harness{srv: srv, api: api, client: client}
	h.next(t, socketmode.EventTypeHello)
	if err := srv.WaitConnected(h.ctx(t)); err != nil {
		t.Fatal(err)
	}
	return h
}

// ctx is a context bounded by waitFor.
func (h *harness) ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	t.Cleanup(cancel)
	return ctx
}

// next returns the client's next event of type typ, skipping others.
func (h *harness) next(t *testing.T, typ socketmode.EventType) socketmode.Event {
	t.Helper()
	timeout := time.After(waitFor)
	for {
		select {
		case evt := <-h.client.Events:
			if evt.Type == typ {
				return evt
			}
		case <-timeout:
			t.Fatalf("no %s event within %v", typ, waitFor)
		}
	}
}

// slash sends a slash command and returns what the client received.
func (h *harness) slash(t *testing.T, text string) (string, slack.SlashCommand, socketmode.Event) {
	t.Helper()
	id, err := h.srv.SlashCommand(slack.SlashCommand{Text: text, UserID: "U1", ChannelID: "C1"})
	if err != nil {
		t.Fatalf("SlashCommand: %v", err)
	}
	evt := h.next(t, socketmode.EventTypeSlashCommand)
	cmd, ok := evt.Data.(slack.SlashCommand)
	if !ok {
		t.Fatalf("slash command event data is %T", evt.Data)
	}
	return id, cmd, evt
}

func TestSlashCommandAndAck(t *testing.T) {
	h := start(t)
	id, cmd, evt := h.slash(t, "launch web --region nyc3")

	if evt.Request == nil || evt.Request.EnvelopeID != id {
		t.Fatalf("envelope id = %+v; want %s", evt.Request, id)
	}
	if !evt.Request.AcceptsResponsePayload {
		t.Error("accepts_response_payload = false; want true")
	}
	want := slack.SlashCommand{Command: "/do", Text: "launch web --region nyc3", UserID: "U1", UserName: "ana", ChannelID: "C1", TeamID: TeamID}
	if cmd.Command != want.Command || cmd.Text != want.Text || cmd.UserID != want.UserID ||
		cmd.UserName != want.UserName || cmd.ChannelID != want.ChannelID || cmd.TeamID != want.TeamID {
		t.Errorf("slash command = %+v; want %+v", cmd, want)
	}
	if !strings.HasPrefix(cmd.ResponseURL, strings.TrimSuffix(h.srv.APIURL(), "api/")) || cmd.TriggerID == "" {
		t.Errorf("response_url = %q, trigger_id = %q; want a URL on the server and an id", cmd.ResponseURL, cmd.TriggerID)
	}

	if err := h.client.Ack(*evt.Request, map[string]any{"text": "on it"}); err != nil {
		t.Fatal(err)
	}
	ack, err := h.srv.WaitAck(h.ctx(t), id)
	if err != nil {
		t.Fatal(err)
	}
	if ack.EnvelopeID != id || ack.SentAt.IsZero() || ack.AckedAt.Before(ack.SentAt) {
		t.Errorf("ack = %+v; want envelope %s acked after it was sent", ack, id)
	}
	if !strings.Contains(string(ack.Payload), "on it") {
		t.Errorf("ack payload = %s; want the response text", ack.Payload)
	}
	if got := len(h.srv.Acks()); got != 1 {
		t.Errorf("len(Acks()) = %d; want 1", got)
	}

	// Two slash commands get distinct envelope ids and response URLs.
	id2, cmd2, _ := h.slash(t, "status")
	if id2 == id || cmd2.ResponseURL == cmd.ResponseURL {
		t.Errorf("second envelope reused id %s or response_url %s", id2, cmd2.ResponseURL)
	}
}

// buttonBlocks is a message with an Approve button.
func buttonBlocks() slack.MsgOption {
	return slack.MsgOptionBlocks(
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "deploy web?", false, false), nil, nil),
		slack.NewActionBlock("approval",
			slack.NewButtonBlockElement("approve", "op-42", slack.NewTextBlockObject(slack.PlainTextType, "Approve", false, false)),
		),
	)
}

func TestClickButton(t *testing.T) {
	h := start(t)
	_, ts, err := h.api.PostMessage("C1", slack.MsgOptionText("deploy web?", false), buttonBlocks())
	if err != nil {
		t.Fatal(err)
	}

	id, err := h.srv.ClickButton("U1", "C1", ts, "approve", "")
	if err != nil {
		t.Fatal(err)
	}
	evt := h.next(t, socketmode.EventTypeInteractive)
	cb, ok := evt.Data.(slack.InteractionCallback)
	if !ok {
		t.Fatalf("interactive event data is %T", evt.Data)
	}
	if evt.Request.EnvelopeID != id || cb.Type != slack.InteractionTypeBlockActions {
		t.Errorf("envelope %s type %q; want %s block_actions", evt.Request.EnvelopeID, cb.Type, id)
	}
	if len(cb.ActionCallback.BlockActions) != 1 {
		t.Fatalf("block actions = %+v; want one", cb.ActionCallback)
	}
	a := cb.ActionCallback.BlockActions[0]
	if a.ActionID != "approve" || a.Value != "op-42" || a.BlockID != "approval" || a.Text.Text != "Approve" {
		t.Errorf("action = %+v; want approve/op-42 in block approval, from the message's blocks", a)
	}
	if cb.User.ID != "U1" || cb.User.Name != "ana" || cb.Channel.ID != "C1" ||
		cb.Container.MessageTs != ts || cb.Message.Timestamp != ts || cb.Message.Text != "deploy web?" {
		t.Errorf("callback user %+v channel %q container %+v message ts %q; want U1/ana in C1 on %s",
			cb.User, cb.Channel.ID, cb.Container, cb.Message.Timestamp, ts)
	}
	if err := h.client.Ack(*evt.Request); err != nil {
		t.Fatal(err)
	}
	if _, err := h.srv.WaitAck(h.ctx(t), id); err != nil {
		t.Fatal(err)
	}

	// The click's response_url replaces the clicked message.
	_, _, err = h.api.PostMessage("", slack.MsgOptionReplaceOriginal(cb.ResponseURL), slack.MsgOptionText("approved by ana", false))
	if err != nil {
		t.Fatalf("post to response_url: %v", err)
	}
	if got := h.srv.Latest("C1", ts); got.Text != "approved by ana" || got.Blocks != nil {
		t.Errorf("Latest after replace_original = %q %s; want the new text and no blocks", got.Text, got.Blocks)
	}

	// delete_original deletes it; it can no longer be updated.
	_, _, err = h.api.PostMessage("", slack.MsgOptionDeleteOriginal(cb.ResponseURL))
	if err != nil {
		t.Fatalf("delete_original: %v", err)
	}
	if got := h.srv.Latest("C1", ts); !got.DeleteOriginal || got.Text != "" {
		t.Errorf("Latest after delete_original = %+v; want deleted", got)
	}
	if _, _, _, err := h.api.UpdateMessage("C1", ts, slack.MsgOptionText("x", false)); err == nil || err.Error() != "message_not_found" {
		t.Errorf("update of deleted message: err = %v; want message_not_found", err)
	}
}

func TestClickEphemeralHasNoMessage(t *testing.T) {
	h := start(t)
	ts, err := h.api.PostEphemeral("C1", "U1", slack.MsgOptionText("only you", false), buttonBlocks())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.srv.ClickButton("U1", "C1", ts, "approve", "v"); err != nil {
		t.Fatal(err)
	}
	cb := h.next(t, socketmode.EventTypeInteractive).Data.(slack.InteractionCallback)
	if !cb.Container.IsEphemeral || cb.Message.Timestamp != "" || cb.Container.MessageTs != ts {
		t.Errorf("container %+v, message ts %q; want ephemeral container and no message", cb.Container, cb.Message.Timestamp)
	}
	if got := cb.ActionCallback.BlockActions[0].Value; got != "v" {
		t.Errorf("value = %q; want v", got)
	}
}

func TestInteraction(t *testing.T) {
	h := start(t)
	cb := slack.InteractionCallback{
		Type:      slack.InteractionTypeBlockActions,
		User:      slack.User{ID: "U1", Name: "ana"},
		Channel:   slack.Channel{GroupConversation: slack.GroupConversation{Conversation: slack.Conversation{ID: "C1"}}},
		Container: slack.Container{Type: "message", MessageTs: "1.2", ChannelID: "C1"},
		ActionCallback: slack.ActionCallbacks{BlockActions: []*slack.BlockAction{
			{ActionID: "deny", BlockID: "b", Value: "op-7", Type: "button"},
		}},
	}
	id, err := h.srv.Interaction(cb)
	if err != nil {
		t.Fatal(err)
	}
	evt := h.next(t, socketmode.EventTypeInteractive)
	got := evt.Data.(slack.InteractionCallback)
	if evt.Request.EnvelopeID != id || got.ActionCallback.BlockActions[0].Value != "op-7" || got.ResponseURL == "" {
		t.Errorf("interaction = %+v; want envelope %s with value op-7 and a response_url", got, id)
	}
}

func TestDisconnectReconnects(t *testing.T) {
	h := start(t)
	if err := h.srv.Disconnect("refresh_requested"); err != nil {
		t.Fatal(err)
	}
	if err := h.srv.WaitConnected(h.ctx(t)); err != nil {
		t.Fatal(err)
	}
	if got := h.srv.Connections(); got != 2 {
		t.Errorf("Connections() = %d; want 2", got)
	}
	_, cmd, _ := h.slash(t, "after refresh")
	if cmd.Text != "after refresh" {
		t.Errorf("text = %q after reconnect", cmd.Text)
	}
}

func TestDropConnectionReconnects(t *testing.T) {
	h := start(t)
	began := time.Now()
	h.srv.DropConnection()
	if err := h.srv.WaitConnected(h.ctx(t)); err != nil {
		t.Fatal(err)
	}
	// slack-go sees the closed TCP connection as a read error and
	// reconnects at once; only a silent (half-open) connection waits for
	// its 30s ping dead-man timer.
	t.Logf("reconnected %v after the drop", time.Since(began))
	if got := h.srv.Connections(); got != 2 {
		t.Errorf("Connections() = %d; want 2", got)
	}
	_, cmd, _ := h.slash(t, "after drop")
	if cmd.Text != "after drop" {
		t.Errorf("text = %q after reconnect", cmd.Text)
	}
}

// TestPings checks both sides of slack-go's ping dead-man timer: pings keep
// a quiet connection alive, and a connection without pings is abandoned.
// Time passing is the thing under test, so this test sleeps.
func TestPings(t *testing.T) {
	t.Parallel() // it sleeps
	t.Run("kept alive", func(t *testing.T) {
		h := startWith(t, Options{PingInterval: 50 * time.Millisecond}, socketmode.OptionPingInterval(time.Second))
		time.Sleep(2500 * time.Millisecond) // two dead-man checks
		if got := h.srv.Connections(); got != 1 {
			t.Errorf("Connections() = %d after 2.5s of pings; want 1", got)
		}
	})
	t.Run("silent connection dropped", func(t *testing.T) {
		h := startWith(t, Options{PingInterval: time.Hour}, socketmode.OptionPingInterval(200*time.Millisecond))
		began := time.Now()
		err := h.srv.wait(h.ctx(t), func() bool { return h.srv.sock.connections >= 2 && h.srv.sock.live.newest() != nil })
		if err != nil {
			t.Fatalf("no reconnect after pings stopped: %v", err)
		}
		t.Logf("client gave up on a silent connection after %v", time.Since(began))
	})
}

func TestBadFrameKeepsConnection(t *testing.T) {
	h := start(t)
	if err := h.srv.SendRaw(map[string]any{"type": "no_such_type"}); err != nil {
		t.Fatal(err)
	}
	h.next(t, socketmode.EventTypeErrorBadMessage)
	_, cmd, _ := h.slash(t, "still here")
	if cmd.Text != "still here" || h.srv.Connections() != 1 {
		t.Errorf("after a bad frame: text %q, %d connections; want the same connection", cmd.Text, h.srv.Connections())
	}
}

func TestChatMethods(t *testing.T) {
	h := start(t)
	api := h.api

	ch, ts, err := api.PostMessage("C1", slack.MsgOptionText("deploying", false), buttonBlocks())
	if err != nil || ch != "C1" || ts == "" {
		t.Fatalf("PostMessage = %q, %q, %v", ch, ts, err)
	}
	_, ts2, err := api.PostMessage("C1", slack.MsgOptionText("second", false))
	if err != nil || ts2 <= ts {
		t.Fatalf("second PostMessage ts = %q, %v; want > %q", ts2, err, ts)
	}

	for _, text := range []string{"step 1", "step 2"} {
		if _, _, err := api.PostMessage("C1", slack.MsgOptionText(text, false), slack.MsgOptionTS(ts)); err != nil {
			t.Fatal(err)
		}
	}
	thread := h.srv.Thread("C1", ts)
	if len(thread) != 2 || thread[0].Text != "step 1" || thread[1].Text != "step 2" {
		t.Errorf("Thread = %+v; want step 1, step 2", thread)
	}

	_, uts, text, err := api.UpdateMessage("C1", ts, slack.MsgOptionText("deployed", false))
	if err != nil || uts != ts || text != "deployed" {
		t.Fatalf("UpdateMessage = %q, %q, %v", uts, text, err)
	}
	latest := h.srv.Latest("C1", ts)
	if latest.Text != "deployed" || latest.Method != "chat.update" || latest.Blocks == nil {
		t.Errorf("Latest = %+v; want updated text with the posted blocks kept", latest)
	}
	if _, _, _, err := api.UpdateMessage("C1", "999.000001", slack.MsgOptionText("x", false)); err == nil || err.Error() != "message_not_found" {
		t.Errorf("update unknown ts: err = %v; want message_not_found", err)
	}

	ets, err := api.PostEphemeral("C1", "U1", slack.MsgOptionText("only you", false))
	if err != nil || ets == "" {
		t.Fatalf("PostEphemeral = %q, %v", ets, err)
	}

	if _, _, err := api.DeleteMessage("C1", ts2); err != nil {
		t.Fatal(err)
	}
	if got := h.srv.Latest("C1", ts2); got.Method != "chat.delete" {
		t.Errorf("Latest after delete = %+v; want chat.delete", got)
	}

	var methods []string
	for _, m := range h.srv.Messages() {
		methods = append(methods, m.Method)
	}
	want := "chat.postMessage chat.postMessage chat.postMessage chat.postMessage chat.update chat.postEphemeral chat.delete"
	if got := strings.Join(methods, " "); got != want {
		t.Errorf("Messages methods = %s; want %s", got, want)
	}
	msgs := h.srv.Messages()
	if !json.Valid(msgs[0].Blocks) || msgs[5].User != "U1" {
		t.Errorf("post blocks %s, ephemeral user %q; want JSON blocks and U1", msgs[0].Blocks, msgs[5].User)
	}

	// slack-go sends chat.* tokens in the form, not a header.
	if got := h.srv.Calls()[1].Form.Get("token"); got != botToken {
		t.Errorf("chat.postMessage token field = %q; want the bot token", got)
	}

	got, err := h.srv.WaitMessage(h.ctx(t), func(m Message) bool { return m.Text == "step 2" })
	if err != nil || got.ThreadTS != ts {
		t.Errorf("WaitMessage = %+v, %v; want the step 2 reply", got, err)
	}
}

func TestWaitMessageFuture(t *testing.T) {
	h := start(t)
	go func() { _, _, _ = h.api.PostMessage("C9", slack.MsgOptionText("later", false)) }()
	m, err := h.srv.WaitMessage(h.ctx(t), func(m Message) bool { return m.Channel == "C9" })
	if err != nil || m.Text != "later" {
		t.Fatalf("WaitMessage = %+v, %v", m, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := h.srv.WaitMessage(ctx, func(Message) bool { return false }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitMessage with no match: err = %v; want deadline exceeded", err)
	}
}

func TestSlashResponseURL(t *testing.T) {
	h := start(t)
	_, cmd, _ := h.slash(t, "help")
	_, _, err := h.api.PostMessage("", slack.MsgOptionResponseURL(cmd.ResponseURL, slack.ResponseTypeEphemeral), slack.MsgOptionText("usage: ...", false))
	if err != nil {
		t.Fatal(err)
	}
	m, err := h.srv.WaitMessage(h.ctx(t), func(m Message) bool { return m.Method == "response_url" })
	if err != nil {
		t.Fatal(err)
	}
	if m.ResponseURL != cmd.ResponseURL || m.ResponseType != "ephemeral" || m.Text != "usage: ..." || m.Channel != "C1" {
		t.Errorf("response_url message = %+v", m)
	}
	for range responseURLUses - 1 {
		if _, _, err := h.api.PostMessage("", slack.MsgOptionResponseURL(cmd.ResponseURL, slack.ResponseTypeInChannel), slack.MsgOptionText("again", false)); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := h.api.PostMessage("", slack.MsgOptionResponseURL(cmd.ResponseURL, slack.ResponseTypeInChannel), slack.MsgOptionText("sixth", false)); err == nil {
		t.Error("sixth use of a response_url succeeded; Slack allows five")
	}
}

func TestFailChannel(t *testing.T) {
	h := start(t)
	h.srv.FailChannel("C2", "not_in_channel")
	_, _, err := h.api.PostMessage("C2", slack.MsgOptionText("hi", false))
	if err == nil || err.Error() != "not_in_channel" {
		t.Fatalf("PostMessage to failing channel: err = %v; want not_in_channel", err)
	}
	var slackErr slack.SlackErrorResponse
	if !errors.As(err, &slackErr) {
		t.Errorf("err is %T; want slack.SlackErrorResponse", err)
	}
	if _, err := h.api.PostEphemeral("C2", "U1", slack.MsgOptionText("hi", false)); err == nil {
		t.Error("PostEphemeral to failing channel succeeded")
	}
	if len(h.srv.Messages()) != 0 {
		t.Errorf("failed posts were recorded as messages: %+v", h.srv.Messages())
	}
	h.srv.FailChannel("C2", "")
	if _, _, err := h.api.PostMessage("C2", slack.MsgOptionText("hi", false)); err != nil {
		t.Errorf("after clearing the fault: %v", err)
	}
}

func TestRateLimit(t *testing.T) {
	h := start(t)
	h.srv.RateLimit("chat.postMessage", 1, 1500*time.Millisecond)
	_, _, err := h.api.PostMessage("C1", slack.MsgOptionText("hi", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second {
		t.Fatalf("rate-limited PostMessage: err = %v; want RateLimitedError retry after 2s", err)
	}
	if _, _, err := h.api.PostMessage("C1", slack.MsgOptionText("hi", false)); err != nil {
		t.Errorf("second PostMessage: %v", err)
	}
	calls := h.srv.Calls()
	var statuses []int
	for _, c := range calls {
		if c.Method == "chat.postMessage" {
			statuses = append(statuses, c.Status)
		}
	}
	if len(statuses) != 2 || statuses[0] != http.StatusTooManyRequests || statuses[1] != http.StatusOK {
		t.Errorf("chat.postMessage statuses = %v; want [429 200]", statuses)
	}
}

func TestOtherMethods(t *testing.T) {
	h := start(t)
	ctx := h.ctx(t)

	auth, err := h.api.AuthTestContext(ctx)
	if err != nil || auth.UserID != BotUserID || auth.TeamID != TeamID {
		t.Errorf("AuthTest = %+v, %v", auth, err)
	}

	for _, tc := range []struct{ id, name string }{{"U1", "ana"}, {"UXYZ", "uxyz"}} {
		u, err := h.api.GetUserInfoContext(ctx, tc.id)
		if err != nil || u.ID != tc.id || u.Name != tc.name {
			t.Errorf("GetUserInfo(%q) = %+v, %v; want name %q", tc.id, u, err, tc.name)
		}
	}
	h.srv.SetUserInfoError("user_not_found")
	if _, err := h.api.GetUserInfoContext(ctx, "U1"); err == nil || err.Error() != "user_not_found" {
		t.Errorf("GetUserInfo with fault: err = %v; want user_not_found", err)
	}

	c, err := h.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: "C1"})
	if err != nil || c.ID != "C1" {
		t.Errorf("GetConversationInfo = %+v, %v", c, err)
	}

	f, err := h.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Filename: "log.txt", Content: "hello", FileSize: 5, Channel: "C1", ThreadTimestamp: "1.2",
	})
	if err != nil || f.ID == "" {
		t.Fatalf("UploadFile = %+v, %v", f, err)
	}
	m, err := h.srv.WaitMessage(ctx, func(m Message) bool { return m.Method == "files.completeUploadExternal" })
	if err != nil || m.Channel != "C1" || m.ThreadTS != "1.2" {
		t.Errorf("upload message = %+v, %v", m, err)
	}

	resp, err := http.PostForm(h.srv.APIURL()+"no.such.method", url.Values{"token": {botToken}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"unknown_method"`) {
		t.Errorf("unknown method answered %s", body)
	}
	if last := h.srv.Calls()[len(h.srv.Calls())-1]; last.Method != "no.such.method" || last.Error != "unknown_method" {
		t.Errorf("last call = %+v; want the unknown method recorded", last)
	}
}

func TestWrongTokens(t *testing.T) {
	srv := New(Options{BotToken: botToken, AppToken: appToken})
	defer srv.Close()

	bad := slack.New("xoxb-wrong", slack.OptionAPIURL(srv.APIURL()), slack.OptionAppLevelToken("xapp-wrong"))
	if _, _, err := bad.PostMessage("C1", slack.MsgOptionText("hi", false)); err == nil || err.Error() != "invalid_auth" {
		t.Errorf("PostMessage with wrong bot token: err = %v; want invalid_auth", err)
	}
	if _, err := bad.AuthTest(); err == nil || err.Error() != "invalid_auth" {
		t.Errorf("AuthTest with wrong bot token: err = %v; want invalid_auth", err)
	}

	// The socketmode client treats invalid_auth as fatal and returns it.
	client := socketmode.New(bad)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- client.RunContext(ctx) }()
	go func() { // drain events so the client never blocks on them
		for {
			select {
			case <-client.Events:
			case <-ctx.Done():
				return
			}
		}
	}()
	if err := <-done; err == nil || err.Error() != "invalid_auth" {
		t.Errorf("RunContext with wrong app token = %v; want invalid_auth", err)
	}
	if srv.Connections() != 0 {
		t.Errorf("Connections() = %d; want 0", srv.Connections())
	}

	// The bot token is not an app-level token.
	swapped := slack.New(botToken, slack.OptionAPIURL(srv.APIURL()), slack.OptionAppLevelToken(botToken))
	if _, _, err := swapped.StartSocketModeContext(ctx); err == nil || err.Error() != "invalid_auth" {
		t.Errorf("apps.connections.open with the bot token: err = %v; want invalid_auth", err)
	}
}

func TestSlashCommandWithoutConnection(t *testing.T) {
	t.Parallel() // it waits the full envelopeWait
	srv := New(Options{})
	defer srv.Close()
	began := time.Now()
	if _, err := srv.SlashCommand(slack.SlashCommand{Text: "x"}); err == nil {
		t.Fatal("SlashCommand with no connection succeeded")
	}
	if waited := time.Since(began); waited < envelopeWait {
		t.Errorf("SlashCommand gave up after %v; want %v", waited, envelopeWait)
	}
}

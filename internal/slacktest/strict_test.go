package slacktest

import (
	"bytes"
	"dobot/internal/testclock"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// postRaw calls a chat method with raw blocks JSON and returns Slack's
// answer.
func postRaw(t *testing.T, srv *Server, method, text, blocks string) map[string]any {
	t.Helper()
	form := url.Values{"token": {botToken}, "channel": {"C1"}, "text": {text}, "user": {"U1"}}
	if blocks != "" {
		form.Set("blocks", blocks)
	}
	resp, err := http.PostForm(srv.APIURL()+method, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestBlockAndTextLimits(t *testing.T) {
	srv := New(Options{BotToken: botToken, AppToken: appToken})
	defer srv.Close()
	long := func(n int) string { return strings.Repeat("é", n) } // characters, not bytes
	section := func(text string) string {
		return `{"type":"section","text":{"type":"mrkdwn","text":` + quote(text) + `}}`
	}
	button := func(text, actionID, value string) string {
		return `{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":` + quote(text) +
			`},"action_id":` + quote(actionID) + `,"value":` + quote(value) + `}]}`
	}
	fields := func(n, size int) string {
		var fs []string
		for range n {
			fs = append(fs, `{"type":"mrkdwn","text":`+quote(long(size))+`}`)
		}
		return `{"type":"section","fields":[` + strings.Join(fs, ",") + `]}`
	}
	many := func(n int) string {
		var bs []string
		for range n {
			bs = append(bs, section("x"))
		}
		return strings.Join(bs, ",")
	}
	tests := []struct {
		name, text, blocks string
		wantErr, wantPtr   string
	}{
		{"section text at the limit", "t", section(long(3000)), "", ""},
		{"section text over", "t", section(long(3001)), "invalid_blocks", "/blocks/0/text/text"},
		{"empty section text", "t", section(""), "invalid_blocks", "/blocks/0/text/text"},
		{"header over 150", "t", `{"type":"header","text":{"type":"plain_text","text":` + quote(long(151)) + `}}`, "invalid_blocks", "/blocks/0/text/text"},
		{"header in mrkdwn", "t", `{"type":"header","text":{"type":"mrkdwn","text":"x"}}`, "invalid_blocks", "/blocks/0/text/type"},
		{"ten fields of 2000", "t", fields(10, 2000), "", ""},
		{"eleven fields", "t", fields(11, 5), "invalid_blocks", "/blocks/0/fields"},
		{"field over 2000", "t", fields(1, 2001), "invalid_blocks", "/blocks/0/fields/0/text"},
		{"button text over 75", "t", button(long(76), "a", "v"), "invalid_blocks", "/blocks/0/elements/0/text/text"},
		{"button value over 2000", "t", button("ok", "a", long(2001)), "invalid_blocks", "/blocks/0/elements/0/value"},
		{"action_id over 255", "t", button("ok", long(256), "v"), "invalid_blocks", "/blocks/0/elements/0/action_id"},
		{"empty button text", "t", button("", "a", "v"), "invalid_blocks", "/blocks/0/elements/0/text/text"},
		{"fifty blocks", "t", "[" + many(50) + "]", "", ""},
		{"fifty-one blocks", "t", "[" + many(51) + "]", "invalid_blocks", "/blocks"},
		{"duplicate block_id", "t", `[{"type":"divider","block_id":"a"},{"type":"divider","block_id":"a"}]`, "invalid_blocks", "/blocks/1/block_id"},
		{"unknown block type", "t", `{"type":"banner"}`, "invalid_blocks", "/blocks/0/type"},
		{"text at 40000", long(40000), "", "", ""},
		{"text over 40000", long(40001), "", "msg_too_long", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocks := tt.blocks
			if blocks != "" && !strings.HasPrefix(blocks, "[") {
				blocks = "[" + blocks + "]"
			}
			for _, method := range []string{"chat.postMessage", "chat.postEphemeral"} {
				out := postRaw(t, srv, method, tt.text, blocks)
				gotErr, _ := out["error"].(string)
				if gotErr != tt.wantErr {
					t.Fatalf("%s: error = %q; want %q (%v)", method, gotErr, tt.wantErr, out["errors"])
				}
				if tt.wantPtr != "" {
					errs, _ := json.Marshal(out["errors"])
					if !strings.Contains(string(errs), "[json-pointer:"+tt.wantPtr+"]") {
						t.Errorf("%s: errors = %s; want one at %s", method, errs, tt.wantPtr)
					}
				}
			}
		})
	}

	// chat.update applies the same rules.
	posted := postRaw(t, srv, "chat.postMessage", "t", "")
	form := url.Values{"token": {botToken}, "channel": {"C1"}, "ts": {posted["ts"].(string)}, "blocks": {"[" + section(long(3001)) + "]"}}
	resp, err := http.PostForm(srv.APIURL()+"chat.update", form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"invalid_blocks"`) {
		t.Errorf("chat.update with a 3,001-character section = %s; want invalid_blocks", body)
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// fakeClock is a clock a test moves by hand.
type fakeClock = testclock.Clock

// respond posts body to a response_url and returns the status and answer.
func respond(t *testing.T, responseURL, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(responseURL, "application/json", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestResponseURLExpiresAfterThirtyMinutes(t *testing.T) {
	clock := testclock.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	h := startWith(t, Options{Now: clock.Now})
	_, cmd, _ := h.slash(t, "help")

	clock.Advance(29 * time.Minute)
	if status, answer := respond(t, cmd.ResponseURL, `{"text":"still fine"}`); status != http.StatusOK {
		t.Fatalf("response_url after 29 minutes = %d %s; want 200", status, answer)
	}
	clock.Advance(2 * time.Minute)
	if status, answer := respond(t, cmd.ResponseURL, `{"text":"too late"}`); status != http.StatusNotFound || answer != "expired_url" {
		t.Errorf("response_url after 31 minutes = %d %s; want 404 expired_url", status, answer)
	}
	if status, answer := respond(t, cmd.ResponseURL, `{"blocks":[{"type":"section","text":{"type":"mrkdwn","text":""}}]}`); status == http.StatusOK {
		t.Errorf("expired response_url with bad blocks = %d %s; want a refusal", status, answer)
	}
}

func TestResponseURLChecksBlocks(t *testing.T) {
	h := start(t)
	_, cmd, _ := h.slash(t, "help")
	blocks := `[{"type":"section","text":{"type":"mrkdwn","text":` + quote(strings.Repeat("x", 3001)) + `}}]`
	if status, answer := respond(t, cmd.ResponseURL, `{"text":"t","blocks":`+blocks+`}`); status != http.StatusBadRequest || answer != "invalid_blocks" {
		t.Errorf("response_url with a 3,001-character section = %d %s; want 400 invalid_blocks", status, answer)
	}
	// A refused post does not use up the URL.
	for i := range responseURLUses {
		if status, answer := respond(t, cmd.ResponseURL, `{"text":"ok"}`); status != http.StatusOK {
			t.Fatalf("use %d = %d %s; want 200", i+1, status, answer)
		}
	}
	if status, answer := respond(t, cmd.ResponseURL, `{"text":"sixth"}`); status != http.StatusNotFound || answer != "used_url" {
		t.Errorf("sixth use = %d %s; want 404 used_url", status, answer)
	}
}

func TestUnackedEnvelopeIsRedelivered(t *testing.T) {
	h := startWith(t, Options{AckDeadline: 200 * time.Millisecond})
	h.srv.LoseAcks(1)
	id, first, evt := h.slash(t, "launch web")
	if evt.Request.RetryAttempt != 0 || evt.Request.RetryReason != "" {
		t.Errorf("first delivery retry_attempt = %d, retry_reason = %q; want 0 and empty", evt.Request.RetryAttempt, evt.Request.RetryReason)
	}
	if err := h.client.Ack(*evt.Request); err != nil { // lost
		t.Fatal(err)
	}

	again := h.next(t, socketmode.EventTypeSlashCommand)
	cmd := again.Data.(slack.SlashCommand)
	if again.Request.RetryAttempt != 1 || again.Request.RetryReason != "timeout" {
		t.Errorf("redelivery retry_attempt = %d, retry_reason = %q; want 1 and timeout", again.Request.RetryAttempt, again.Request.RetryReason)
	}
	if cmd.TriggerID != first.TriggerID || cmd.Text != first.Text || cmd.ResponseURL != first.ResponseURL {
		t.Errorf("redelivered payload %+v differs from the first %+v", cmd, first)
	}
	if again.Request.EnvelopeID == id {
		t.Errorf("redelivery reused envelope id %s", id)
	}
	if err := h.client.Ack(*again.Request); err != nil {
		t.Fatal(err)
	}
	ack, err := h.srv.WaitAck(h.ctx(t), id)
	if err != nil {
		t.Fatal(err)
	}
	if ack.EnvelopeID != again.Request.EnvelopeID || ack.FirstEnvelopeID != id || ack.RetryAttempt != 1 {
		t.Errorf("ack = %+v; want the redelivery's, attempt 1, of %s", ack, id)
	}
}

func TestUploadWhereTheBotIsNotAMember(t *testing.T) {
	h := start(t)
	ctx := h.ctx(t)
	h.srv.LeaveChannel("C9")
	_, err := h.api.UploadFileContext(ctx, slack.UploadFileParameters{Filename: "log.txt", Content: "hello", FileSize: 5, Channel: "C9"})
	if err == nil || !strings.Contains(err.Error(), "not_in_channel") {
		t.Errorf("upload to a channel the bot left: err = %v; want not_in_channel", err)
	}
	var call Call
	for _, c := range h.srv.Calls() {
		if c.Method == "files.completeUploadExternal" {
			call = c
		}
	}
	if call.Error != "not_in_channel" {
		t.Errorf("files.completeUploadExternal answered %q; want not_in_channel", call.Error)
	}
	if _, _, err := h.api.PostMessageContext(ctx, "C9", slack.MsgOptionText("hi", false)); err == nil || err.Error() != "not_in_channel" {
		t.Errorf("post to a channel the bot left: err = %v; want not_in_channel", err)
	}
	h.srv.JoinChannel("C9")
	if _, err := h.api.UploadFileContext(ctx, slack.UploadFileParameters{Filename: "log.txt", Content: "hello", FileSize: 5, Channel: "C9"}); err != nil {
		t.Errorf("upload after joining: %v", err)
	}
}

package slacktest

import (
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// chat.getPermalink links only messages that exist, in Slack's shape, and
// conversations.open gives a user's direct-message conversation, which a
// file can be shared to.
func TestPermalinkAndDirectConversation(t *testing.T) {
	h := start(t)
	ctx := h.ctx(t)
	_, ts, err := h.api.PostMessageContext(ctx, "C1", slack.MsgOptionText("head", false))
	if err != nil {
		t.Fatal(err)
	}
	_, reply, err := h.api.PostMessageContext(ctx, "C1", slack.MsgOptionText("reply", false), slack.MsgOptionTS(ts))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		channel, ts string
		want        string // permalink, or the error
	}{
		{"C1", ts, "https://" + TeamDomain + ".slack.com/archives/C1/p" + strings.ReplaceAll(ts, ".", "")},
		{"C1", reply, "?thread_ts=" + ts + "&cid=C1"},
		{"C1", "1.000001", "message_not_found"},
		{"C2", ts, "message_not_found"},
		{"", ts, "channel_not_found"},
	}
	for _, tt := range tests {
		link, err := h.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: tt.channel, Ts: tt.ts})
		got := link
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, tt.want) {
			t.Errorf("chat.getPermalink(%q, %q) = %q; want %q", tt.channel, tt.ts, got, tt.want)
		}
	}

	im, _, _, err := h.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"U7"}})
	if err != nil || im.ID != DirectChannel("U7") {
		t.Fatalf("conversations.open(U7) = %+v, %v; want %s", im, err, DirectChannel("U7"))
	}
	if _, _, _, err := h.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{}); err == nil || err.Error() != "users_list_not_supplied" {
		t.Errorf("conversations.open() err = %v; want users_list_not_supplied", err)
	}
	if _, err := h.api.UploadFileContext(ctx, slack.UploadFileParameters{Filename: "log.txt", Content: "hello", FileSize: 5, Channel: im.ID}); err != nil {
		t.Errorf("upload to the direct conversation: %v", err)
	}
}

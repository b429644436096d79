package slackbot

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"dobot/commands"
	"dobot/internal/slacktest"
)

// oversized breaks every one of Slack's limits at once.
func oversized() commands.Message {
	fields := make([]commands.Field, 14)
	for i := range fields {
		fields[i] = commands.Field{Label: "Label", Value: strings.Repeat("é", 2500)}
	}
	fields[0] = commands.Field{} // empty label and value
	buttons := []commands.Button{
		{ActionID: "approve", Label: strings.Repeat("Approve ", 20), Value: "12", Style: "primary"},
		{ActionID: "deny", Label: "   ", Value: "12"},
		{ActionID: strings.Repeat("a", 300), Label: "Too long an id", Value: "12"},
		{ActionID: "big", Label: "Too long a value", Value: strings.Repeat("v", 2001)},
	}
	for i := range 30 {
		buttons = append(buttons, commands.Button{ActionID: "b" + string(rune('a'+i%26)) + strings.Repeat("x", i), Label: "B", Value: "v"})
	}
	return commands.Message{
		Text:    strings.Repeat("word ", 9000), // 45,000 characters
		Title:   strings.Repeat("Title ", 40),
		Fields:  fields,
		Body:    "```\n" + strings.Repeat("log line with <https://example.com|a link> &amp; more\n", 3000),
		Buttons: buttons,
		Footer:  strings.Repeat("f", 3500),
	}
}

func TestOversizedMessagesReachStrictSlack(t *testing.T) {
	srv := slacktest.New(slacktest.Options{})
	defer srv.Close()
	api := slack.New("xoxb-test-bot", slack.OptionAPIURL(srv.APIURL()))
	chat := NewChat(api, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()

	m := oversized()
	ts, err := chat.Post(ctx, "C1", m)
	if err != nil {
		t.Fatalf("Post(oversized) = %v; want Slack to accept the clipped message", err)
	}
	if _, err := chat.Reply(ctx, ts, m); err != nil {
		t.Errorf("Reply(oversized) = %v", err)
	}
	if err := chat.Update(ctx, ts, m); err != nil {
		t.Errorf("Update(oversized) = %v", err)
	}
	if err := chat.Ephemeral(ctx, "C1", "U1", m); err != nil {
		t.Errorf("Ephemeral(oversized) = %v", err)
	}
	got := srv.Latest("C1", ts.ID)
	if !strings.Contains(got.Text, "(truncated)") || !strings.Contains(string(got.Blocks), "(truncated)") {
		t.Errorf("clipped message does not say it was truncated")
	}
	if !strings.Contains(string(got.Blocks), `"approve"`) {
		t.Errorf("clipped message lost the Approve button")
	}
	if !strings.Contains(string(got.Blocks), "more not shown") || !strings.Contains(string(got.Blocks), "left out") {
		t.Errorf("clipped message does not say fields or buttons were left out")
	}
}

func TestEmptyMessageStillHasText(t *testing.T) {
	srv := slacktest.New(slacktest.Options{})
	defer srv.Close()
	api := slack.New("xoxb-test-bot", slack.OptionAPIURL(srv.APIURL()))
	chat := NewChat(api, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := chat.Post(context.Background(), "C1", commands.Message{Text: " \n", Body: "\n\n"}); err != nil {
		t.Errorf("Post(blank) = %v; want a message Slack accepts", err)
	}
}

func TestClipKeepsMarkupWhole(t *testing.T) {
	tests := []struct {
		name, in string
		n        int
		want     func(string) bool
	}{
		{"short text is unchanged", "hello", 10, func(s string) bool { return s == "hello" }},
		{"link not cut in half", strings.Repeat("a", 90) + "<https://example.com/very/long|label>", 100,
			func(s string) bool { return !strings.Contains(s, "<") && strings.HasSuffix(s, truncated) }},
		{"entity not cut in half", strings.Repeat("a", 84) + "&amp;" + strings.Repeat("b", 30), 100,
			func(s string) bool { return !strings.Contains(s, "&") }},
		{"code block closed", "```\n" + strings.Repeat("line\n", 100), 100,
			func(s string) bool { return strings.Count(s, "```") == 2 }},
	}
	for _, tt := range tests {
		got := clip(tt.in, tt.n)
		if utf8.RuneCountInString(got) > tt.n || !tt.want(got) {
			t.Errorf("%s: clip(%q, %d) = %q", tt.name, tt.in, tt.n, got)
		}
	}
}

// FuzzRenderedMessagesPassStrictSlack checks that whatever a message holds,
// what the bot sends is a message Slack accepts.
func FuzzRenderedMessagesPassStrictSlack(f *testing.F) {
	f.Add("text", "Title", "label", "value", "body", "footer", "approve", "Approve", "12", 3)
	f.Add("", " ", "", "", "\n\n", " ", "", "", "", 0)
	f.Add(strings.Repeat("é", 41000), strings.Repeat("T", 200), strings.Repeat("l", 2100), strings.Repeat("v", 2100),
		strings.Repeat("b\n", 90000), strings.Repeat("f", 4000), strings.Repeat("a", 300), strings.Repeat("B", 100), strings.Repeat("v", 2100), 40)
	f.Fuzz(func(t *testing.T, text, title, label, value, body, footer, actionID, buttonLabel, buttonValue string, n int) {
		n = min(max(n, 0), 60)
		m := commands.Message{Text: text, Title: title, Body: body, Footer: footer,
			Progress: &commands.Progress{Done: n, Total: 6}}
		for i := range n {
			m.Fields = append(m.Fields, commands.Field{Label: label, Value: value})
			m.Buttons = append(m.Buttons, commands.Button{ActionID: actionID + strings.Repeat("x", i), Label: buttonLabel, Value: buttonValue})
		}
		raw, err := json.Marshal(Blocks(m))
		if err != nil {
			t.Fatal(err)
		}
		blocks := string(raw)
		if blocks == "null" || blocks == "[]" {
			blocks = ""
		}
		if code, problems := slacktest.CheckMessage(MessageText(m), blocks); code != "" {
			t.Errorf("Slack would refuse the rendered message: %s %v", code, problems)
		}
	})
}

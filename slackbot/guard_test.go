package slackbot

import (
	"strings"
	"testing"

	"dobot/chat"
	"dobot/commands"
	"dobot/reply"
)

func TestSlackTextEscapesEverythingButTokens(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain & simple", "plain &amp; simple"},
		{"<!channel> hi", "&lt;!channel&gt; hi"},
		{"<!subteam^S1|@devs>", "&lt;!subteam^S1|@devs&gt;"},
		{"<@U123ABC> <#C42|deploys>", "&lt;@U123ABC&gt; &lt;#C42|deploys&gt;"},
		{"<https://x.example|a <!here> b>", "&lt;https://x.example|a &lt;!here&gt; b&gt;"},
		{"already &lt;!here&gt;", "already &amp;lt;!here&amp;gt;"},
		{"a < b > c", "a &lt; b &gt; c"},
	}
	for _, c := range cases {
		if got := slackText(c.in); got != c.want {
			t.Errorf("slackText(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}

func TestNeutralTokensBecomeSlackMarkup(t *testing.T) {
	in := chat.Mention("U123ABC") + " launched " + chat.Link("https://web.example", "web <b>") + " in " + chat.Channel("C42") + " " + chat.Clean("\x1e@U9\x1f <!here>")
	want := "<@U123ABC> launched <https://web.example|web &lt;b&gt;> in <#C42> @U9 &lt;!here&gt;"
	if got := slackText(in); got != want {
		t.Fatalf("slackText = %q; want %q", got, want)
	}
}

// TestUserTextCanNeverPing builds messages the way the core does, with a
// person's text, DigitalOcean's text and an app name each holding Slack's
// special mentions, and checks that only the bot's own tokens reach Slack
// as markup.
func TestUserTextCanNeverPing(t *testing.T) {
	hostile := "<!channel> <!here> <!everyone> <@U0BAD> <#C0BAD> <https://evil.example|click>"
	m := guardMessage(commands.Message{
		Text:   chat.Mention("U0REQ") + " asks to teardown " + reply.Escape("web"+hostile) + ": " + reply.Escape(hostile),
		Title:  chat.IconAsk + " Request #1: teardown " + reply.Escape(hostile),
		Fields: []commands.Field{{Label: "Reason", Value: reply.Escape(hostile)}, {Label: "DigitalOcean says", Value: reply.Escape("deploy failed: " + hostile)}},
		Body:   reply.Escape(hostile),
		Footer: "Requested by " + chat.Mention("U0REQ"),
	})
	texts := []string{m.Text, m.Title, m.Body, m.Footer}
	for _, f := range m.Fields {
		texts = append(texts, f.Label, f.Value)
	}
	for _, s := range texts {
		rest := s
		for _, own := range []string{"<@U0REQ>"} {
			rest = strings.ReplaceAll(rest, own, "")
		}
		for _, bad := range []string{"<!", "<@", "<#", "<http"} {
			if strings.Contains(rest, bad) {
				t.Errorf("rendered text %q holds %q outside the bot's own mention", s, bad)
			}
		}
	}
	if want := "<@U0REQ> asks to teardown web&lt;!channel&gt;"; !strings.Contains(m.Text, want) {
		t.Errorf("text %q does not start with %q", m.Text, want)
	}
}

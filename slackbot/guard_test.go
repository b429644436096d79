package slackbot

import (
	"testing"

	"dobot/chat"
)

func TestGuardKeepsOnlyTheBotsMarkup(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain & simple", "plain & simple"},
		{"by <@U123ABC> in <#C42|deploys>", "by <@U123ABC> in <#C42|deploys>"},
		{"<https://cloud.digitalocean.com/apps/x|Control panel>", "<https://cloud.digitalocean.com/apps/x|Control panel>"},
		{"<!channel> hi", "&lt;!channel> hi"},
		{"<!subteam^S1|@devs>", "&lt;!subteam^S1|@devs>"},
		{"<mailto:a@b.c|mail>", "&lt;mailto:a@b.c|mail>"},
		{"a < b > c", "a &lt; b > c"},
		{"<https://x.example|a <!here> b>", "&lt;https://x.example|a &lt;!here> b>"},
		{"already &lt;!here&gt;", "already &lt;!here&gt;"},
		{"<@U1\n>", "&lt;@U1\n>"},
	}
	for _, c := range cases {
		if got := guard(c.in); got != c.want {
			t.Errorf("guard(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}

func TestNeutralTokensBecomeSlackMarkup(t *testing.T) {
	in := chat.Mention("U123ABC") + " launched " + chat.Link("https://web.example", "web <b>") + " " + chat.Clean("\x1e@U9\x1f <!here>")
	want := "<@U123ABC> launched <https://web.example|web &lt;b&gt;> @U9 &lt;!here>"
	if got := slackText(in); got != want {
		t.Fatalf("slackText = %q; want %q", got, want)
	}
}

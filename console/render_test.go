package console

import (
	"strings"
	"testing"

	"dobot/chat"
	"dobot/commands"
)

func TestRenderShowsNeutralTokensAsText(t *testing.T) {
	m := commands.Message{Title: chat.IconOK + " web is live", Fields: []commands.Field{{Label: "Owner", Value: chat.Mention("U1ABC")}},
		Body: "at " + chat.Link("https://web.example", "web")}
	got := strings.Join(render(m, nil), "\n")
	for _, want := range []string{"✅ web is live", "Owner: @U1ABC", "at web (https://web.example)"} {
		if !strings.Contains(got, want) {
			t.Errorf("render = %q; want it to contain %q", got, want)
		}
	}
	if strings.ContainsAny(got, "\x1d\x1e\x1f") {
		t.Errorf("render leaked token bytes: %q", got)
	}
}

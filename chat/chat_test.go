package chat

import (
	"strings"
	"testing"
)

func TestTokensRenderPerAdapter(t *testing.T) {
	s := "Hi " + Mention("U123ABC") + ", see " + Link("https://cloud.digitalocean.com/apps/1", "the app") + " in " + Channel("C42") + "."
	if got, want := Plain(s), "Hi @U123ABC, see the app (https://cloud.digitalocean.com/apps/1) in #C42."; got != want {
		t.Fatalf("Plain = %q, want %q", got, want)
	}
	slackish := Render(s, strings.ToUpper, func(seg Segment) string {
		switch seg.Kind {
		case Person:
			return "<@" + seg.Target + ">"
		case Room:
			return "<#" + seg.Target + ">"
		case Href:
			return "<" + seg.Target + "|" + seg.Text + ">"
		}
		t.Fatalf("unexpected segment %+v", seg)
		return ""
	})
	if want := "HI <@U123ABC>, SEE <https://cloud.digitalocean.com/apps/1|the app> IN <#C42>."; slackish != want {
		t.Fatalf("Render = %q, want %q", slackish, want)
	}
}

func TestUntrustedTextCannotForgeTokens(t *testing.T) {
	forged := "\x1e@U999\x1f and \x1eLhttps://evil.example\x1dclick\x1f"
	for _, seg := range Segments(Clean(forged)) {
		if seg.Kind != Text {
			t.Fatalf("Clean left a token: %+v", seg)
		}
	}
	// Even unclean text never yields control bytes in what adapters see.
	for _, seg := range Segments("a\x1d\x1fb") {
		if strings.ContainsAny(seg.Text+seg.Target, "\x1d\x1e\x1f") {
			t.Fatalf("segment kept a token byte: %+v", seg)
		}
	}
}

func TestInvalidTargetsStayPlainText(t *testing.T) {
	cases := map[string]string{
		Mention("<!channel>"):                "<!channel>",
		Mention("u1"):                        "u1",
		Channel("general"):                   "general",
		Link("javascript:alert(1)", "x"):     "javascript:alert(1)",
		Link("https://a.example/<x>", "x"):   "https://a.example/<x>",
		Link("https://a.example/ok", ""):     "https://a.example/ok",
		Link("https://a.example/ok", "\x1e"): "https://a.example/ok",
	}
	for got, want := range cases {
		if Plain(got) != want {
			t.Errorf("Plain(%q) = %q, want %q", got, Plain(got), want)
		}
	}
}

func TestCutTokenIsDropped(t *testing.T) {
	s := "live at " + Link("https://web.example", "web")
	cut := s[:len(s)-4]
	if got := Plain(cut); got != "live at " {
		t.Fatalf("Plain(cut) = %q, want the text before the cut token", got)
	}
}

func FuzzSegmentsNeverLeakTokenBytes(f *testing.F) {
	f.Add("plain")
	f.Add(Mention("U1") + Link("https://x.example", "y"))
	f.Add("\x1e@U1")
	f.Fuzz(func(t *testing.T, s string) {
		for _, seg := range Segments(s) {
			if strings.ContainsAny(seg.Text, "\x1d\x1e\x1f") || strings.ContainsAny(seg.Target, "\x1d\x1e\x1f") {
				t.Fatalf("segment %+v of %q holds a token byte", seg, s)
			}
		}
	})
}

func TestProgressBar(t *testing.T) {
	tests := []struct {
		done, total int
		want        string
	}{
		{0, 6, "▱▱▱▱▱▱▱▱▱▱ 0/6 steps"},
		{3, 6, "▰▰▰▰▰▱▱▱▱▱ 3/6 steps"},
		{6, 6, "▰▰▰▰▰▰▰▰▰▰ 6/6 steps"},
		{9, 6, "▰▰▰▰▰▰▰▰▰▰ 6/6 steps"},
		{1, 0, ""},
	}
	for _, tt := range tests {
		if got := (Progress{Done: tt.done, Total: tt.total}).Bar(); got != tt.want {
			t.Errorf("Progress{%d, %d}.Bar() = %q; want %q", tt.done, tt.total, got, tt.want)
		}
	}
}

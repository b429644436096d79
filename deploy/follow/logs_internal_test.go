package follow

import (
	"strings"
	"testing"
	"unicode/utf8"

	"dobot/reply"
)

// When a failed step's log cannot be uploaded, its end still fits one
// message once escaped, even when every byte is one escaping lengthens or
// part of a multi-byte character.
func TestFailureLogFallbackFits(t *testing.T) {
	logs := map[string]string{
		"markup":     strings.Repeat("<>&", 3000) + "\nlast <line> & done",
		"multi-byte": strings.Repeat("ビルド失敗 <é> & ", 800) + "\nlast <line> & done",
		"one line":   strings.Repeat("€<&>", 2000) + " last <line> & done",
	}
	for name, text := range logs {
		m := failureLogFallback("web: last 60 lines of the build log", text)
		if n := reply.RenderedLen(m.Text); n > 3000 {
			t.Errorf("%s: the fallback takes %d bytes once escaped; Slack's limit is 3,000", name, n)
		}
		if !utf8.ValidString(m.Text) {
			t.Errorf("%s: the fallback cuts a character in two: %q", name, m.Text[:40])
		}
		if !strings.HasPrefix(m.Text, "*web: last 60 lines of the build log*\n```") || !strings.HasSuffix(m.Text, "last <line> & done```") {
			t.Errorf("%s: fallback = %q…%q; want the title, then the log's end in a code block", name, m.Text[:50], m.Text[len(m.Text)-40:])
		}
	}
}

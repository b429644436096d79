package reply_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"dobot/reply"
)

func TestClipTail(t *testing.T) {
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{"fits", "one\ntwo", 7, "one\ntwo"},
		{"from a line's start", "one\ntwo\nthree", 9, "three"},
		{"one long line", "abcdef", 3, "def"},
		{"never inside a character", "ééé", 3, "é"},
		{"a character at the cut", "a€€", 5, "€"},
		{"nothing", "abc", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := reply.ClipTail(tt.in, tt.n); got != tt.want {
				t.Errorf("ClipTail(%q, %d) = %q; want %q", tt.in, tt.n, got, tt.want)
			}
		})
	}
}

// TestEscapedTail holds the end of a log full of what escaping lengthens
// (&, < and >) and of multi-byte characters to the limit, once escaped,
// and never cuts a character in two.
func TestEscapedTail(t *testing.T) {
	texts := map[string]string{
		"markup":      strings.Repeat("x<y\n", 500),
		"entities":    strings.Repeat("<>&", 2000),
		"multi-byte":  strings.Repeat("日本語ログ<é>&\n", 400),
		"no newlines": strings.Repeat("€<&>", 1500),
	}
	for name, text := range texts {
		for _, n := range []int{1, 10, 100, 1000, 2800} {
			out := reply.EscapedTail(text, n)
			if reply.RenderedLen(out) > n || !strings.HasSuffix(text, out) || !utf8.ValidString(out) {
				t.Errorf("%s: EscapedTail(_, %d) = %q (%d bytes rendered, valid UTF-8 %v); want the end within %d",
					name, n, out, reply.RenderedLen(out), utf8.ValidString(out), n)
			}
			if n >= 100 && out == "" {
				t.Errorf("%s: EscapedTail(_, %d) is empty; want the end of the text", name, n)
			}
		}
	}
}

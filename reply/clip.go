package reply

import (
	"strings"
	"unicode/utf8"
)

// ClipTail keeps at most the last n bytes of s, from a line's start when
// it can, and never from inside a character.
func ClipTail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[len(s)-max(n, 0):]
	for s != "" && !utf8.RuneStart(s[0]) {
		s = s[1:]
	}
	if i := strings.IndexByte(s, '\n'); i >= 0 && i < len(s)-1 {
		s = s[i+1:]
	}
	return s
}

// RenderedLen is the most bytes s can take once an adapter has escaped it:
// Slack writes each &, < and > as an entity of up to five bytes.
func RenderedLen(s string) int {
	return len(s) + 4*(strings.Count(s, "&")+strings.Count(s, "<")+strings.Count(s, ">"))
}

// EscapedTail is the escaped end of text, at most n bytes once an adapter
// has escaped it too (RenderedLen), cut as ClipTail cuts: for the end of a
// log shown in a message that has a size limit.
func EscapedTail(text string, n int) string {
	for limit := n; limit > 0; limit -= max(limit/4, 1) {
		if out := Escape(ClipTail(text, limit)); RenderedLen(out) <= n {
			return out
		}
	}
	return ""
}

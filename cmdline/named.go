package cmdline

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"dobot/reply"
)

// NamedFor makes a user error from parsing command name the command typed,
// so that "bad app name" reads as an answer to `/do logs`, not to
// something else. Errors that already name it, and other errors, are left
// as they are.
func NamedFor(name string, err error) error {
	var ue *reply.UserError
	if name == "" || !errors.As(err, &ue) || containsWord(ue.Msg, name) {
		return err
	}
	return &reply.UserError{Msg: fmt.Sprintf("%s: %s", name, ue.Msg)}
}

// containsWord reports whether name appears in msg as a whole word (or
// words): "launch" in "launch takes…" but not in "launched".
func containsWord(msg, name string) bool {
	for i := 0; ; {
		j := strings.Index(msg[i:], name)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(name)
		before, _ := utf8.DecodeLastRuneInString(msg[:start])
		after, _ := utf8.DecodeRuneInString(msg[end:])
		if !isWordRune(before) && !isWordRune(after) {
			return true
		}
		i = start + 1
	}
}

func isWordRune(r rune) bool {
	return r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}

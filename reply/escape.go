package reply

import (
	"errors"
	"fmt"

	"dobot/chat"
)

// Escape makes text that came from a person or from DigitalOcean unable to
// forge a mention, channel or link token (see chat.Clean). The core writes
// no chat markup at all: each adapter escapes text for its own medium (the
// Slack adapter turns &, < and > into entities), so "<!channel>" typed by a
// person reaches Slack as text and can never ping.
func Escape(s string) string { return chat.Clean(s) }

// Markup is message text the bot built itself (mention and link tokens,
// code spans). Errorf inserts it as it is; every other string argument
// is escaped.
type Markup string

// escapeArgs escapes the text arguments of a user error's format.
func escapeArgs(a []any) []any {
	out := make([]any, len(a))
	for i, v := range a {
		switch v := v.(type) {
		case Markup:
			out[i] = string(v)
		case string:
			out[i] = Escape(v)
		case error:
			var ue *UserError
			if errors.As(v, &ue) {
				out[i] = ue.Msg // already safe
			} else {
				out[i] = Escape(v.Error())
			}
		case fmt.Stringer:
			out[i] = Escape(v.String())
		default:
			out[i] = v
		}
	}
	return out
}

// Warning is an answer that says something went wrong or was refused:
// text, which must already be escaped, after the warning sign.
func Warning(text string) chat.Message { return chat.Message{Text: chat.IconWarning + " " + text} }

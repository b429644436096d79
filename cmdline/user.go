package cmdline

import (
	"strings"

	"dobot"
	"dobot/reply"
)

// ParseUser reads a user as the adapters pass one on: a mention (@U123)
// or a bare id (U123).
func ParseUser(s string) (string, error) {
	if id := strings.TrimPrefix(s, "@"); dobot.IsUserID(id) {
		return id, nil
	}
	return "", reply.Errorf("%q is not a Slack user; mention them (@name, picked from Slack's list) or give their member id, like U0123ABCD", s)
}

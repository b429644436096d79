package reply

import (
	"strings"

	"dobot"
)

// RoleText says what role a person has, for a refusal: "you have no
// role", "you are an approver".
func RoleText(r dobot.Role) string {
	if r == dobot.RoleNone {
		return "you have no role"
	}
	return "you are " + WithArticle(r.String())
}

// WithArticle puts "a" or "an" before a role name.
func WithArticle(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an " + word
	}
	return "a " + word
}

package reply

import (
	"fmt"
	"strings"

	"dobot"
	"dobot/chat"
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

// Refused explains a typed command refused for want of a role: the role it
// needs, the one the person has, and who can grant it (admins' user ids).
func Refused(cmd string, need, have dobot.Role, admins []string) string {
	who := "an admin"
	if len(admins) > 0 {
		who = "an admin (" + Mentions(admins) + ")"
	}
	return fmt.Sprintf("`%s` needs the %s role and %s. Ask %s to run `/do grant @you %s`.", cmd, need, RoleText(have), who, need)
}

// RefusedButton explains a pressed, not typed, command refused: who may
// press the button.
func RefusedButton(button string, need, have dobot.Role) string {
	return fmt.Sprintf("Only %s may use the %s button, and %s. Nothing was changed.", RolesFrom(need), button, RoleText(have))
}

// RolesFrom names every role from r up: "an approver or admin".
func RolesFrom(r dobot.Role) string {
	var names []string
	for x := max(r, dobot.RoleViewer); x <= dobot.RoleAdmin; x++ {
		names = append(names, x.String())
	}
	if len(names) == 1 {
		return WithArticle(names[0])
	}
	return WithArticle(strings.Join(names[:len(names)-1], ", ")) + " or " + names[len(names)-1]
}

// Mentions lists people as mention tokens: "@ana, @raj".
func Mentions(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = chat.Mention(id)
	}
	return strings.Join(out, ", ")
}

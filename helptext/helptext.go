// Package helptext writes /do help from a neutral description of the
// commands: the list of what a person may run, grouped by task; one
// command's page; and the answers to a mistyped command or sub-command
// ("Did you mean …?"). Package commands describes its table here, with
// the role each command needs under the current policy.
package helptext

import (
	"fmt"
	"sort"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/reply"
)

// Command is what help shows of one command or sub-command.
type Command struct {
	Name        string // "registry create" for a sub-command
	Usage       string
	Description string
	Examples    []string
	Need        dobot.Role // the role it needs under the current policy
	Approval    bool       // whether a second person must approve it
	Subcommands []Command
}

// Args is what /do help was asked: one command's page, or the list when
// Command is empty.
type Args struct{ Command string }

// Parse reads /do help's words: nothing, or a command name, which may be
// a sub-command's two words.
func Parse(words []string) (Args, error) {
	switch len(words) {
	case 0:
		return Args{}, nil
	case 1, 2:
		return Args{Command: strings.ToLower(strings.Join(words, " "))}, nil
	}
	return Args{}, reply.Errorf("help takes at most one command name, like `/do help launch`")
}

// NoSuchCommand answers help asked about a command that does not exist.
func NoSuchCommand(name string) error {
	return reply.Errorf("there is no command %q; `/do help` lists them", name)
}

// Page explains c: its usage, what it does, the role it needs, its
// examples and its sub-commands.
func Page(c Command) chat.Message {
	var sb strings.Builder
	fmt.Fprintf(&sb, "`/do %s`\n%s\n", c.Usage, c.Description)
	if c.Need > dobot.RoleNone {
		fmt.Fprintf(&sb, "Needs the %s role", c.Need)
		if c.Approval {
			sb.WriteString(" and approval by a second person")
		}
		sb.WriteString(".\n")
	}
	for _, ex := range c.Examples {
		fmt.Fprintf(&sb, "Example: `/do %s`\n", ex)
	}
	if len(c.Subcommands) > 0 {
		sb.WriteString("Sub-commands:\n")
		for _, sub := range c.Subcommands {
			fmt.Fprintf(&sb, "• `/do %s` — %s\n", sub.Usage, sub.Description)
		}
	}
	return chat.Message{Text: sb.String(), Title: "/do " + c.Name}
}

// groups sort the commands by the task they serve, in the order a person
// meets them. A command the groups do not name is listed under "More", so
// that a new command never goes missing from help.
var groups = []struct {
	title string
	names []string
}{
	{"Deploy", []string{"launch", "redeploy", "rollback", "teardown", "extend", "droplet", "registry", "sizes", "lock", "unlock", "watch"}},
	{"Operate", []string{"scale", "restart", "env", "domains"}},
	{"Observe", []string{"status", "list", "logs", "history", "ops", "help"}},
	{"Approve", []string{"approve", "deny", "cancel", "audit"}},
	{"Administer", []string{"grant", "revoke", "roles", "policy", "freeze", "unfreeze", "adopt", "forget"}},
}

// List is the commands of cmds that role may run, grouped by task, each
// once, with the sub-commands role may run named on its line. Someone with
// no role is told to ask one of admins (or "an admin") for one.
func List(cmds []Command, role dobot.Role, admins []string) chat.Message {
	var sb strings.Builder
	sb.WriteString("*Commands you can run*")
	if role != dobot.RoleNone {
		fmt.Fprintf(&sb, " (you are %s)", reply.WithArticle(role.String()))
	}
	sb.WriteString(":\n")
	listed := 0
	for _, g := range grouped(cmds) {
		var lines []string
		for _, c := range g.cmds {
			if line, ok := listLine(c, role); ok {
				lines = append(lines, line)
			}
		}
		if len(lines) == 0 {
			continue
		}
		listed += len(lines)
		fmt.Fprintf(&sb, "*%s*\n%s\n", g.title, strings.Join(lines, "\n"))
	}
	if role == dobot.RoleNone {
		who := "an admin"
		if len(admins) > 0 {
			names := make([]string, len(admins))
			for i, id := range admins {
				names[i] = chat.Mention(id)
			}
			who = strings.Join(names, ", ")
		}
		what := "these are all you can run"
		if listed == 1 {
			what = "help is all you can run"
		}
		fmt.Fprintf(&sb, "You have no role yet, so %s. Ask %s for one.\n", what, who)
	}
	sb.WriteString("`/do help COMMAND` explains one, with its sub-commands.")
	return chat.Message{Text: sb.String()}
}

type group struct {
	title string
	cmds  []Command
}

// grouped sorts cmds into the groups, in the groups' order, and the
// commands no group names into "More", by name.
func grouped(cmds []Command) []group {
	byName := map[string]Command{}
	for _, c := range cmds {
		byName[c.Name] = c
	}
	named := map[string]bool{}
	var out []group
	for _, g := range groups {
		var in []Command
		for _, name := range g.names {
			named[name] = true
			if c, ok := byName[name]; ok {
				in = append(in, c)
			}
		}
		out = append(out, group{g.title, in})
	}
	var more []Command
	for _, c := range cmds {
		if !named[c.Name] {
			more = append(more, c)
		}
	}
	sort.Slice(more, func(i, j int) bool { return more[i].Name < more[j].Name })
	return append(out, group{"More", more})
}

// listLine is c's line in the list, when role may run c or one of its
// sub-commands: its usage, what it does, the sub-commands role may run
// and an example.
func listLine(c Command, role dobot.Role) (string, bool) {
	var subs []string
	for _, sub := range c.Subcommands {
		if role >= sub.Need {
			subs = append(subs, strings.TrimPrefix(sub.Name, c.Name+" "))
		}
	}
	if role < c.Need && len(subs) == 0 {
		return "", false
	}
	line := fmt.Sprintf("• `/do %s` — %s", c.Usage, c.Description)
	if len(subs) > 0 {
		line += fmt.Sprintf(" Sub-commands: %s.", strings.Join(subs, ", "))
	}
	if len(c.Examples) > 0 {
		line += fmt.Sprintf(" e.g. `/do %s`", c.Examples[0])
	}
	return line, true
}

package commands

import (
	"context"
	"fmt"
	"strings"

	"dobot"
)

// helpGroups sort the commands by the task they serve, in the order a
// person meets them. A command the groups do not name is listed under
// "More", so that a new command never goes missing from help.
var helpGroups = []struct {
	title string
	names []string
}{
	{"Deploy", []string{"launch", "redeploy", "rollback", "teardown", "extend", "droplet", "registry", "sizes", "lock", "unlock", "watch"}},
	{"Operate", []string{"scale", "restart", "env", "domains"}},
	{"Observe", []string{"status", "list", "logs", "history", "ops", "help"}},
	{"Approve", []string{"approve", "deny", "cancel", "audit"}},
	{"Administer", []string{"grant", "revoke", "roles", "policy", "freeze", "unfreeze", "adopt", "forget"}},
}

// writeHelpGroups writes each group's commands that role may run, each
// command once, with the sub-commands it may run named on the same line,
// and returns how many commands it listed.
func (b *Bot) writeHelpGroups(ctx context.Context, sb *strings.Builder, role dobot.Role) (int, error) {
	grouped := map[string]bool{}
	type group struct {
		title string
		cmds  []*Command
	}
	var groups []group
	for _, g := range helpGroups {
		var cmds []*Command
		for _, name := range g.names {
			grouped[name] = true
			if c, ok := b.table.commands[name]; ok {
				cmds = append(cmds, c)
			}
		}
		groups = append(groups, group{g.title, cmds})
	}
	var more []*Command
	for _, c := range b.table.Sorted() {
		if !grouped[c.Name] {
			more = append(more, c)
		}
	}
	groups = append(groups, group{"More", more})
	listed := 0
	for _, g := range groups {
		var lines []string
		for _, c := range g.cmds {
			line, ok, err := b.helpLine(ctx, c, role)
			if err != nil {
				return 0, err
			}
			if ok {
				lines = append(lines, line)
			}
		}
		if len(lines) == 0 {
			continue
		}
		listed += len(lines)
		fmt.Fprintf(sb, "*%s*\n%s\n", g.title, strings.Join(lines, "\n"))
	}
	return listed, nil
}

// helpLine is c's line in the help list, when role may run c or one of
// its sub-commands: its usage, what it does, the sub-commands role may run
// and an example.
func (b *Bot) helpLine(ctx context.Context, c *Command, role dobot.Role) (string, bool, error) {
	need, _, err := b.requiredRole(ctx, c, nil, "")
	if err != nil {
		return "", false, err
	}
	var subs []string
	for _, sub := range c.Subcommands {
		subNeed, _, err := b.requiredRole(ctx, sub, nil, "")
		if err != nil {
			return "", false, err
		}
		if role >= subNeed {
			subs = append(subs, strings.TrimPrefix(sub.Name, c.Name+" "))
		}
	}
	if role < need && len(subs) == 0 {
		return "", false, nil
	}
	line := fmt.Sprintf("• `/do %s` — %s", c.Usage, c.Description)
	if len(subs) > 0 {
		line += fmt.Sprintf(" Sub-commands: %s.", strings.Join(subs, ", "))
	}
	if len(c.Examples) > 0 {
		line += fmt.Sprintf(" e.g. `/do %s`", c.Examples[0])
	}
	return line, true, nil
}

package commands

import (
	"context"
	"fmt"
	"strings"

	"dobot"
)

var helpCommand = &Command{
	Name:        "help",
	Usage:       "help [COMMAND]",
	Description: "List the commands you may run, or explain one.",
	Examples:    []string{"help", "help launch"},
	MinRole:     dobot.RoleNone,
	Parse: func(words []string, _ Config) (any, error) {
		switch len(words) {
		case 0:
			return helpArgs{}, nil
		case 1, 2:
			return helpArgs{command: strings.ToLower(strings.Join(words, " "))}, nil
		}
		return nil, userErrorf("help takes at most one command name, like `/do help launch`")
	},
	Run: runHelp,
}

type helpArgs struct{ command string }

func runHelp(ctx context.Context, b *Bot, inv *Invocation) error {
	args, err := argsOf[helpArgs](inv)
	if err != nil {
		return err
	}
	if args.command != "" {
		var cmd *Command
		for _, c := range b.table.All() {
			if c.Name == args.command {
				cmd = c
			}
		}
		if cmd == nil {
			return userErrorf("there is no command %q; `/do help` lists them", args.command)
		}
		need, approval, err := b.requiredRole(ctx, cmd, nil, "")
		if err != nil {
			return err
		}
		b.tell(ctx, inv.Req, Message{Text: commandHelp(cmd, need, approval), Title: "/do " + cmd.Name})
		return nil
	}
	var sb strings.Builder
	sb.WriteString("*Commands you can run*")
	if inv.Role != dobot.RoleNone {
		fmt.Fprintf(&sb, " (you are %s)", withArticle(inv.Role.String()))
	}
	sb.WriteString(":\n")
	listed, err := b.writeHelpGroups(ctx, &sb, inv.Role)
	if err != nil {
		return err
	}
	if inv.Role == dobot.RoleNone {
		admins, _ := b.store.UsersWithRole(ctx, dobot.RoleAdmin)
		who := "an admin"
		if len(admins) > 0 {
			who = mentions(admins)
		}
		what := "these are all you can run"
		if listed == 1 {
			what = "help is all you can run"
		}
		fmt.Fprintf(&sb, "You have no role yet, so %s. Ask %s for one.\n", what, who)
	}
	sb.WriteString("`/do help COMMAND` explains one, with its sub-commands.")
	b.tell(ctx, inv.Req, Message{Text: sb.String()})
	return nil
}

func commandHelp(cmd *Command, need dobot.Role, approval bool) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "`/do %s`\n%s\n", cmd.Usage, cmd.Description)
	if need > dobot.RoleNone {
		fmt.Fprintf(&sb, "Needs the %s role", need)
		if approval {
			sb.WriteString(" and approval by a second person")
		}
		sb.WriteString(".\n")
	}
	for _, ex := range cmd.Examples {
		fmt.Fprintf(&sb, "Example: `/do %s`\n", ex)
	}
	if len(cmd.Subcommands) > 0 {
		sb.WriteString("Sub-commands:\n")
		for _, sub := range cmd.Subcommands {
			fmt.Fprintf(&sb, "• `/do %s` — %s\n", sub.Usage, sub.Description)
		}
	}
	return sb.String()
}

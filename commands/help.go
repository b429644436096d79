package commands

import (
	"context"

	"dobot"
	"dobot/helptext"
)

var helpCommand = &Command{
	Name:        "help",
	Usage:       "help [COMMAND]",
	Description: "List the commands you may run, or explain one.",
	Examples:    []string{"help", "help launch"},
	MinRole:     dobot.RoleNone,
	Parse:       func(words []string, _ Config) (any, error) { return helptext.Parse(words) },
	Run:         runHelp,
}

func runHelp(ctx context.Context, b *Bot, inv *Invocation) error {
	args, err := argsOf[helptext.Args](inv)
	if err != nil {
		return err
	}
	if args.Command != "" {
		cmd := b.table.lookup(args.Command)
		if cmd == nil {
			return helptext.NoSuchCommand(args.Command)
		}
		page, err := b.helpOf(ctx, cmd)
		if err != nil {
			return err
		}
		b.tell(ctx, inv.Req, helptext.Page(page))
		return nil
	}
	var cmds []helptext.Command
	for _, c := range b.table.Sorted() {
		h, err := b.helpOf(ctx, c)
		if err != nil {
			return err
		}
		cmds = append(cmds, h)
	}
	var admins []string
	if inv.Role == dobot.RoleNone {
		admins, _ = b.store.UsersWithRole(ctx, dobot.RoleAdmin)
	}
	b.tell(ctx, inv.Req, helptext.List(cmds, inv.Role, admins))
	return nil
}

// helpOf is c as help shows it, with the role it and each of its
// sub-commands need under the current policy.
func (b *Bot) helpOf(ctx context.Context, c *Command) (helptext.Command, error) {
	need, approval, err := b.requiredRole(ctx, c, nil, "")
	if err != nil {
		return helptext.Command{}, err
	}
	h := helptext.Command{Name: c.Name, Usage: c.Usage, Description: c.Description, Examples: c.Examples, Need: need, Approval: approval}
	for _, sub := range c.Subcommands {
		s, err := b.helpOf(ctx, sub)
		if err != nil {
			return helptext.Command{}, err
		}
		h.Subcommands = append(h.Subcommands, s)
	}
	return h, nil
}

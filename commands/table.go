package commands

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"dobot"
	"dobot/cmdline"
	"dobot/deploy"
	"dobot/helptext"
	"dobot/launchargs"
	"dobot/reply"
	"dobot/secrets"
)

// Command is one /do subcommand, described as data so that help, the
// authorisation matrix and the parser all read the same table.
type Command struct {
	Name        string
	Usage       string
	Description string
	Examples    []string
	// Action names the policy that decides who may run the command. Read-only
	// commands have a fixed MinRole instead. A command with a Run governed by
	// an action runs it at once: its action must be Immediate.
	Action  string
	MinRole dobot.Role
	// RefusedAs, when set, is the action a refusal's audit row names
	// instead of Name: approve and deny are refused as approval.decision,
	// like the refusals of the approval state machine itself.
	RefusedAs string
	// Mutating commands get an audit row for their outcome as well as for
	// their start.
	Mutating bool
	// Parse turns the words after the command name into arguments, without
	// touching the network. It returns a *reply.UserError for bad input.
	Parse func(words []string, cfg Config) (any, error)
	// Own, when set, lets a caller below the command's role run it on
	// something of their own: a requester whose role was revoked may still
	// withdraw the request they made.
	Own func(ctx context.Context, b *Bot, userID string, args any) bool
	// RoleFor, when set, decides the role from the parsed arguments, for a
	// command that only reads with some arguments and changes with others.
	RoleFor func(args any) dobot.Role
	// Prepare, for a command that changes DigitalOcean, checks the request
	// against what the bot knows and describes the operation it would run.
	// Such a command runs through its action's executor, after an approval
	// when the policy asks for one, and has no Run.
	Prepare func(ctx context.Context, b *Bot, inv *Invocation) (*Plan, error)
	// Run does the work of any other command for an authorised caller.
	Run func(ctx context.Context, b *Bot, inv *Invocation) error
	// Subcommands, when set, are chosen by the next word ("registry
	// create"); the command itself runs when no subcommand is named.
	Subcommands []*Command
}

// readOnly reports whether c changes nothing, whatever its arguments.
func (c *Command) readOnly() bool { return !c.Mutating && c.Prepare == nil && c.RoleFor == nil }

// refusedAs is the action the audit row of a refusal of c names.
func (c *Command) refusedAs() string {
	if c.RefusedAs != "" {
		return c.RefusedAs
	}
	return c.Name
}

// lookup finds a command or subcommand by its full name.
func (t Table) lookup(name string) *Command {
	for _, c := range t.All() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Invocation is one parsed command on its way through the bot.
type Invocation struct {
	Req     Request
	Command *Command
	Args    any
	Role    dobot.Role // the caller's role at authorisation time
}

// argsOf is inv's parsed arguments as T. The table pairs each command's
// Parse with its handlers, so a mismatch is a bug in the table: it is
// reported as an internal error rather than a panic.
func argsOf[T any](inv *Invocation) (T, error) {
	args, ok := inv.Args.(T)
	if !ok {
		var want T
		return want, fmt.Errorf("command %q got arguments of type %T; want %T", inv.Command.Name, inv.Args, want)
	}
	return args, nil
}

// Table is the set of commands by name, with the actions their
// operations run and the buttons the bot's messages carry.
type Table struct {
	commands map[string]*Command
	actions  map[string]*action
	clicks   map[string]*clickRoute
}

// NewTable builds a table from the standard actions and buttons and cmds.
// See newTable.
func NewTable(cmds ...*Command) (Table, error) {
	return newTable(deploy.Actions(), append(standardClicks(), moreClicks()...), cmds...)
}

// newTable checks commands, actions and buttons together: two commands, two
// actions or two buttons with the same name, an action without its executor
// or default policy, and a command preparing an action that does not exist
// are refused, so a mistake shows at start rather than as a command that
// silently vanishes.
func newTable(actions []*action, clicks []*clickRoute, cmds ...*Command) (Table, error) {
	byName, byID, err := checkActions(actions, clicks)
	if err != nil {
		return Table{}, err
	}
	t := Table{commands: map[string]*Command{}, actions: byName, clicks: byID}
	for _, c := range cmds {
		if _, dup := t.commands[c.Name]; dup {
			return Table{}, fmt.Errorf("command %q is defined twice", c.Name)
		}
		if err := t.checkCommand(c); err != nil {
			return Table{}, err
		}
		for _, sub := range c.Subcommands {
			if !strings.HasPrefix(sub.Name, c.Name+" ") {
				return Table{}, fmt.Errorf("subcommand %q must be named %q plus a word", sub.Name, c.Name)
			}
			if err := t.checkCommand(sub); err != nil {
				return Table{}, err
			}
		}
		t.commands[c.Name] = c
	}
	for id, route := range t.clicks {
		if t.lookup(route.command) == nil {
			return Table{}, fmt.Errorf("button %q runs command %q, which does not exist", id, route.command)
		}
	}
	return t, nil
}

// checkCommand refuses a command that cannot run: one without a parser, or
// with neither or both of Run and Prepare, or whose action is unknown, or
// whose Run would skip its operation's executor and approval.
func (t Table) checkCommand(c *Command) error {
	if c.Parse == nil || (c.Run == nil) == (c.Prepare == nil) {
		return fmt.Errorf("command %q needs Parse and exactly one of Run and Prepare", c.Name)
	}
	a := t.actions[c.Action]
	switch {
	case c.Prepare != nil && (a == nil || a.Immediate):
		return fmt.Errorf("command %q prepares action %q, which has no executor", c.Name, c.Action)
	case c.Action != "" && a == nil:
		return fmt.Errorf("command %q is governed by action %q, which has no policy", c.Name, c.Action)
	case a != nil && c.Run != nil && !a.Immediate:
		return fmt.Errorf("command %q runs action %q at once; it is an operation and needs Prepare", c.Name, c.Action)
	}
	return nil
}

// All returns every command and subcommand in name order.
func (t Table) All() []*Command {
	var out []*Command
	for _, c := range t.Sorted() {
		out = append(out, c)
		out = append(out, c.Subcommands...)
	}
	return out
}

// Sorted returns the commands in name order.
func (t Table) Sorted() []*Command {
	out := make([]*Command, 0, len(t.commands))
	for _, c := range t.commands {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// commandNames are the names of cmds, for "Did you mean …?".
func commandNames(cmds []*Command) []string {
	out := make([]string, len(cmds))
	for i, c := range cmds {
		out[i] = c.Name
	}
	return out
}

// Parse splits text and parses it into an invocation of a command in t.
func (t Table) Parse(text string, cfg Config) (*Command, any, error) {
	head, block, hasBlock := secrets.CutBlock(text)
	words, err := cmdline.SplitWords(head)
	if err != nil {
		return nil, nil, err
	}
	if len(words) == 0 {
		words = []string{"help"}
	}
	name := strings.ToLower(words[0])
	cmd, ok := t.commands[name]
	if !ok {
		return nil, nil, helptext.UnknownCommand(words[0], commandNames(t.Sorted()))
	}
	words = words[1:]
	if len(words) > 0 {
		for _, sub := range cmd.Subcommands {
			if strings.EqualFold(sub.Name, name+" "+words[0]) {
				cmd, words = sub, words[1:]
				break
			}
		}
	}
	if helptext.WantsHelp(words) {
		// `/do CMD --help` goes the way of `/do help CMD`.
		help, ok := t.commands[helpCommand.Name]
		if !ok {
			return cmd, nil, reply.Errorf("there is no help for %s here", cmd.Name)
		}
		return help, helptext.Args{Command: cmd.Name}, nil
	}
	if hasBlock {
		if cmd.Name != launchCommand.Name {
			return cmd, nil, reply.Errorf("%s takes no code block; only `/do launch --spec` reads an app spec pasted after it", cmd.Name)
		}
		words = append(words, launchargs.BlockMark+block)
	}
	args, err := cmd.Parse(words, cfg)
	if err != nil {
		if len(words) > 0 {
			if serr := helptext.UnknownSubcommand(cmd.Name, commandNames(cmd.Subcommands), words[0]); serr != nil {
				return cmd, nil, serr
			}
		}
		return cmd, nil, err
	}
	return cmd, args, nil
}

// noArgs is the Parse of commands that take no words.
func noArgs(name string) func([]string, Config) (any, error) {
	return func(words []string, _ Config) (any, error) {
		if len(words) > 0 {
			return nil, reply.Errorf("%s takes no arguments; see `/do help %s`", name, name)
		}
		return nil, nil
	}
}

// namedFor makes a parse error of cmd name the command typed (see
// cmdline.NamedFor).
func namedFor(cmd *Command, err error) error {
	if cmd == nil {
		return err
	}
	return cmdline.NamedFor(cmd.Name, err)
}

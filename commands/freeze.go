package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/cmdline"
)

// Freeze limits: shorter is a typo, longer is better as a policy.
const (
	minFreeze = time.Minute
	maxFreeze = 30 * dobot.Day
)

// FreezeArgs are freeze's and unfreeze's parsed arguments.
type FreezeArgs struct {
	Glob   string // "*" when --app is not given
	For    time.Duration
	Reason string
}

func (a FreezeArgs) Target() string { return a.Glob }

var freezeCommand = &Command{
	Name:  "freeze",
	Usage: "freeze [--app GLOB] DURATION --reason TEXT",
	Description: "Stop launches, redeploys and rollbacks of every app (or those matching --app) for DURATION. " +
		"Freezing the same glob again replaces its end and reason. An admin may still run one with --break-glass REASON.",
	Examples: []string{`freeze 2h --reason "release 4.2 going out"`, `freeze --app 'prod-*' 1d --reason "incident 311"`},
	MinRole:  dobot.RoleAdmin,
	Mutating: true,
	Parse:    parseFreeze,
	Run:      runFreeze,
}

var unfreezeCommand = &Command{
	Name:        "unfreeze",
	Usage:       "unfreeze [--app GLOB]",
	Description: "End the freeze on every app (or the one on --app GLOB, as it was given to freeze).",
	Examples:    []string{"unfreeze", "unfreeze --app 'prod-*'"},
	MinRole:     dobot.RoleAdmin,
	Mutating:    true,
	Parse: func(words []string, _ Config) (any, error) {
		fs := cmdline.NewFlagSet("unfreeze")
		glob := fs.String("app", "*", "")
		pos, err := cmdline.ParseFlags(fs, words)
		if err != nil {
			return nil, err
		}
		if len(pos) > 0 {
			return nil, userErrorf("unfreeze takes only --app GLOB, like `/do unfreeze --app 'prod-*'`")
		}
		return FreezeArgs{Glob: strings.ToLower(strings.TrimSpace(*glob))}, nil
	},
	Run: runUnfreeze,
}

func parseFreeze(words []string, _ Config) (any, error) {
	fs := cmdline.NewFlagSet("freeze")
	glob := fs.String("app", "*", "")
	reason := fs.String("reason", "", "")
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return nil, err
	}
	if len(pos) != 1 {
		return nil, userErrorf("freeze takes one duration, like `/do freeze 2h --reason \"release\"` or `/do freeze --app 'prod-*' 1d --reason \"incident\"`")
	}
	d, err := dobot.ParseDuration(pos[0])
	if err != nil || d < minFreeze || d > maxFreeze {
		return nil, userErrorf("freeze takes a duration from 1m to 30d, like 45m, 2h or 1d, not %q", pos[0])
	}
	args := FreezeArgs{Glob: strings.ToLower(strings.TrimSpace(*glob)), For: d, Reason: strings.TrimSpace(*reason)}
	if args.Glob != "*" {
		if err := checkAppGlob(args.Glob); err != nil {
			return nil, err
		}
	}
	if args.Reason == "" {
		return nil, userErrorf("freeze needs --reason TEXT, which everyone refused is shown, like `/do freeze 2h --reason \"release 4.2\"`")
	}
	return args, nil
}

func runFreeze(ctx context.Context, b *Bot, inv *Invocation) error {
	args, err := argsOf[FreezeArgs](inv)
	if err != nil {
		return err
	}
	f, err := b.store.Freeze(ctx, dobot.Freeze{Glob: args.Glob, By: inv.Req.UserID, ByName: inv.Req.UserName,
		Reason: args.Reason, Until: b.now().Add(args.For)})
	if err != nil {
		return err
	}
	b.announce(ctx, inv.Req, "", Message{Text: fmt.Sprintf("%s %s froze deploys on %s until %s: %s. Launch, redeploy and rollback of %s are refused until then; `/do unfreeze%s` ends it.",
		iconFreeze, chat.Mention(f.By), freezeScope(f.Glob), f.Until.UTC().Format(timeFormat), Escape(f.Reason), freezeScope(f.Glob), globFlag(f.Glob))})
	return nil
}

func runUnfreeze(ctx context.Context, b *Bot, inv *Invocation) error {
	args, err := argsOf[FreezeArgs](inv)
	if err != nil {
		return err
	}
	f, found, err := b.store.Unfreeze(ctx, args.Glob)
	if err != nil {
		return err
	}
	if !found {
		active, err := b.store.Freezes(ctx, b.now())
		if err != nil {
			return err
		}
		if len(active) == 0 {
			return userErrorf("nothing is frozen, so there is nothing to unfreeze.")
		}
		var globs []string
		for _, a := range active {
			globs = append(globs, "`/do unfreeze"+globFlag(a.Glob)+"`")
		}
		return userErrorf("no freeze on %s is in force. The freezes in force end with %s.", freezeScope(args.Glob), Markup(strings.Join(globs, ", ")))
	}
	b.announce(ctx, inv.Req, "", Message{Text: fmt.Sprintf("%s %s ended the freeze on %s (set by %s until %s). Deploys may go ahead.",
		chat.IconOK, chat.Mention(inv.Req.UserID), freezeScope(f.Glob), chat.Mention(f.By), f.Until.UTC().Format(timeFormat))})
	return nil
}

func globFlag(glob string) string {
	if glob == "*" {
		return ""
	}
	return " --app '" + Escape(glob) + "'"
}

// announce posts m where everyone sees it: in app's route channel when it
// has one, else where the command was typed, and privately when the bot
// cannot post there.
func (b *Bot) announce(ctx context.Context, req Request, app string, m Message) {
	ch := req.ChannelID
	if app != "" {
		if r, err := b.store.Route(ctx, app); err == nil {
			ch = r.Channel
		}
	}
	if _, err := b.chat.Post(ctx, ch, m); err != nil {
		if !errors.Is(err, ErrCannotPost) {
			b.log.Warn("announce", "channel", ch, "err", err)
		}
		b.tell(ctx, req, m)
	}
}

// glassBreaker is implemented by the arguments of the actions that take
// --break-glass.
// (deploy's argument types: their GlassReason).
type glassBreaker interface{ GlassReason() string }

// breakGlassOf is the --break-glass reason in a command's arguments, or "".
func breakGlassOf(args any) string {
	if g, ok := args.(glassBreaker); ok {
		return g.GlassReason()
	}
	return ""
}

// breakGlassOfStored is the --break-glass reason in an operation's stored
// arguments, or "".
func breakGlassOfStored(raw string) string {
	var a struct{ BreakGlass string }
	if json.Unmarshal([]byte(raw), &a) != nil {
		return ""
	}
	return a.BreakGlass
}

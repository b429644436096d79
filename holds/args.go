package holds

import (
	"strings"
	"time"

	"dobot"
	"dobot/cmdline"
	"dobot/reply"
)

// Freeze limits: shorter is a typo, longer is better as a policy.
const (
	minFreeze = time.Minute
	maxFreeze = 30 * dobot.Day
)

// LockArgs are lock's and unlock's parsed arguments.
type LockArgs struct {
	Name   string
	Reason string
}

// Target is the app (or name not launched yet) locked or unlocked.
func (a LockArgs) Target() string { return a.Name }

// FreezeArgs are freeze's and unfreeze's parsed arguments.
type FreezeArgs struct {
	Glob   string // "*" when --app is not given
	For    time.Duration
	Reason string
}

// Target is the glob frozen or unfrozen.
func (a FreezeArgs) Target() string { return a.Glob }

// ParseLock reads lock's words: one app name and --reason TEXT.
func ParseLock(words []string) (LockArgs, error) {
	fs := cmdline.NewFlagSet("lock")
	reason := fs.String("reason", "", "")
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return LockArgs{}, err
	}
	if len(pos) != 1 {
		return LockArgs{}, reply.Errorf("lock takes one app name, like `/do lock web --reason \"incident 311\"`")
	}
	if err := reply.FromDomain(dobot.ValidAppName(pos[0])); err != nil {
		return LockArgs{}, err
	}
	args := LockArgs{Name: pos[0], Reason: strings.TrimSpace(*reason)}
	if args.Reason == "" {
		return LockArgs{}, reply.Errorf("lock needs --reason TEXT, which everyone it stops is shown, like `/do lock %s --reason \"incident 311\"`", args.Name)
	}
	return args, nil
}

// ParseUnlock reads unlock's words: one app name.
func ParseUnlock(words []string) (LockArgs, error) {
	if len(words) != 1 {
		return LockArgs{}, reply.Errorf("unlock takes one app name, like `/do unlock web`")
	}
	if err := reply.FromDomain(dobot.ValidAppName(words[0])); err != nil {
		return LockArgs{}, err
	}
	return LockArgs{Name: words[0]}, nil
}

// ParseFreeze reads freeze's words: one duration, --reason TEXT and an
// optional --app GLOB, lowercased. checkGlob refuses a glob that could
// never match an app name; it is the policies' rule, shared with them.
func ParseFreeze(words []string, checkGlob func(string) error) (FreezeArgs, error) {
	fs := cmdline.NewFlagSet("freeze")
	glob := fs.String("app", "*", "")
	reason := fs.String("reason", "", "")
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return FreezeArgs{}, err
	}
	if len(pos) != 1 {
		return FreezeArgs{}, reply.Errorf("freeze takes one duration, like `/do freeze 2h --reason \"release\"` or `/do freeze --app 'prod-*' 1d --reason \"incident\"`")
	}
	d, err := dobot.ParseDuration(pos[0])
	if err != nil || d < minFreeze || d > maxFreeze {
		return FreezeArgs{}, reply.Errorf("freeze takes a duration from 1m to 30d, like 45m, 2h or 1d, not %q", pos[0])
	}
	args := FreezeArgs{Glob: strings.ToLower(strings.TrimSpace(*glob)), For: d, Reason: strings.TrimSpace(*reason)}
	if args.Glob != "*" {
		if err := checkGlob(args.Glob); err != nil {
			return FreezeArgs{}, err
		}
	}
	if args.Reason == "" {
		return FreezeArgs{}, reply.Errorf("freeze needs --reason TEXT, which everyone refused is shown, like `/do freeze 2h --reason \"release 4.2\"`")
	}
	return args, nil
}

// ParseUnfreeze reads unfreeze's words: only an optional --app GLOB,
// lowercased, as it was given to freeze.
func ParseUnfreeze(words []string) (FreezeArgs, error) {
	fs := cmdline.NewFlagSet("unfreeze")
	glob := fs.String("app", "*", "")
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return FreezeArgs{}, err
	}
	if len(pos) > 0 {
		return FreezeArgs{}, reply.Errorf("unfreeze takes only --app GLOB, like `/do unfreeze --app 'prod-*'`")
	}
	return FreezeArgs{Glob: strings.ToLower(strings.TrimSpace(*glob))}, nil
}

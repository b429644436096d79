package commands

import (
	"context"
	"fmt"
	"strings"

	"dobot"
	"dobot/cmdline"
	"dobot/deploy"
	"dobot/docloud/daytwo"
	"dobot/plan"
)

// envCommand lists an app's variables (keys, scope and type, never
// values); its sub-commands set and unset one. App Platform serves SECRET
// values encrypted (EV[…]); every change sends them back unchanged, which
// App Platform reads as "keep this secret".
var envCommand = &Command{
	Name:        "env",
	Usage:       "env NAME",
	Description: "List an app's environment variables: key, where, scope and type, never values. Answered privately.",
	Examples:    []string{"env web", "env set web LOG_LEVEL=debug", "env set web API_TOKEN=… --secret", "env unset web LOG_LEVEL"},
	MinRole:     dobot.RoleViewer,
	Parse: func(words []string, _ Config) (any, error) {
		if len(words) != 1 {
			return nil, userErrorf("env takes one app name, like `/do env web`; to change a variable, `/do env set web KEY=VALUE` or `/do env unset web KEY`")
		}
		if err := ValidAppName(words[0]); err != nil {
			return nil, err
		}
		return statusArgs{name: words[0]}, nil
	},
	Run: runEnvList,
	Subcommands: []*Command{
		{
			Name:        "env set",
			Usage:       "env set NAME KEY=VALUE [--secret] [--component C] [--reason TEXT]",
			Description: "Set one variable and deploy. A key with PASSWORD, SECRET, TOKEN, KEY or CREDENTIAL in its name is SECRET even without --secret; a SECRET stays SECRET. The value is never shown or stored.",
			Examples:    []string{"env set web LOG_LEVEL=debug", "env set web STRIPE_KEY=… --component api"},
			Action:      ActionEnv,
			Parse:       parseEnvSet,
			Prepare:     planWith((*plan.Planner).EnvSet),
		},
		{
			Name:        "env unset",
			Usage:       "env unset NAME KEY [--component C] [--reason TEXT]",
			Description: "Remove one variable and deploy; every other variable, sealed secrets included, is kept as it is.",
			Examples:    []string{"env unset web LOG_LEVEL"},
			Action:      ActionEnv,
			Parse:       parseEnvUnset,
			Prepare:     planWith((*plan.Planner).EnvUnset),
		},
	},
}

func runEnvList(ctx context.Context, b *Bot, inv *Invocation) error {
	args, err := argsOf[statusArgs](inv)
	if err != nil {
		return err
	}
	managed, app, err := b.plan.AppNow(ctx, "env", args.name)
	if err != nil {
		return err
	}
	vars := daytwo.EnvList(app.Spec)
	var sb strings.Builder
	if len(vars) == 0 {
		fmt.Fprintf(&sb, "%s has no environment variables. `/do env set %s KEY=VALUE` sets one.", Escape(args.name), Escape(args.name))
	}
	for _, v := range vars {
		where := "app-wide"
		if v.Component != "" {
			where = Escape(v.Component)
		}
		scope := strings.ToLower(strings.ReplaceAll(string(v.Scope), "_", " "))
		if scope == "" {
			scope = "run and build time"
		}
		fmt.Fprintf(&sb, "• `%s` — %s, %s, %s\n", Escape(v.Key), strings.ToLower(string(v.Type)), scope, where)
	}
	b.answerPrivately(ctx, inv.Req, managed, Message{Title: "Variables of " + Escape(args.name), Text: strings.TrimSpace(sb.String()),
		Footer: "Values are never shown."})
	return nil
}

// parseEnvFlags parses the flags env set and unset share and returns the
// positional words.
func parseEnvFlags(name string, words []string, secret *bool) (pos []string, component, reason string, err error) {
	fs := cmdline.NewFlagSet(name)
	c := fs.String("component", "", "")
	r := fs.String("reason", "", "")
	if secret != nil {
		fs.BoolVar(secret, "secret", false, "")
	}
	pos, err = cmdline.ParseFlags(fs, words)
	return pos, strings.TrimSpace(*c), strings.TrimSpace(*r), err
}

func parseEnvSet(words []string, _ Config) (any, error) {
	var secret bool
	pos, component, reason, err := parseEnvFlags("env set", words, &secret)
	if err != nil {
		return nil, err
	}
	if len(pos) != 2 {
		return nil, userErrorf("env set takes an app name and one KEY=VALUE, like `/do env set web LOG_LEVEL=debug`")
	}
	if err := ValidAppName(pos[0]); err != nil {
		return nil, err
	}
	key, value, ok := strings.Cut(pos[1], "=")
	if !ok || !cmdline.EnvKeyPattern.MatchString(key) {
		return nil, userErrorf("env set needs KEY=VALUE, with a key of letters, digits and underscores not starting with a digit, like `LOG_LEVEL=debug`")
	}
	args := ChangeArgs{Name: pos[0], DayTwo: DayTwo{Component: component}, Reason: reason,
		Variables: deploy.Variables{EnvKeys: []string{key}, Env: [][2]string{{key, value}}}}
	if secret || SecretLooking(key) {
		args.SecretKeys = []string{key}
	}
	return args, nil
}

func parseEnvUnset(words []string, _ Config) (any, error) {
	pos, component, reason, err := parseEnvFlags("env unset", words, nil)
	if err != nil {
		return nil, err
	}
	if len(pos) != 2 {
		return nil, userErrorf("env unset takes an app name and one key, like `/do env unset web LOG_LEVEL`")
	}
	if err := ValidAppName(pos[0]); err != nil {
		return nil, err
	}
	if !cmdline.EnvKeyPattern.MatchString(pos[1]) {
		return nil, userErrorf("env unset takes a key of letters, digits and underscores, like `LOG_LEVEL`, not %q", pos[1])
	}
	return ChangeArgs{Name: pos[0], DayTwo: DayTwo{Component: component}, Reason: reason, Variables: deploy.Variables{EnvKeys: []string{pos[1]}}}, nil
}

package daytwocmd

import (
	"fmt"
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/cmdline"
	"dobot/deploy"
	"dobot/docloud/daytwo"
	"dobot/reply"
)

// AppArgs name the app a read-only answer (env, domains) is about.
type AppArgs struct{ Name string }

// Target is the app, for the audit row.
func (a AppArgs) Target() string { return a.Name }

// ParseEnv reads env NAME, the listing of an app's variables.
func ParseEnv(words []string) (AppArgs, error) {
	if len(words) != 1 {
		return AppArgs{}, reply.Errorf("env takes one app name, like `/do env web`; to change a variable, `/do env set web KEY=VALUE` or `/do env unset web KEY`")
	}
	if err := validName(words[0]); err != nil {
		return AppArgs{}, err
	}
	return AppArgs{Name: words[0]}, nil
}

// EnvAnswer lists the variables of app name's spec: key, type, scope and
// where, never a value.
func EnvAnswer(name string, spec *godo.AppSpec) chat.Message {
	vars := daytwo.EnvList(spec)
	var sb strings.Builder
	if len(vars) == 0 {
		fmt.Fprintf(&sb, "%s has no environment variables. `/do env set %s KEY=VALUE` sets one.", reply.Escape(name), reply.Escape(name))
	}
	for _, v := range vars {
		where := "app-wide"
		if v.Component != "" {
			where = reply.Escape(v.Component)
		}
		scope := strings.ToLower(strings.ReplaceAll(string(v.Scope), "_", " "))
		if scope == "" {
			scope = "run and build time"
		}
		fmt.Fprintf(&sb, "• `%s` — %s, %s, %s\n", reply.Escape(v.Key), strings.ToLower(string(v.Type)), scope, where)
	}
	return chat.Message{Title: "Variables of " + reply.Escape(name), Text: strings.TrimSpace(sb.String()), Footer: "Values are never shown."}
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

// ParseEnvSet reads env set NAME KEY=VALUE [--secret] [--component C]
// [--reason TEXT]. A secret-looking key is sent as SECRET even without
// --secret.
func ParseEnvSet(words []string) (deploy.ChangeArgs, error) {
	var secret bool
	pos, component, reason, err := parseEnvFlags("env set", words, &secret)
	if err != nil {
		return deploy.ChangeArgs{}, err
	}
	if len(pos) != 2 {
		return deploy.ChangeArgs{}, reply.Errorf("env set takes an app name and one KEY=VALUE, like `/do env set web LOG_LEVEL=debug`")
	}
	if err := validName(pos[0]); err != nil {
		return deploy.ChangeArgs{}, err
	}
	key, value, ok := strings.Cut(pos[1], "=")
	if !ok || !cmdline.EnvKeyPattern.MatchString(key) {
		return deploy.ChangeArgs{}, reply.Errorf("env set needs KEY=VALUE, with a key of letters, digits and underscores not starting with a digit, like `LOG_LEVEL=debug`")
	}
	args := deploy.ChangeArgs{Name: pos[0], DayTwo: deploy.DayTwo{Component: component}, Reason: reason,
		Variables: deploy.Variables{EnvKeys: []string{key}, Env: [][2]string{{key, value}}}}
	if secret || dobot.SecretLooking(key) {
		args.SecretKeys = []string{key}
	}
	return args, nil
}

// ParseEnvUnset reads env unset NAME KEY [--component C] [--reason TEXT].
func ParseEnvUnset(words []string) (deploy.ChangeArgs, error) {
	pos, component, reason, err := parseEnvFlags("env unset", words, nil)
	if err != nil {
		return deploy.ChangeArgs{}, err
	}
	if len(pos) != 2 {
		return deploy.ChangeArgs{}, reply.Errorf("env unset takes an app name and one key, like `/do env unset web LOG_LEVEL`")
	}
	if err := validName(pos[0]); err != nil {
		return deploy.ChangeArgs{}, err
	}
	if !cmdline.EnvKeyPattern.MatchString(pos[1]) {
		return deploy.ChangeArgs{}, reply.Errorf("env unset takes a key of letters, digits and underscores, like `LOG_LEVEL`, not %q", pos[1])
	}
	return deploy.ChangeArgs{Name: pos[0], DayTwo: deploy.DayTwo{Component: component}, Reason: reason, Variables: deploy.Variables{EnvKeys: []string{pos[1]}}}, nil
}

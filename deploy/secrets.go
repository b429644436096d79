package deploy

import (
	"encoding/json"
	"strings"

	"dobot"
	"dobot/docloud"
	"dobot/secrets"
)

// ScrubSecrets removes from op's stored arguments every secret value. It
// runs in the same store update that records a create or update as sent,
// and when an operation ends: nothing after the send needs the value.
func ScrubSecrets(op *dobot.Operation) {
	var raw []byte
	switch op.Action {
	case ActionLaunch:
		args, err := decodeArgs[LaunchArgs](*op)
		if err != nil || !args.scrub() {
			return
		}
		raw, err = json.Marshal(args)
		if err != nil {
			return
		}
	case ActionRedeploy, ActionRollback, ActionScale, ActionEnv, ActionDomains:
		args, err := decodeArgs[ChangeArgs](*op)
		if err != nil || !docloud.ScrubSpec(args.Spec) {
			return
		}
		raw, err = json.Marshal(args)
		if err != nil {
			return
		}
	default:
		return
	}
	op.Args = string(raw)
}

// scrub blanks the values of a's secret variables; it reports whether
// any was set.
func (a *LaunchArgs) scrub() bool {
	changed := a.From != nil && a.From.Spec != nil && docloud.ScrubSpec(a.From.Spec)
	for i, kv := range a.Env {
		if a.IsSecret(kv[0]) && kv[1] != "" {
			a.Env[i][1], changed = "", true
		}
	}
	return changed
}

// IsSecret reports whether the variable key of a launch is sent as SECRET.
func (a LaunchArgs) IsSecret(key string) bool {
	for _, k := range a.SecretKeys {
		if k == key {
			return true
		}
	}
	return dobot.SecretLooking(key)
}

// EnvKeysText lists variable keys for a card, marking secret ones:
// "MODE, DB_PASSWORD (secret)".
func EnvKeysText(keys []string, secret func(string) bool) string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k
		if secret(k) {
			out[i] += " (secret)"
		}
	}
	return strings.Join(out, ", ")
}

// sealLaunch returns args with every secret value sealed, for storing.
func sealLaunch(v *secrets.Vault, args LaunchArgs) LaunchArgs {
	env := make([][2]string, len(args.Env))
	for i, kv := range args.Env {
		env[i] = kv
		if args.IsSecret(kv[0]) && kv[1] != "" {
			env[i][1] = v.Seal(kv[1])
		}
	}
	args.Env = env
	if args.From != nil && args.From.Spec != nil {
		src := *args.From
		src.Spec = v.SealSpec(args.From.Spec)
		args.From = &src
	}
	return args
}

// openLaunch returns args with every sealed value opened, for sending.
func openLaunch(v *secrets.Vault, args LaunchArgs) (LaunchArgs, error) {
	env := make([][2]string, len(args.Env))
	for i, kv := range args.Env {
		plain, err := v.Open(kv[1])
		if err != nil {
			return args, err
		}
		env[i] = [2]string{kv[0], plain}
	}
	args.Env = env
	if args.From != nil && args.From.Spec != nil {
		spec, err := v.OpenSpec(args.From.Spec)
		if err != nil {
			return args, err
		}
		src := *args.From
		src.Spec = spec
		args.From = &src
	}
	return args, nil
}

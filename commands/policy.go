package commands

import (
	"context"
	"fmt"
	"path"

	"dobot"
)

// Mutating actions, each governed by a policy.
const (
	ActionLaunch   = "launch"
	ActionTeardown = "teardown"
)

// DefaultPolicies apply to actions that have no stored policy.
var DefaultPolicies = map[string]dobot.Policy{
	ActionLaunch:   {Action: ActionLaunch, Role: dobot.RoleDeployer},
	ActionTeardown: {Action: ActionTeardown, Role: dobot.RoleDeployer, NeedsApproval: true},
}

// policyFor returns the policy for action on app: the stored policy whose
// glob matches app with the longest (most specific) glob, else the stored
// default for the action, else the built-in default.
func (b *Bot) policyFor(ctx context.Context, action, app string) (dobot.Policy, error) {
	stored, err := b.store.Policies(ctx)
	if err != nil {
		return dobot.Policy{}, fmt.Errorf("load policies: %w", err)
	}
	best, found := DefaultPolicies[action], false
	for _, p := range stored {
		if p.Action != action {
			continue
		}
		if p.AppGlob != "" {
			if ok, _ := path.Match(p.AppGlob, app); !ok {
				continue
			}
		}
		if !found || len(p.AppGlob) > len(best.AppGlob) {
			best, found = p, true
		}
	}
	if best.Action == "" {
		return dobot.Policy{}, fmt.Errorf("no policy for action %q", action)
	}
	return best, nil
}

// requiredRole is the role cmd needs for app under the current policy, and
// whether a second person must approve.
func (b *Bot) requiredRole(ctx context.Context, cmd *Command, args any, app string) (dobot.Role, bool, error) {
	if cmd.RoleFor != nil && args != nil {
		return cmd.RoleFor(args), false, nil
	}
	if cmd.Action == "" {
		return cmd.MinRole, false, nil
	}
	p, err := b.policyFor(ctx, cmd.Action, app)
	if err != nil {
		return 0, false, err
	}
	return p.Role, p.NeedsApproval, nil
}

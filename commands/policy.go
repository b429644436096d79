package commands

import (
	"context"
	"fmt"
	"path"

	"dobot"
	"dobot/deploy"
)

// Mutating actions, each governed by a policy: package deploy's.
const (
	ActionLaunch         = deploy.ActionLaunch
	ActionTeardown       = deploy.ActionTeardown
	ActionRedeploy       = deploy.ActionRedeploy
	ActionRollback       = deploy.ActionRollback
	ActionDroplet        = deploy.ActionDroplet
	ActionRegistryCreate = deploy.ActionRegistryCreate
	ActionRegistryDelete = deploy.ActionRegistryDelete
	ActionRegistryGC     = deploy.ActionRegistryGC
)

// policyFor returns the policy for action on app: the strictest of every
// policy that applies to it, namely the action's default (stored, else built
// in) and each stored glob that matches app, so that a rule for some apps
// can add a requirement but never lift one. The highest role wins, and
// approval is needed when any of them asks for it. With app empty only the
// default applies.
func (b *Bot) policyFor(ctx context.Context, action, app string) (dobot.Policy, error) {
	stored, err := b.store.Policies(ctx)
	if err != nil {
		return dobot.Policy{}, fmt.Errorf("load policies: %w", err)
	}
	var best dobot.Policy
	a, ok := b.table.actions[action]
	if ok {
		best = a.policy
	}
	var globs []dobot.Policy
	for _, p := range stored {
		switch {
		case p.Action != action:
		case p.AppGlob == "":
			best, ok = p, true
		case app != "":
			if match, _ := path.Match(p.AppGlob, app); match {
				globs = append(globs, p)
			}
		}
	}
	if !ok {
		return dobot.Policy{}, fmt.Errorf("no policy for action %q", action)
	}
	for _, p := range globs {
		if p.Role > best.Role {
			best.Role = p.Role
		}
		best.NeedsApproval = best.NeedsApproval || p.NeedsApproval
		if p.ApprovalAboveCents > 0 && (best.ApprovalAboveCents == 0 || p.ApprovalAboveCents < best.ApprovalAboveCents) {
			best.ApprovalAboveCents = p.ApprovalAboveCents
		}
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

// costApproval is the field that explains why plan needs approval under
// its policy's cost limit, or false when its cost does not ask for it.
func (b *Bot) costApproval(ctx context.Context, p *Plan) (Field, bool, error) {
	return p.CostApproval(ctx, b.policyFor)
}

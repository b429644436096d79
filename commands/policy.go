package commands

import (
	"context"
	"fmt"

	"dobot"
	"dobot/access"
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

// policyFor returns the policy for action on app: the strictest of those
// that apply (access.Effective), from the stored policies and the action's
// built-in default.
func (b *Bot) policyFor(ctx context.Context, action, app string) (dobot.Policy, error) {
	stored, err := b.store.Policies(ctx)
	if err != nil {
		return dobot.Policy{}, fmt.Errorf("load policies: %w", err)
	}
	var builtin dobot.Policy
	a, known := b.table.actions[action]
	if known {
		builtin = a.Policy
	}
	return access.Effective(stored, builtin, known, action, app)
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

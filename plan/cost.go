package plan

import (
	"context"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
)

// Costed reports whether action's operations have a monthly price a
// policy's --approval-above can weigh: a launch creates one, a redeploy or
// a scale keeps one running.
func Costed(action string) bool {
	return action == deploy.ActionLaunch || action == deploy.ActionRedeploy || action == deploy.ActionScale
}

// CostApproval is the field that explains why p needs approval under the
// cost limit of the policy policyFor finds for its action and app, or
// false when its cost does not ask for it.
func (p *Plan) CostApproval(ctx context.Context, policyFor func(ctx context.Context, action, app string) (dobot.Policy, error)) (chat.Field, bool, error) {
	if p.MonthlyCents <= 0 || !Costed(p.Op.Action) {
		return chat.Field{}, false, nil
	}
	pol, err := policyFor(ctx, p.Op.Action, p.Op.App)
	if err != nil {
		return chat.Field{}, false, err
	}
	if pol.ApprovalAboveCents <= 0 || p.MonthlyCents <= pol.ApprovalAboveCents {
		return chat.Field{}, false, nil
	}
	return chat.Field{Label: "Needs approval because", Value: dobot.Money(p.MonthlyCents) + "/month is above the " + dobot.Money(pol.ApprovalAboveCents) + "/month limit of the " + pol.Action + " policy"}, true, nil
}

package commands

import (
	"context"
	"math"
	"strconv"
	"strings"

	"dobot/reply"
)

// maxApprovalAbove is the largest --approval-above, in USD: far above any
// one App Platform app or droplet, so a typo of extra digits is caught.
const maxApprovalAbove = 1_000_000

// parseMonthlyUSD reads --approval-above: a monthly cost in USD ("50",
// "$49.99"), in cents. 0 turns the limit off.
func parseMonthlyUSD(s string) (int64, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "$")
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > maxApprovalAbove || strings.ContainsAny(t, "eE") {
		return 0, reply.Errorf("--approval-above takes a monthly cost in US dollars, like 50 or 49.99 (0 turns it off), not %q", s)
	}
	return int64(math.Round(f * 100)), nil
}

// costedAction reports whether action's operations have a monthly price
// the policy can weigh: a launch creates one, a redeploy keeps one running.
func costedAction(action string) bool {
	return action == ActionLaunch || action == ActionRedeploy || action == ActionScale
}

// costApproval is the field that explains why a plan needs approval under
// a cost limit, or false when its cost does not ask for it.
func (b *Bot) costApproval(ctx context.Context, plan *Plan) (Field, bool, error) {
	if plan.MonthlyCents <= 0 || !costedAction(plan.Op.Action) {
		return Field{}, false, nil
	}
	p, err := b.policyFor(ctx, plan.Op.Action, plan.Op.App)
	if err != nil {
		return Field{}, false, err
	}
	if p.ApprovalAboveCents <= 0 || plan.MonthlyCents <= p.ApprovalAboveCents {
		return Field{}, false, nil
	}
	return Field{Label: "Needs approval because", Value: money(plan.MonthlyCents) + "/month is above the " + money(p.ApprovalAboveCents) + "/month limit of the " + p.Action + " policy"}, true, nil
}

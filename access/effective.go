package access

import (
	"fmt"
	"path"

	"dobot"
)

// Effective is the policy for action on app: the strictest of every policy
// that applies to it, namely the action's default (stored, else builtin
// when known) and each stored glob that matches app, so that a rule for
// some apps can add a requirement but never lift one. The highest role
// wins, approval is needed when any of them asks for it, and the lowest
// --approval-above applies. With app empty only the default applies.
func Effective(stored []dobot.Policy, builtin dobot.Policy, known bool, action, app string) (dobot.Policy, error) {
	var best dobot.Policy
	if known {
		best = builtin
	}
	var globs []dobot.Policy
	for _, p := range stored {
		switch {
		case p.Action != action:
		case p.AppGlob == "":
			best, known = p, true
		case app != "":
			if match, _ := path.Match(p.AppGlob, app); match {
				globs = append(globs, p)
			}
		}
	}
	if !known {
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

package access

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/cmdline"
	"dobot/reply"
	"dobot/secrets"
)

// Rules are what the policy command's words are checked against.
type Rules struct {
	Actions []string // the actions with a policy, sorted
	// Costed reports whether action's operations have a monthly price, which
	// --approval-above weighs.
	Costed func(action string) bool
	// Immediate reports whether action runs at once (lock, freeze), so
	// that its policy cannot ask for an approval; nil for none.
	Immediate func(action string) bool
	// Fleetwide reports whether action's policy is one rule for all its
	// uses, with no --app glob (freeze names apps by a glob of its own);
	// nil for none.
	Fleetwide func(action string) bool
}

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

// PolicyArgs are policy's parsed arguments. With neither Role nor Approval
// set, and no Remove, the command only shows.
type PolicyArgs struct {
	Action   string
	Glob     string
	Role     *dobot.Role
	Approval *bool
	// ApprovalAbove is --approval-above in USD cents; 0 turns it off.
	ApprovalAbove *int64
	Remove        bool // delete the rule for Action and Glob
}

// Target is the action whose policy the command shows or changes.
func (a PolicyArgs) Target() string { return a.Action }

// Changes reports whether the command changes a policy rather than shows.
func (a PolicyArgs) Changes() bool {
	return a.Role != nil || a.Approval != nil || a.ApprovalAbove != nil || a.Remove
}

// ParsePolicy reads policy's words: an action, optionally with --role,
// --approval, --approval-above, --app and --remove.
func ParsePolicy(words []string, rules Rules) (PolicyArgs, error) {
	fs := cmdline.NewFlagSet("policy")
	role := fs.String("role", "", "")
	approval := fs.String("approval", "", "")
	glob := fs.String("app", "", "")
	remove := fs.Bool("remove", false, "")
	above := fs.String("approval-above", "", "")
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return PolicyArgs{}, err
	}
	args := PolicyArgs{Remove: *remove}
	switch len(pos) {
	case 0:
		if *role != "" || *approval != "" || *above != "" || *glob != "" || *remove {
			return PolicyArgs{}, reply.Errorf("name the action to change, like `/do policy launch --approval yes`")
		}
		return args, nil
	case 1:
		args.Action = strings.ToLower(pos[0])
	default:
		return PolicyArgs{}, reply.Errorf("policy takes one action, like `/do policy teardown --role approver`")
	}
	if !slices.Contains(rules.Actions, args.Action) {
		return PolicyArgs{}, reply.Errorf("unknown action %q; actions with a policy are %s", args.Action, strings.Join(rules.Actions, ", "))
	}
	if *remove && (*role != "" || *approval != "" || *above != "") {
		return PolicyArgs{}, reply.Errorf("--remove deletes a rule; it does not take --role, --approval or --approval-above. Use `/do policy %s --app GLOB --remove`", args.Action)
	}
	if err := args.parseValues(rules, *above, *role, *approval); err != nil {
		return PolicyArgs{}, err
	}
	if err := args.checkScope(rules, *glob); err != nil {
		return PolicyArgs{}, err
	}
	if *glob != "" {
		if err := CheckAppGlob(*glob); err != nil {
			return PolicyArgs{}, err
		}
		args.Glob = *glob
	}
	return args, nil
}

// parseValues reads the values of --approval-above, --role and
// --approval, in that order, into a.
func (a *PolicyArgs) parseValues(rules Rules, above, role, approval string) error {
	if above != "" {
		cents, err := parseMonthlyUSD(above)
		if err != nil {
			return err
		}
		if !rules.Costed(a.Action) {
			return reply.Errorf("--approval-above needs an action with a monthly cost (launch, redeploy, scale); %s has none", a.Action)
		}
		a.ApprovalAbove = &cents
	}
	if role != "" {
		r, err := dobot.ParseRole(role)
		if err != nil {
			return reply.Errorf("--role: %v", err)
		}
		a.Role = &r
	}
	switch strings.ToLower(approval) {
	case "":
	case "yes", "true", "on":
		yes := true
		a.Approval = &yes
	case "no", "false", "off":
		no := false
		a.Approval = &no
	default:
		return reply.Errorf("--approval takes yes or no, not %q", approval)
	}
	return nil
}

// checkScope refuses what an action's policy cannot hold: an approval for
// an action that runs at once, and an app glob for a fleetwide one.
func (a PolicyArgs) checkScope(rules Rules, glob string) error {
	if a.Approval != nil && *a.Approval && rules.Immediate != nil && rules.Immediate(a.Action) {
		return reply.Errorf("%s runs at once, not as a request a second person approves, so its policy cannot ask for approval. "+
			"Change who may run it with `/do policy %s --role ROLE`. Nothing was changed.", a.Action, a.Action)
	}
	if glob != "" && rules.Fleetwide != nil && rules.Fleetwide(a.Action) {
		return reply.Errorf("%s names the apps it covers with its own --app glob, so its policy is one rule for every %s and takes no --app. "+
			"Use `/do policy %s --role ROLE`. Nothing was changed.", a.Action, a.Action, a.Action)
	}
	return nil
}

// Policy answers the policy command: it shows the policies, or changes or
// removes the rule args name.
func (a *Admin) Policy(ctx context.Context, req Request, args PolicyArgs) (chat.Message, error) {
	if !args.Changes() {
		return a.showPolicy(ctx, args.Action)
	}
	if args.Remove {
		return a.removePolicy(ctx, req, args)
	}
	return a.setPolicy(ctx, req, args)
}

// setPolicy changes the rule for args.Action and args.Glob. A new glob
// rule starts from what applies to the action today.
func (a *Admin) setPolicy(ctx context.Context, req Request, args PolicyArgs) (chat.Message, error) {
	current, err := a.d.Default(ctx, args.Action)
	if err != nil {
		return chat.Message{}, err
	}
	if p, ok, err := a.stored(ctx, args.Action, args.Glob); err != nil {
		return chat.Message{}, err
	} else if ok {
		current = p
	}
	before := current
	next := dobot.Policy{Action: args.Action, AppGlob: args.Glob, Role: current.Role, NeedsApproval: current.NeedsApproval,
		ApprovalAboveCents: current.ApprovalAboveCents, UpdatedBy: req.UserID}
	if args.ApprovalAbove != nil {
		next.ApprovalAboveCents = *args.ApprovalAbove
	}
	if args.Role != nil {
		next.Role = *args.Role
	}
	if args.Approval != nil {
		next.NeedsApproval = *args.Approval
	}
	if err := a.d.Policies.SetPolicy(ctx, next); err != nil {
		return chat.Message{}, fmt.Errorf("set policy: %w", err)
	}
	if err := a.d.Record(ctx, dobot.AuditEntry{UserID: req.UserID, UserName: req.UserName, Channel: req.Channel,
		CommandText: secrets.StoredCommand(req.Text), Action: "policy.set", Target: scopeText(next), Decision: "allowed", Outcome: "ok",
		Details: fmt.Sprintf("before: %s; after: %s", policyText(before), policyText(next))}); err != nil {
		return chat.Message{}, err
	}
	return chat.Message{Text: fmt.Sprintf(chat.IconOK+" Policy for %s is now: %s (was: %s).", scopeText(next), policyText(next), policyText(before))}, nil
}

// stored is the stored rule for action and glob (the last, should there be
// several), and whether there is one.
func (a *Admin) stored(ctx context.Context, action, glob string) (dobot.Policy, bool, error) {
	stored, err := a.d.Policies.Policies(ctx)
	if err != nil {
		return dobot.Policy{}, false, fmt.Errorf("load policies: %w", err)
	}
	var found dobot.Policy
	ok := false
	for _, p := range stored {
		if p.Action == action && p.AppGlob == glob {
			found, ok = p, true
		}
	}
	return found, ok, nil
}

// removePolicy deletes the rule for args.Action and args.Glob. Without a
// glob it deletes the stored default, so the built-in default applies again.
func (a *Admin) removePolicy(ctx context.Context, req Request, args PolicyArgs) (chat.Message, error) {
	scope := scopeText(dobot.Policy{Action: args.Action, AppGlob: args.Glob})
	before, ok, err := a.stored(ctx, args.Action, args.Glob)
	if err != nil {
		return chat.Message{}, err
	}
	if !ok {
		return chat.Message{}, reply.Errorf("There is no rule for %s, so nothing was removed. `/do policy %s` lists the rules.", scope, args.Action)
	}
	// Recorded before the change, as every change is.
	if err := a.d.Record(ctx, dobot.AuditEntry{UserID: req.UserID, UserName: req.UserName, Channel: req.Channel,
		CommandText: secrets.StoredCommand(req.Text), Action: "policy.remove", Target: scope, Decision: "allowed", Outcome: "ok",
		Details: "removed: " + policyText(before)}); err != nil {
		return chat.Message{}, err
	}
	existed, err := a.d.Policies.DeletePolicy(ctx, args.Action, args.Glob)
	if err != nil {
		return chat.Message{}, fmt.Errorf("remove policy: %w", err)
	}
	if !existed {
		return chat.Message{}, reply.Errorf("The rule for %s was removed meanwhile by someone else.", scope)
	}
	now, err := a.d.Default(ctx, args.Action)
	if err != nil {
		return chat.Message{}, err
	}
	return chat.Message{Text: fmt.Sprintf(chat.IconOK+" Removed the rule for %s (it said: %s). %s now: %s.", scope, policyText(before), args.Action, policyText(now))}, nil
}

// showPolicy lists each action's policy and its glob rules, or only
// those of the action only when it is set.
func (a *Admin) showPolicy(ctx context.Context, only string) (chat.Message, error) {
	stored, err := a.d.Policies.Policies(ctx)
	if err != nil {
		return chat.Message{}, fmt.Errorf("load policies: %w", err)
	}
	var sb strings.Builder
	sb.WriteString("*Policy*\n")
	for _, action := range a.d.Rules.Actions {
		if only != "" && action != only {
			continue
		}
		def, _ := a.d.Default(ctx, action)
		fmt.Fprintf(&sb, "• *%s*: %s\n", action, policyText(def))
		for _, p := range stored {
			if p.Action == action && p.AppGlob != "" {
				fmt.Fprintf(&sb, "    for apps matching `%s`: %s (set by %s)", p.AppGlob, policyText(p), chat.Mention(p.UpdatedBy))
				if CheckAppGlob(p.AppGlob) != nil {
					// Stored before globs were checked.
					fmt.Fprintf(&sb, " — this glob can never match an app name; `/do policy %s --app '%s' --remove` removes it", action, p.AppGlob)
				}
				sb.WriteString("\n")
			}
		}
	}
	sb.WriteString("When several rules match an app, the strictest applies: the highest role, and approval if any rule asks for it.\n")
	sb.WriteString("Deciding a request needs an approver or admin other than the requester.")
	return chat.Message{Text: sb.String()}, nil
}

func policyText(p dobot.Policy) string {
	s := "needs " + p.Role.String()
	if p.NeedsApproval {
		return s + " and approval by a second person"
	}
	if p.ApprovalAboveCents > 0 {
		return s + ", and approval by a second person when it costs more than " + money(p.ApprovalAboveCents) + "/month"
	}
	return s + ", no approval"
}

func scopeText(p dobot.Policy) string {
	if p.AppGlob == "" {
		return p.Action
	}
	return fmt.Sprintf("%s on apps matching %s", p.Action, reply.Escape(p.AppGlob))
}

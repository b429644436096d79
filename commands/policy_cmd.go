package commands

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/cmdline"
	"dobot/secrets"
)

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

func (a PolicyArgs) Target() string { return a.Action }

func (a PolicyArgs) changes() bool {
	return a.Role != nil || a.Approval != nil || a.ApprovalAbove != nil || a.Remove
}

var policyCommand = &Command{
	Name:        "policy",
	Usage:       "policy [ACTION [--role ROLE] [--approval yes|no] [--approval-above USD] [--app GLOB] [--remove]]",
	Description: "Show who may run each action and whether it needs approval; admins change it, optionally only for app names matching a glob, or remove a rule with --remove. When several rules match an app, the strictest wins.",
	Examples:    []string{"policy", "policy launch --app 'prod-*' --approval yes", "policy launch --approval-above 50", "policy teardown --role approver", "policy launch --app 'prod-*' --remove"},
	MinRole:     dobot.RoleViewer,
	RoleFor: func(args any) dobot.Role {
		if args.(PolicyArgs).changes() {
			return dobot.RoleAdmin
		}
		return dobot.RoleViewer
	},
	Parse: parsePolicy,
	Run:   runPolicy,
}

func parsePolicy(words []string, _ Config) (any, error) {
	fs := cmdline.NewFlagSet("policy")
	role := fs.String("role", "", "")
	approval := fs.String("approval", "", "")
	glob := fs.String("app", "", "")
	remove := fs.Bool("remove", false, "")
	above := fs.String("approval-above", "", "")
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return nil, err
	}
	args := PolicyArgs{Remove: *remove}
	switch len(pos) {
	case 0:
		if *role != "" || *approval != "" || *above != "" || *glob != "" || *remove {
			return nil, userErrorf("name the action to change, like `/do policy launch --approval yes`")
		}
		return args, nil
	case 1:
		args.Action = strings.ToLower(pos[0])
	default:
		return nil, userErrorf("policy takes one action, like `/do policy teardown --role approver`")
	}
	if !slices.Contains(policyActions(), args.Action) {
		return nil, userErrorf("unknown action %q; actions with a policy are %s", args.Action, strings.Join(policyActions(), ", "))
	}
	if *remove && (*role != "" || *approval != "" || *above != "") {
		return nil, userErrorf("--remove deletes a rule; it does not take --role, --approval or --approval-above. Use `/do policy %s --app GLOB --remove`", args.Action)
	}
	if *above != "" {
		cents, err := parseMonthlyUSD(*above)
		if err != nil {
			return nil, err
		}
		if !costedAction(args.Action) {
			return nil, userErrorf("--approval-above needs an action with a monthly cost (launch, redeploy, scale); %s has none", args.Action)
		}
		args.ApprovalAbove = &cents
	}
	if *role != "" {
		r, err := dobot.ParseRole(*role)
		if err != nil {
			return nil, userErrorf("--role: %v", err)
		}
		args.Role = &r
	}
	switch strings.ToLower(*approval) {
	case "":
	case "yes", "true", "on":
		yes := true
		args.Approval = &yes
	case "no", "false", "off":
		no := false
		args.Approval = &no
	default:
		return nil, userErrorf("--approval takes yes or no, not %q", *approval)
	}
	if *glob != "" {
		if err := checkAppGlob(*glob); err != nil {
			return nil, err
		}
		args.Glob = *glob
	}
	return args, nil
}

// checkAppGlob accepts a glob only if it could match some app name: app
// names are lowercase, so a rule for "Prod-*" would never apply and would
// give a false sense of protection.
func checkAppGlob(glob string) error {
	if len(glob) > 64 {
		return userErrorf("--app glob is %d characters long; keep it to 64", len(glob))
	}
	if strings.ToLower(glob) != glob {
		return userErrorf("--app %q has capital letters, and app names are lowercase, so it could never match; use %q", glob, strings.ToLower(glob))
	}
	for _, r := range glob {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '*' || r == '?') {
			return userErrorf("--app %q contains %q; a glob holds lowercase letters, digits, dashes and the wildcards * (any run) and ? (one character), like prod-*", glob, string(r))
		}
	}
	if _, ok := appNameMatching(glob); !ok {
		return userErrorf("--app %q can never match an app name (2 to 32 lowercase letters, digits and dashes, starting with a letter and not ending with a dash)", glob)
	}
	return nil
}

// appNameMatching returns an app name that glob, which holds only
// [a-z0-9-*?], matches, and false when there is none. It walks the glob and
// the name's rule together: a name is a letter, then letters, digits and
// dashes, ending in a letter or digit, 2 to 32 long.
func appNameMatching(glob string) (string, bool) {
	const maxLen = 32
	type state struct {
		i, n     int  // position in glob, characters produced
		lastDash bool // the last character produced was a dash
	}
	failed := map[state]bool{}
	var from func(s state) (string, bool)
	from = func(s state) (string, bool) {
		if failed[s] {
			return "", false
		}
		if s.i == len(glob) {
			if s.n >= 2 && !s.lastDash {
				return "", true
			}
			failed[s] = true
			return "", false
		}
		// next produces c (a letter, a digit or a dash) at position s.n and
		// goes on from glob position i.
		next := func(c byte, i int) (string, bool) {
			if s.n == maxLen || (s.n == 0 && (c < 'a' || c > 'z')) {
				return "", false
			}
			rest, ok := from(state{i: i, n: s.n + 1, lastDash: c == '-'})
			return string(c) + rest, ok
		}
		var tries []func() (string, bool)
		switch c := glob[s.i]; c {
		case '*':
			tries = append(tries, func() (string, bool) { return from(state{i: s.i + 1, n: s.n, lastDash: s.lastDash}) })
			for _, c := range []byte{'a', '0', '-'} {
				tries = append(tries, func() (string, bool) { return next(c, s.i) })
			}
		case '?':
			for _, c := range []byte{'a', '0', '-'} {
				tries = append(tries, func() (string, bool) { return next(c, s.i+1) })
			}
		default:
			tries = append(tries, func() (string, bool) { return next(c, s.i+1) })
		}
		for _, try := range tries {
			if name, ok := try(); ok {
				return name, true
			}
		}
		failed[s] = true
		return "", false
	}
	return from(state{})
}

func policyActions() []string {
	var out []string
	for _, a := range standardActions() {
		if !a.internal {
			out = append(out, a.name)
		}
	}
	sort.Strings(out)
	return out
}

func runPolicy(ctx context.Context, b *Bot, inv *Invocation) error {
	args, err := argsOf[PolicyArgs](inv)
	if err != nil {
		return err
	}
	if !args.changes() {
		return b.showPolicy(ctx, inv.Req, args.Action)
	}
	if args.Remove {
		return b.removePolicy(ctx, inv, args)
	}
	// A new glob policy starts from what applies to the action today.
	current, err := b.policyFor(ctx, args.Action, "")
	if err != nil {
		return err
	}
	stored, err := b.store.Policies(ctx)
	if err != nil {
		return fmt.Errorf("load policies: %w", err)
	}
	for _, p := range stored {
		if p.Action == args.Action && p.AppGlob == args.Glob {
			current = p
		}
	}
	before := current
	next := dobot.Policy{Action: args.Action, AppGlob: args.Glob, Role: current.Role, NeedsApproval: current.NeedsApproval,
		ApprovalAboveCents: current.ApprovalAboveCents, UpdatedBy: inv.Req.UserID}
	if args.ApprovalAbove != nil {
		next.ApprovalAboveCents = *args.ApprovalAbove
	}
	if args.Role != nil {
		next.Role = *args.Role
	}
	if args.Approval != nil {
		next.NeedsApproval = *args.Approval
	}
	if err := b.store.SetPolicy(ctx, next); err != nil {
		return fmt.Errorf("set policy: %w", err)
	}
	if err := b.record(ctx, dobot.AuditEntry{UserID: inv.Req.UserID, UserName: inv.Req.UserName, Channel: inv.Req.ChannelID,
		CommandText: secrets.StoredCommand(inv.Req.Text), Action: "policy.set", Target: scopeText(next), Decision: "allowed", Outcome: "ok",
		Details: fmt.Sprintf("before: %s; after: %s", policyText(before), policyText(next))}); err != nil {
		return err
	}
	b.tell(ctx, inv.Req, infoMessage(fmt.Sprintf(chat.IconOK+" Policy for %s is now: %s (was: %s).", scopeText(next), policyText(next), policyText(before))))
	return nil
}

// removePolicy deletes the rule for args.Action and args.Glob. Without a
// glob it deletes the stored default, so the built-in default applies again.
func (b *Bot) removePolicy(ctx context.Context, inv *Invocation, args PolicyArgs) error {
	scope := scopeText(dobot.Policy{Action: args.Action, AppGlob: args.Glob})
	var before *dobot.Policy
	stored, err := b.store.Policies(ctx)
	if err != nil {
		return fmt.Errorf("load policies: %w", err)
	}
	for _, p := range stored {
		if p.Action == args.Action && p.AppGlob == args.Glob {
			before = &p
		}
	}
	if before == nil {
		return userErrorf("There is no rule for %s, so nothing was removed. `/do policy %s` lists the rules.", scope, args.Action)
	}
	// Recorded before the change, as every change is.
	if err := b.record(ctx, dobot.AuditEntry{UserID: inv.Req.UserID, UserName: inv.Req.UserName, Channel: inv.Req.ChannelID,
		CommandText: "/do " + inv.Req.Text, Action: "policy.remove", Target: scope, Decision: "allowed", Outcome: "ok",
		Details: "removed: " + policyText(*before)}); err != nil {
		return err
	}
	existed, err := b.store.DeletePolicy(ctx, args.Action, args.Glob)
	if err != nil {
		return fmt.Errorf("remove policy: %w", err)
	}
	if !existed {
		return userErrorf("The rule for %s was removed meanwhile by someone else.", scope)
	}
	now, err := b.policyFor(ctx, args.Action, "")
	if err != nil {
		return err
	}
	b.tell(ctx, inv.Req, infoMessage(fmt.Sprintf(chat.IconOK+" Removed the rule for %s (it said: %s). %s now: %s.", scope, policyText(*before), args.Action, policyText(now))))
	return nil
}

func (b *Bot) showPolicy(ctx context.Context, req Request, only string) error {
	stored, err := b.store.Policies(ctx)
	if err != nil {
		return fmt.Errorf("load policies: %w", err)
	}
	var sb strings.Builder
	sb.WriteString("*Policy*\n")
	for _, action := range policyActions() {
		if only != "" && action != only {
			continue
		}
		def, _ := b.policyFor(ctx, action, "")
		fmt.Fprintf(&sb, "• *%s*: %s\n", action, policyText(def))
		for _, p := range stored {
			if p.Action == action && p.AppGlob != "" {
				fmt.Fprintf(&sb, "    for apps matching `%s`: %s (set by %s)", p.AppGlob, policyText(p), chat.Mention(p.UpdatedBy))
				if checkAppGlob(p.AppGlob) != nil {
					// Stored before globs were checked.
					fmt.Fprintf(&sb, " — this glob can never match an app name; `/do policy %s --app '%s' --remove` removes it", action, p.AppGlob)
				}
				sb.WriteString("\n")
			}
		}
	}
	sb.WriteString("When several rules match an app, the strictest applies: the highest role, and approval if any rule asks for it.\n")
	sb.WriteString("Deciding a request needs an approver or admin other than the requester.")
	b.tell(ctx, req, infoMessage(sb.String()))
	return nil
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
	return fmt.Sprintf("%s on apps matching %s", p.Action, Escape(p.AppGlob))
}

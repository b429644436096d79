package commands

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"dobot"
)

// PolicyArgs are policy's parsed arguments. With neither Role nor Approval
// set the command only shows.
type PolicyArgs struct {
	Action   string
	Glob     string
	Role     *dobot.Role
	Approval *bool
}

func (a PolicyArgs) target() string { return a.Action }

func (a PolicyArgs) changes() bool { return a.Role != nil || a.Approval != nil }

var policyCommand = &Command{
	Name:        "policy",
	Usage:       "policy [ACTION [--role ROLE] [--approval yes|no] [--app GLOB]]",
	Description: "Show who may run each action and whether it needs approval; admins change it, optionally only for app names matching a glob.",
	Examples:    []string{"policy", "policy launch --app 'prod-*' --approval yes", "policy teardown --role approver"},
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
	fs := newFlagSet("policy")
	role := fs.String("role", "", "")
	approval := fs.String("approval", "", "")
	glob := fs.String("app", "", "")
	pos, err := parseFlags(fs, words)
	if err != nil {
		return nil, err
	}
	var args PolicyArgs
	switch len(pos) {
	case 0:
		if *role != "" || *approval != "" || *glob != "" {
			return nil, userErrorf("name the action to change, like `/do policy launch --approval yes`")
		}
		return args, nil
	case 1:
		args.Action = strings.ToLower(pos[0])
	default:
		return nil, userErrorf("policy takes one action, like `/do policy teardown --role approver`")
	}
	if _, ok := DefaultPolicies[args.Action]; !ok {
		return nil, userErrorf("unknown action %q; actions with a policy are %s", args.Action, strings.Join(policyActions(), ", "))
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
		if _, err := path.Match(*glob, ""); err != nil || len(*glob) > 64 {
			return nil, userErrorf("--app %q is not a valid glob; use * and ? like prod-*", *glob)
		}
		args.Glob = *glob
	}
	return args, nil
}

func policyActions() []string {
	var out []string
	for a := range DefaultPolicies {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

func runPolicy(ctx context.Context, b *Bot, inv *Invocation) error {
	args := inv.Args.(PolicyArgs)
	if !args.changes() {
		return b.showPolicy(ctx, inv.Req, args.Action)
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
	next := dobot.Policy{Action: args.Action, AppGlob: args.Glob, Role: current.Role, NeedsApproval: current.NeedsApproval, UpdatedBy: inv.Req.UserID}
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
		CommandText: storedCommand(inv.Req.Text), Action: "policy.set", Target: scopeText(next), Decision: "allowed", Outcome: "ok",
		Details: fmt.Sprintf("before: %s; after: %s", policyText(before), policyText(next))}); err != nil {
		return err
	}
	b.tell(ctx, inv.Req, infoMessage(fmt.Sprintf(":white_check_mark: Policy for %s is now: %s (was: %s).", scopeText(next), policyText(next), policyText(before))))
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
				fmt.Fprintf(&sb, "    for apps matching `%s`: %s (set by <@%s>)\n", p.AppGlob, policyText(p), p.UpdatedBy)
			}
		}
	}
	sb.WriteString("Deciding a request needs an approver or admin other than the requester.")
	b.tell(ctx, req, infoMessage(sb.String()))
	return nil
}

func policyText(p dobot.Policy) string {
	s := "needs " + p.Role.String()
	if p.NeedsApproval {
		return s + " and approval by a second person"
	}
	return s + ", no approval"
}

func scopeText(p dobot.Policy) string {
	if p.AppGlob == "" {
		return p.Action
	}
	return fmt.Sprintf("%s on apps matching %s", p.Action, Escape(p.AppGlob))
}

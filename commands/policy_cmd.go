package commands

import (
	"context"
	"sort"

	"dobot"
	"dobot/access"
	"dobot/deploy"
	"dobot/plan"
)

var policyCommand = &Command{
	Name:        "policy",
	Usage:       "policy [ACTION [--role ROLE] [--approval yes|no] [--approval-above USD] [--app GLOB] [--remove]]",
	Description: "Show who may run each action and whether it needs approval; admins change it, optionally only for app names matching a glob, or remove a rule with --remove. When several rules match an app, the strictest wins.",
	Examples:    []string{"policy", "policy launch --app 'prod-*' --approval yes", "policy launch --approval-above 50", "policy teardown --role approver", "policy launch --app 'prod-*' --remove"},
	MinRole:     dobot.RoleViewer,
	RoleFor: func(args any) dobot.Role {
		if args.(access.PolicyArgs).Changes() {
			return dobot.RoleAdmin
		}
		return dobot.RoleViewer
	},
	Parse: func(words []string, _ Config) (any, error) { return access.ParsePolicy(words, policyRules()) },
	Run: replyWith(func(ctx context.Context, b *Bot, inv *Invocation, a access.PolicyArgs) (Message, error) {
		return b.svc.access.Policy(ctx, access.Request{UserID: inv.Req.UserID, UserName: inv.Req.UserName, Channel: inv.Req.ChannelID, Text: inv.Req.Text}, a)
	}),
}

// policyRules are what the policy command's words are checked against.
func policyRules() access.Rules {
	return access.Rules{Actions: policyActions(), Costed: plan.Costed, Immediate: deploy.Immediate, Fleetwide: deploy.Fleetwide}
}

func policyActions() []string {
	var out []string
	for _, a := range deploy.Actions() {
		if !a.Internal {
			out = append(out, a.Name)
		}
	}
	sort.Strings(out)
	return out
}

package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/docloud"
	"dobot/docloud/daytwo"
)

var restartCommand = &Command{
	Name:        "restart",
	Usage:       "restart NAME [--component C] [--reason TEXT]",
	Description: "Restart an app's components (or one, with --component) without a rebuild: App Platform replaces its instances with the same build. Progress goes to a thread.",
	Examples:    []string{"restart web", "restart shop --component worker"},
	Action:      ActionRestart,
	Parse: func(words []string, _ Config) (any, error) {
		fs := newFlagSet("restart")
		component := fs.String("component", "", "")
		reason := fs.String("reason", "", "")
		pos, err := parseFlags(fs, words)
		if err != nil {
			return nil, err
		}
		if len(pos) != 1 {
			return nil, userErrorf("restart takes one app name, like `/do restart web`")
		}
		if err := ValidAppName(pos[0]); err != nil {
			return nil, err
		}
		return ChangeArgs{Name: pos[0], DayTwo: DayTwo{Component: strings.TrimSpace(*component)}, Reason: strings.TrimSpace(*reason)}, nil
	},
	Prepare: prepareRestart,
}

func prepareRestart(ctx context.Context, b *Bot, inv *Invocation) (*Plan, error) {
	args, err := argsOf[ChangeArgs](inv)
	if err != nil {
		return nil, err
	}
	managed, app, err := b.dayTwoTarget(ctx, "restart", args.Name)
	if err != nil {
		return nil, err
	}
	if names := specComponents(app.Spec); args.Component != "" && !slices.Contains(names, args.Component) {
		return nil, userErrorf("%s has no component %q; it has %s. Nothing was changed.", args.Name, Escape(args.Component), Escape(strings.Join(names, ", ")))
	}
	args.BeforeAt = docloud.NewestCreated(app)
	args.From = managed.Image
	raw, err := json.Marshal(args)
	if err != nil {
		return nil, fmt.Errorf("encode restart args: %w", err)
	}
	which := "every component"
	if args.Component != "" {
		which = Escape(args.Component)
	}
	return &Plan{
		Op:           dobot.Operation{Action: ActionRestart, App: args.Name, Args: string(raw), Reason: args.Reason, ResourceID: managed.ResourceID},
		Summary:      "restart " + args.Name,
		Fields:       []Field{{Label: "App", Value: args.Name}, {Label: "Restarts", Value: which + " (no rebuild)"}},
		MonthlyCents: managed.MonthlyCents,
	}, nil
}

// specComponents are the names of spec's components that run: services,
// workers, jobs and static sites.
func specComponents(spec *godo.AppSpec) []string {
	var out []string
	for _, c := range spec.Services {
		out = append(out, c.Name)
	}
	for _, c := range spec.Workers {
		out = append(out, c.Name)
	}
	for _, c := range spec.Jobs {
		out = append(out, c.Name)
	}
	for _, c := range spec.StaticSites {
		out = append(out, c.Name)
	}
	return out
}

func runRestartOp(ctx context.Context, b *Bot, op dobot.Operation, rep *reporter) {
	b.runChange(ctx, op, rep, b.startRestart, nil)
}

// startRestart asks App Platform for a restart and records its deployment.
func (b *Bot) startRestart(ctx context.Context, op *dobot.Operation, args ChangeArgs) error {
	entry := dobot.AuditEntry{UserID: op.Requester, UserName: op.RequesterName, Channel: op.Channel, CommandText: op.CommandText,
		Target: args.Name, Action: "do.restart_app", Decision: "allowed"}
	var comps []string
	if args.Component != "" {
		comps = []string{args.Component}
	}
	d, err := daytwo.Restart(ctx, b.apps, op.ResourceID, comps...)
	if err != nil {
		entry.Outcome, entry.Error = "error", describeError(err, fmt.Sprintf("op-%d", op.ID))
		b.audit(ctx, b.log, entry)
		return err
	}
	if d == nil || d.ID == "" {
		return fmt.Errorf("DigitalOcean accepted the restart of %s but shows no new deployment", args.Name)
	}
	op.DeploymentID = d.ID
	entry.Outcome, entry.Details = "ok", fmt.Sprintf("app_id=%s deployment_id=%s components=%s", op.ResourceID, d.ID, strings.Join(comps, ","))
	b.audit(ctx, b.log, entry)
	return nil
}

package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/docloud"
	"dobot/progress"
)

var rollbackCommand = &Command{
	Name:        "rollback",
	Usage:       "rollback NAME [DEPLOYMENT]",
	Description: "Roll an app back to its previous active deployment, or to the one given, after DigitalOcean confirms it can.",
	Examples:    []string{"rollback web", "rollback web 3aa4d20e-5527-4c00-b496-601fbd22520a"},
	Action:      ActionRollback,
	Parse: func(words []string, _ Config) (any, error) {
		fs := newFlagSet("rollback")
		reason := fs.String("reason", "", "")
		pos, err := parseFlags(fs, words)
		if err != nil {
			return nil, err
		}
		if len(pos) < 1 || len(pos) > 2 {
			return nil, userErrorf("rollback takes an app name and optionally a deployment id, like `/do rollback web`")
		}
		if err := ValidAppName(pos[0]); err != nil {
			return nil, err
		}
		args := ChangeArgs{Name: pos[0], Reason: strings.TrimSpace(*reason)}
		if len(pos) == 2 {
			if !deploymentIDPattern.MatchString(pos[1]) {
				return nil, userErrorf("%q is not a deployment id; `/do status %s` shows them", pos[1], pos[0])
			}
			args.DeploymentID = pos[1]
		}
		return args, nil
	},
	Prepare: prepareRollback,
}

func prepareRollback(ctx context.Context, b *Bot, inv *Invocation) (*Plan, error) {
	args, err := argsOf[ChangeArgs](inv)
	if err != nil {
		return nil, err
	}
	managed, err := b.managedApp(ctx, args.Name)
	if err != nil {
		return nil, err
	}
	if managed.Kind == kindDroplet {
		return nil, userErrorf("%s is a droplet; rollback works on App Platform apps.", args.Name)
	}
	app, _, err := b.apps.Get(ctx, managed.ResourceID)
	if err != nil {
		return nil, fmt.Errorf("get app %s: %w", managed.ResourceID, err)
	}
	if app.ActiveDeployment != nil {
		args.From = "deployment `" + app.ActiveDeployment.ID + "`"
	}
	args.BeforeAt = docloud.NewestCreated(app)
	backTo := ""
	if args.DeploymentID == "" {
		prev, err := b.previousDeployment(ctx, app)
		if err != nil {
			return nil, err
		}
		args.DeploymentID = prev.ID
		backTo = docloud.DeploymentImage(prev)
		args.BackToImage = backTo
	}
	check, err := docloud.Raw{Client: b.cloud.Raw}.ValidateRollback(ctx, managed.ResourceID, args.DeploymentID)
	if err != nil {
		return nil, fmt.Errorf("validate rollback of %s: %w", args.Name, err)
	}
	if !check.Valid {
		return nil, userErrorf("DigitalOcean says %s cannot roll back to deployment %s: %s. Nothing was changed.", args.Name, args.DeploymentID, check.Why())
	}
	fields := []Field{{Label: "App", Value: args.Name}, {Label: "Now running", Value: args.From}, {Label: "Back to deployment", Value: "`" + args.DeploymentID + "`"}}
	if backTo != "" {
		// Launches pin the digest, so this names the exact image.
		fields = append(fields, Field{Label: "Back to image", Value: backTo})
	}
	for _, w := range check.Warnings {
		fields = append(fields, Field{Label: "Warning", Value: Escape(w.Message)})
	}
	raw, err := json.Marshal(args)
	if err != nil {
		return nil, fmt.Errorf("encode rollback args: %w", err)
	}
	return &Plan{
		Op:      dobot.Operation{Action: ActionRollback, App: args.Name, Args: string(raw), Reason: args.Reason, ResourceID: managed.ResourceID},
		Summary: fmt.Sprintf("roll %s back to deployment %s", args.Name, args.DeploymentID),
		Fields:  fields,
	}, nil
}

// previousDeployment is the deployment a rollback goes back to
// (docloud.PreviousDeployment), with a user error when there is none.
func (b *Bot) previousDeployment(ctx context.Context, app *godo.App) (*godo.Deployment, error) {
	d, err := docloud.PreviousDeployment(ctx, b.apps, app)
	if err == nil && d == nil {
		return nil, userErrorf("this app has no earlier deployment that went live, so there is nothing to roll back to.")
	}
	return d, err
}

// startRollback asks App Platform to roll back (docloud.Raw.Rollback) and
// audits the call.
func (b *Bot) startRollback(ctx context.Context, op *dobot.Operation, args ChangeArgs) error {
	entry := dobot.AuditEntry{UserID: op.Requester, UserName: op.RequesterName, Channel: op.Channel, CommandText: op.CommandText,
		Action: "do.rollback", Target: args.Name, Decision: "allowed"}
	dep, err := docloud.Raw{Client: b.cloud.Raw}.Rollback(ctx, op.ResourceID, args.DeploymentID)
	if err == nil && dep == nil {
		err = fmt.Errorf("DigitalOcean started no rollback deployment for %s", args.Name)
	}
	if err != nil {
		entry.Outcome, entry.Error = "error", describeError(err, fmt.Sprintf("op-%d", op.ID))
		b.audit(ctx, b.log, entry)
		return err
	}
	op.DeploymentID = dep.ID
	entry.Outcome, entry.Details = "ok", fmt.Sprintf("app_id=%s to=%s deployment_id=%s", op.ResourceID, args.DeploymentID, op.DeploymentID)
	b.audit(ctx, b.log, entry)
	return nil
}

func runRollbackOp(ctx context.Context, b *Bot, op dobot.Operation, rep *progress.Reporter) {
	b.runChange(ctx, op, rep, b.startRollback, nil)
}

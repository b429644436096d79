package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"dobot"
	"dobot/docloud"
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
		prev, err := b.exec.PreviousDeployment(ctx, app)
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
		Op:      dobot.Operation{Action: ActionRollback, App: args.Name, Args: string(raw), Reason: args.Reason, Sent: dobot.Sent{ResourceID: managed.ResourceID}},
		Summary: fmt.Sprintf("roll %s back to deployment %s", args.Name, args.DeploymentID),
		Fields:  fields,
	}, nil
}

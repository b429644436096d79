package deploy

import (
	"context"
	"fmt"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/docloud"
)

// AdoptByName records the id of an app named like the launch, if
// DigitalOcean already has one created since the launch was asked for.
func (b *Executor) AdoptByName(ctx context.Context, op *dobot.Operation, args LaunchArgs) error {
	// The marker was stored just before the create was sent.
	_, err := b.findOwnApp(ctx, op, args, op.UpdatedAt.Add(-clockSkew))
	return err
}

// clockSkew allows for the clocks of the bot and DigitalOcean to differ
// when deciding whether an app was created by this launch.
const clockSkew = time.Minute

// adoptSlack is how far back a resumed droplet launch looks for its droplet.
const adoptSlack = 2 * time.Minute

// findOwnApp looks for the app this launch created, recording it when
// found: the same name, created after after, running this launch's image.
// Anything else with the name belongs to someone else.
func (b *Executor) findOwnApp(ctx context.Context, op *dobot.Operation, args LaunchArgs, after time.Time) (*godo.App, error) {
	var app *godo.App
	var err error
	if args.From != nil {
		app, err = b.findOwnSourceApp(ctx, args, after)
	} else {
		app, err = docloud.FindOwnApp(ctx, b.apps, args.Name, after, docloud.PinnedImage(args.Ref, args.Check.Digest))
	}
	if err != nil || app == nil {
		return nil, err
	}
	op.ResourceID, op.Step = app.ID, dobot.StepSent
	if d := firstDeployment(app); d != nil {
		op.DeploymentID = d.ID
	}
	ScrubSecrets(op) // the create was sent; DigitalOcean holds the secrets
	b.audit(ctx, b.log, dobot.AuditEntry{UserID: op.Requester, UserName: op.RequesterName, Channel: op.Channel,
		CommandText: op.CommandText, Action: "do.adopt_app", Target: args.Name, Decision: "allowed", Outcome: "found by name",
		Details: fmt.Sprintf("app_id=%s (created before the bot could record it)", app.ID)})
	// The TTL counts from DigitalOcean's creation time, not from now.
	if err := b.store.RecordCreation(ctx, *op, args.managedApp(op, app.ID, createdAt(app, b.now()))); err != nil {
		return nil, &notRecordedError{kind: "app", name: args.Name, id: app.ID, err: err}
	}
	return app, nil
}

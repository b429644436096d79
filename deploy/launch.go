package deploy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/docloud"
	"dobot/progress"
)

// LaunchArgs are launch's parsed arguments. They are stored with the
// operation as JSON, so that a restart or an approval can run it later.
//
// Sizing and OnDroplet are embedded, so their fields read and store as
// the launch's own.
type LaunchArgs struct {
	Name   string
	Image  string // as typed
	Region string // App Platform region family
	Sizing
	Port int `json:",omitempty"`
	Env  [][2]string
	// SecretKeys are the keys of Env given with --secret; keys that look
	// secret (SecretLooking) are sent as SECRET too. Secret values are
	// blanked once the create is sent (ScrubSecrets).
	SecretKeys []string `json:",omitempty"`
	Ref        dobot.ImageRef
	Reason     string `json:",omitempty"`
	// BreakGlass is an admin's reason to launch despite a lock or freeze.
	BreakGlass string        `json:",omitempty"`
	TTL        time.Duration `json:",omitempty"` // tear down this long after launch
	OnDroplet
	DryRun bool `json:"-"`
	Found
}

// Found is what preparing a launch found or chose. Embedded, so its
// fields read and store as the launch's own.
type Found struct {
	// Notes are warnings and choices the cards show, such as a size being
	// retired or the droplet image picked.
	Notes []string `json:",omitempty"`
	// Check is what the pre-flight image check found; Port is set from it.
	Check docloud.Preflight `json:",omitempty"`
	// From is set for a launch from a Git repository or an app spec
	// (source.go); Image is then empty.
	From *LaunchSource `json:",omitempty"`
}

// Sizing is what a launch runs on and what it costs.
type Sizing struct {
	Size      string `json:",omitempty"`
	Instances int    `json:",omitempty"`
	// MonthlyCents is the price of what the launch creates, from
	// DigitalOcean's price list when the launch was prepared.
	MonthlyCents int64 `json:",omitempty"`
}

// OnDroplet says whether a launch runs the image on a droplet instead of
// App Platform, and where and from which image.
type OnDroplet struct {
	Droplet       bool   `json:",omitempty"`
	DropletRegion string `json:",omitempty"` // the full region slug
	// DropletImage is the image slug the droplet is created from, chosen
	// when the launch was prepared.
	DropletImage string `json:",omitempty"`
}

func (a LaunchArgs) Target() string { return a.Name }

// AppSpec is the App Platform spec launch creates (docloud.AppSpec).
func (a LaunchArgs) AppSpec() *godo.AppSpec {
	if a.From != nil {
		return docloud.CopySpec(a.From.Spec)
	}
	return docloud.AppSpec(docloud.Service{Name: a.Name, Region: a.Region, Ref: a.Ref, Digest: a.Check.Digest,
		Size: a.Size, Instances: a.Instances, Port: a.Port, Env: a.Env, Secret: a.IsSecret})
}

// LaunchFields are the facts of a launch that a card shows.
func LaunchFields(args LaunchArgs) []chat.Field {
	if args.From != nil {
		return SourceFields(args)
	}
	kind, region, size := KindApp, args.Region, args.Size
	if args.Droplet {
		kind, region = KindDroplet, args.DropletRegion
	}
	fields := []chat.Field{{Label: KindLabel(kind), Value: args.Name}, {Label: "Image", Value: args.Image}, {Label: "Region", Value: region}}
	if size == "" {
		size = "App Platform default"
	}
	instances := args.Instances
	if instances == 0 {
		instances = 1
	}
	fields = append(fields, chat.Field{Label: "Size", Value: fmt.Sprintf("%s × %d", size, instances)})
	if args.MonthlyCents > 0 {
		fields = append(fields, chat.Field{Label: "Cost", Value: Money(args.MonthlyCents) + "/month"})
	}
	if args.TTL > 0 {
		fields = append(fields, chat.Field{Label: "Expires", Value: "after " + dobot.FormatDuration(args.TTL) + " (torn down automatically)"})
	}
	fields = append(fields, chat.Field{Label: "Runs on", Value: args.runsOn()})
	if args.Check.Digest != "" {
		fields = append(fields, chat.Field{Label: "Digest", Value: "`" + args.Check.Digest + "`"})
	}
	if args.Check.Warning != "" {
		fields = append(fields, chat.Field{Label: "Warning", Value: args.Check.Warning})
	}
	if keys := args.envKeys(); len(keys) > 0 {
		fields = append(fields, chat.Field{Label: "Environment", Value: EnvKeysText(keys, args.IsSecret)})
	}
	return append(fields, args.noteFields()...)
}

// runsOn is where the launch runs and on which port, and where the port
// came from: "App Platform, port 80 (from the image)".
func (a LaunchArgs) runsOn() string {
	kind := "App Platform"
	if a.Droplet {
		kind = "Droplet (Docker)"
	}
	if p := a.Check.PortText(); p != "" {
		return kind + ", port " + p
	}
	if a.Port != 0 {
		return fmt.Sprintf("%s, port %d", kind, a.Port)
	}
	return kind
}

// noteFields are the launch's notes as card fields.
func (a LaunchArgs) noteFields() []chat.Field {
	var out []chat.Field
	for _, n := range a.Notes {
		out = append(out, chat.Field{Label: "Note", Value: n})
	}
	return out
}

// envKeys are the keys of the launch's variables, in order.
func (a LaunchArgs) envKeys() []string {
	keys := make([]string, len(a.Env))
	for i, kv := range a.Env {
		keys[i] = kv[0]
	}
	return keys
}

func LaunchHead(op dobot.Operation) chat.Message {
	args, _ := decodeArgs[LaunchArgs](op)
	first := "creating"
	if args.Droplet {
		first = "DROPLET_CREATE"
	}
	return LaunchCard(op, args, LaunchState{Phase: first})
}

func RunLaunch(ctx context.Context, b *Executor, op dobot.Operation, rep *progress.Reporter) {
	args, err := decodeArgs[LaunchArgs](op)
	if err != nil {
		b.finish(ctx, &op, dobot.OpFailed, err.Error())
		rep.Final(ctx, errorMessage(describeError(err, fmt.Sprintf("op-%d", op.ID))))
		return
	}
	if args.Droplet {
		b.executeDropletLaunch(ctx, op, args, rep)
		return
	}
	b.executeLaunch(ctx, op, args, rep)
}

// executeLaunch creates the app (unless an earlier run already did) and
// follows its first deployment to the end.
func (b *Executor) executeLaunch(ctx context.Context, op dobot.Operation, args LaunchArgs, rep *progress.Reporter) {
	ctx, cancel := context.WithTimeout(ctx, b.cfg.OpTimeout)
	defer cancel()
	// No reply announces the new app: the head card's control-panel link
	// carries its id, and a reply would only cost a Slack request.
	if op.ResourceID == "" {
		if _, err := b.createApp(ctx, &op, args); err != nil {
			if ctx.Err() != nil {
				return // shutting down: resume will reconcile by name
			}
			var nr *notRecordedError
			if errors.As(err, &nr) {
				b.reportNotRecorded(ctx, op, nr, rep)
				return
			}
			msg := describeError(err, fmt.Sprintf("op-%d", op.ID))
			b.finish(ctx, &op, dobot.OpFailed, err.Error())
			rep.Update(ctx, LaunchCard(op, args, LaunchState{Phase: "ERROR", Failure: msg}))
			rep.Final(ctx, errorMessage("Could not create "+args.Name+": "+msg))
			return
		}
	}
	b.followLaunch(ctx, op, args, rep)
}

// createApp sends the create request and records the app's id before any
// other external call, so a restart never creates it twice.
func (b *Executor) createApp(ctx context.Context, op *dobot.Operation, args LaunchArgs) (*godo.App, error) {
	args, err := openLaunch(b.vault, args)
	if err != nil {
		return nil, err
	}
	if _, err := b.markSending(ctx, op); err != nil {
		return nil, err
	}
	sentAt := b.now()
	app, _, err := b.apps.Create(ctx, &godo.AppCreateRequest{Spec: b.credentialed(args.AppSpec(), args.Ref)})
	if docloud.IsConflict(err) {
		// godo retries a create that failed with a 5xx; if the first try
		// did create the app, the retry meets its name. Take it only if it
		// is that app: created just now, with this launch's spec.
		own, ferr := b.findOwnApp(ctx, op, args, sentAt.Add(-clockSkew))
		if ferr == nil && own != nil {
			return own, nil
		}
		var nr *notRecordedError
		if errors.As(ferr, &nr) {
			return nil, ferr // ours, created, but not recorded
		}
	}
	entry := dobot.AuditEntry{UserID: op.Requester, UserName: op.RequesterName, Channel: op.Channel,
		CommandText: op.CommandText, Action: "do.create_app", Target: args.Name, Decision: "allowed"}
	if err != nil {
		entry.Outcome, entry.Error = "error", describeError(err, fmt.Sprintf("op-%d", op.ID))
		b.audit(ctx, b.log, entry)
		return nil, fmt.Errorf("create app %q: %w", args.Name, err)
	}
	op.ResourceID, op.DeploymentID, op.Step = app.ID, "", dobot.StepSent
	if d := firstDeployment(app); d != nil {
		op.DeploymentID = d.ID
	}
	// DigitalOcean holds the secrets now; the same update that records the
	// send drops them from the stored arguments.
	ScrubSecrets(op)
	entry.Outcome, entry.Details = "ok", fmt.Sprintf("app_id=%s deployment_id=%s", app.ID, op.DeploymentID)
	b.audit(ctx, b.log, entry)
	// The id on the operation and the managed app are written together:
	// there is no moment at which the app runs but the bot does not manage it.
	if err := b.store.RecordCreation(ctx, *op, args.managedApp(op, app.ID, createdAt(app, b.now()))); err != nil {
		return app, &notRecordedError{kind: "app", name: args.Name, id: app.ID, err: err}
	}
	return app, nil
}

// createdAt is when DigitalOcean says it created app, else now. A TTL counts
// from it, so a launch recorded late (after a restart) keeps its lifetime.
func createdAt(app *godo.App, now time.Time) time.Time {
	if app.CreatedAt.IsZero() || app.CreatedAt.After(now) {
		return now
	}
	return app.CreatedAt.UTC().Round(0)
}

// notRecordedError is a resource DigitalOcean created that the store failed
// to record. The resource exists: saying "could not create" would be false.
type notRecordedError struct {
	kind, name, id string
	err            error
}

func (e *notRecordedError) Error() string {
	return fmt.Sprintf("created %s %s (id %s) but could not record it: %v", e.kind, e.name, e.id, e.err)
}

func (e *notRecordedError) Unwrap() error { return e.err }

// reportNotRecorded tells the person that the resource exists although the
// bot could not record it. The operation stays unfinished in the store, as
// it was before the create (the failed write changed nothing), so the next
// start finds the resource by name and records it, TTL included.
func (b *Executor) reportNotRecorded(ctx context.Context, op dobot.Operation, nr *notRecordedError, rep *progress.Reporter) {
	ref := fmt.Sprintf("op-%d", op.ID)
	b.log.Error("created but not recorded", "op", op.ID, "kind", nr.kind, "name", nr.name, "id", nr.id, "err", nr.err)
	rep.Final(ctx, errorMessage(fmt.Sprintf("%s was created on DigitalOcean (%s id `%s`), but the bot could not record it (ref %s). It stays busy until the bot restarts, which finds it by name and takes it over, TTL included. `/do status %s` shows it meanwhile.",
		nr.name, nr.kind, nr.id, ref, nr.name)))
}

// firstDeployment is docloud.FirstDeployment, kept under its old name for
// the operation engine's callers.
func firstDeployment(app *godo.App) *godo.Deployment { return docloud.FirstDeployment(app) }

// managedApp is the store's record of the app a launch created.
func (a LaunchArgs) managedApp(op *dobot.Operation, id string, now time.Time) dobot.App {
	app := dobot.App{Name: a.Name, Kind: KindApp, ResourceID: id, Region: a.Region, Image: a.Image, ImageDigest: a.Check.Digest,
		Owner: op.Requester, Channel: op.Channel, ThreadTS: op.MessageTS, CreatedAt: now,
		Size: a.Size, Instances: a.Instances, MonthlyCents: a.MonthlyCents}
	if a.From != nil {
		app.Image = a.From.Describe()
		app.Size, app.Instances = sourceSize(a.From.Spec)
	}
	if app.Size == "" {
		app.Size = docloud.DefaultAppSize
	}
	if a.TTL > 0 {
		app.ExpiresAt = now.Add(a.TTL)
	}
	return app
}

// GlassReason is the --break-glass reason: an admin's reason to run
// despite a lock or freeze.
func (a LaunchArgs) GlassReason() string { return a.BreakGlass }

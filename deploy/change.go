package deploy

import (
	"context"
	"fmt"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/docloud"
	"dobot/progress"
)

// ChangeArgs are the arguments of redeploy and rollback, stored with the
// operation so an approval or a restart runs exactly what was planned.
type ChangeArgs struct {
	Name  string
	Image string        `json:",omitempty"` // redeploy: new image as typed
	Spec  *godo.AppSpec `json:",omitempty"` // redeploy: the spec to send
	RollbackTo
	From string `json:",omitempty"` // what runs now, for the card
	// Check is what the pre-flight check found about the new image, and
	// PortNote how the app's http_port changed with it, for the card.
	Check    docloud.Preflight `json:",omitempty"`
	PortNote string            `json:",omitempty"`
	// BeforeAt is when the app's newest deployment was created when the
	// change was planned: a deployment after it is this change's own.
	BeforeAt time.Time `json:",omitempty"`
	Reason   string    `json:",omitempty"`
	// BreakGlass is an admin's reason to run despite a lock or freeze.
	BreakGlass string `json:",omitempty"`
	DryRun     bool   `json:"-"`
	// Variables are the variables the change sets.
	Variables
	// Sizing resizes the app's services; MonthlyCents is what the app
	// costs after, when a size or count is given.
	Sizing
	// DayTwo is what the plan-style diff and the day-two commands add
	// (daytwo.go).
	DayTwo
}

// Variables are the variables a change sets, embedded in ChangeArgs.
type Variables struct {
	// EnvKeys are the variables redeploy or env set sets (--env,
	// --secret) and SecretKeys those of them sent as SECRET; their values
	// live only in Spec, and secret ones only until the update is sent.
	EnvKeys    []string `json:",omitempty"`
	SecretKeys []string `json:",omitempty"`
	// Env are the variables as parsed, before they go into Spec.
	Env [][2]string `json:"-"`
}

// RollbackTo is the deployment a rollback goes back to. It is embedded in
// ChangeArgs, so its fields read and store as the change's own.
type RollbackTo struct {
	DeploymentID string `json:",omitempty"` // the target
	BackToImage  string `json:",omitempty"` // the target's image, digest included
}

// IsSecret reports whether redeploy sends the variable key as SECRET.
func (a ChangeArgs) IsSecret(key string) bool {
	for _, k := range a.SecretKeys {
		if k == key {
			return true
		}
	}
	return false
}

func (a ChangeArgs) Target() string { return a.Name }

// ImageWithDigest is an image as typed, with the digest it resolved to.
func ImageWithDigest(image, digest string) string {
	if digest == "" {
		return image
	}
	return image + "\n`" + digest + "`"
}

// ChangeHead is the first message of a redeploy or rollback.
func ChangeHead(op dobot.Operation) chat.Message {
	args, _ := decodeArgs[ChangeArgs](op)
	return ChangeCard(op, args, LaunchState{Phase: "starting"})
}

func ChangeCard(op dobot.Operation, args ChangeArgs, st LaunchState) chat.Message {
	verb := chat.IconRepeat + " Redeploying"
	if op.Action == ActionRollback {
		verb = chat.IconRollback + " Rolling back"
	}
	title := fmt.Sprintf("%s %s", verb, args.Name)
	switch {
	case godo.DeploymentPhase(st.Phase) == godo.DeploymentPhase_Active:
		title = fmt.Sprintf(chat.IconOK+" %s is live (%s)", args.Name, op.Action)
	case godo.DeploymentPhase(st.Phase) == godo.DeploymentPhase_Canceled:
		title = CanceledTitle(op.Action, args.Name)
	case st.Final():
		title = fmt.Sprintf(chat.IconFailed+" %s of %s failed", op.Action, args.Name)
	}
	fields := []chat.Field{{Label: "App", Value: args.Name}, {Label: "Was running", Value: args.From}, {Label: "Phase", Value: PhaseName(st.Phase)}}
	switch {
	case args.Image != "":
		fields = append(fields, chat.Field{Label: "New image", Value: ImageWithDigest(args.Image, args.Check.Digest)})
		if args.PortNote != "" {
			fields = append(fields, chat.Field{Label: "Port", Value: args.PortNote})
		}
	case args.DeploymentID != "":
		fields = append(fields, chat.Field{Label: "Back to deployment", Value: "`" + args.DeploymentID + "`"})
		if args.BackToImage != "" {
			fields = append(fields, chat.Field{Label: "Back to image", Value: args.BackToImage})
		}
	}
	if len(args.EnvKeys) > 0 {
		fields = append(fields, chat.Field{Label: "Set variables", Value: EnvKeysText(args.EnvKeys, args.IsSecret)})
	}
	fields = append(fields, ShapeFields(args)...)
	fields = append(fields, PlanField(args.Plan))
	text := fmt.Sprintf("%s is running %s on %s: %s", chat.Mention(op.Requester), op.Action, args.Name, PhaseName(st.Phase))
	return stateCard(op, st, KindApp, text, title, fields, args.Check.Warning)
}

func RunRedeploy(ctx context.Context, b *Executor, op dobot.Operation, rep *progress.Reporter) {
	b.runChange(ctx, op, rep, b.startRedeploy, func(ctx context.Context, args ChangeArgs) {
		b.recordShape(ctx, args)
		if args.Image == "" {
			return
		}
		if err := b.store.SetAppImage(ctx, args.Name, args.Image, args.Check.Digest); err != nil {
			b.log.Error("record new image", "app", args.Name, "err", err)
		}
	})
}

// runChange starts a redeploy or rollback deployment, unless an earlier run
// already did, then follows it. started, when set, runs once the
// deployment is known.
func (b *Executor) runChange(ctx context.Context, op dobot.Operation, rep *progress.Reporter,
	start func(context.Context, *dobot.Operation, ChangeArgs) error, started func(context.Context, ChangeArgs)) {
	args, err := decodeArgs[ChangeArgs](op)
	if err != nil {
		b.FailOp(ctx, op, rep, err)
		return
	}
	if op.Step != dobot.StepSent {
		fresh, err := b.markSending(ctx, &op)
		if err != nil {
			b.FailOp(ctx, op, rep, err)
			return
		}
		if !fresh {
			// Resumed after the request may have been sent: a deployment
			// newer than the plan is this change's own.
			if d := b.newestDeployment(ctx, op.ResourceID, args.BeforeAt); d != nil {
				op.DeploymentID, op.Step = d.ID, dobot.StepSent
			}
		}
		if op.Step == dobot.StepSending {
			if err := start(ctx, &op, args); err != nil {
				b.FailOp(ctx, op, rep, err)
				return
			}
			op.Step = dobot.StepSent
		}
		// Sent: DigitalOcean holds any new secret, and following the
		// deployment needs none. Drop them in the update that records it.
		ScrubSecrets(&op)
		if err := b.store.UpdateOperation(ctx, op); err != nil {
			b.log.Error("record deployment id", "op", op.ID, "err", err)
		}
	}
	if started != nil {
		started(ctx, args)
	}
	b.follow.Deployment(ctx, op, args.Name, func(op dobot.Operation, st LaunchState) chat.Message { return changeCardFor(op, args, st) }, rep)
}

// startRedeploy sends the spec update or the forced deployment.
func (b *Executor) startRedeploy(ctx context.Context, op *dobot.Operation, args ChangeArgs) error {
	entry := dobot.AuditEntry{UserID: op.Requester, UserName: op.RequesterName, Channel: op.Channel, CommandText: op.CommandText,
		Target: args.Name, Decision: "allowed"}
	var dep *godo.Deployment
	if args.Spec != nil {
		entry.Action = "do.update_app"
		spec, err := b.vault.OpenSpec(args.Spec)
		if err != nil {
			return err
		}
		if ref, err := dobot.ParseImageRef(args.Image); err == nil && args.Image != "" {
			spec = b.credentialed(spec, ref)
		}
		app, _, err := b.apps.Update(ctx, op.ResourceID, &godo.AppUpdateRequest{Spec: spec})
		if err != nil {
			entry.Outcome, entry.Error = "error", describeError(err, fmt.Sprintf("op-%d", op.ID))
			b.audit(ctx, b.log, entry)
			return fmt.Errorf("update app %s: %w", args.Name, err)
		}
		for _, d := range []*godo.Deployment{app.PendingDeployment, app.InProgressDeployment} {
			if d != nil && d.ID != "" {
				dep = d
				break
			}
		}
		if dep == nil {
			dep = b.newestDeployment(ctx, op.ResourceID, args.BeforeAt)
		}
	} else {
		entry.Action = "do.create_deployment"
		d, _, err := b.apps.CreateDeployment(ctx, op.ResourceID, &godo.DeploymentCreateRequest{ForceBuild: true})
		if err != nil {
			entry.Outcome, entry.Error = "error", describeError(err, fmt.Sprintf("op-%d", op.ID))
			b.audit(ctx, b.log, entry)
			return fmt.Errorf("create deployment of %s: %w", args.Name, err)
		}
		dep = d
	}
	if dep == nil {
		return fmt.Errorf("DigitalOcean accepted the change to %s but shows no new deployment", args.Name)
	}
	op.DeploymentID = dep.ID
	entry.Outcome, entry.Details = "ok", fmt.Sprintf("app_id=%s deployment_id=%s", op.ResourceID, dep.ID)
	b.audit(ctx, b.log, entry)
	return nil
}

// markSending records that op's request is about to be sent, so a restart
// knows it may have been. It reports whether op was fresh; false means an
// earlier run may have sent it. When the step cannot be recorded it returns
// the error and the request must not be sent: a restart would not know to
// look for what it made, and would make it twice.
func (b *Executor) markSending(ctx context.Context, op *dobot.Operation) (bool, error) {
	if op.Step == dobot.StepSending {
		return false, nil
	}
	prev := op.Step
	op.Step = dobot.StepSending
	if err := b.store.UpdateOperation(ctx, *op); err != nil {
		op.Step = prev
		return false, fmt.Errorf("record that operation %d is sending its request: %w", op.ID, err)
	}
	return true, nil
}

// newestDeployment is docloud.NewestDeployment, logging a failed list.
func (b *Executor) newestDeployment(ctx context.Context, appID string, after time.Time) *godo.Deployment {
	d, err := docloud.NewestDeployment(ctx, b.apps, appID, after)
	if err != nil {
		b.log.Warn("list deployments", "app", appID, "err", err)
	}
	return d
}

// FailOp ends op as failed and says why in its thread.
func (b *Executor) FailOp(ctx context.Context, op dobot.Operation, rep *progress.Reporter, err error) {
	b.log.Error("operation failed", "op", op.ID, "action", op.Action, "err", err)
	b.finish(ctx, &op, dobot.OpFailed, err.Error())
	rep.Final(ctx, errorMessage(fmt.Sprintf("%s failed: %s", Escape(What(op)), describeError(err, fmt.Sprintf("op-%d", op.ID)))))
}

// PreviousDeployment is the deployment a rollback goes back to
// (docloud.PreviousDeployment), with a user error when there is none.
func (b *Executor) PreviousDeployment(ctx context.Context, app *godo.App) (*godo.Deployment, error) {
	d, err := docloud.PreviousDeployment(ctx, b.apps, app)
	if err == nil && d == nil {
		return nil, userErrorf("this app has no earlier deployment that went live, so there is nothing to roll back to.")
	}
	return d, err
}

// startRollback asks App Platform to roll back (docloud.Raw.Rollback) and
// audits the call.
func (b *Executor) startRollback(ctx context.Context, op *dobot.Operation, args ChangeArgs) error {
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

func RunRollback(ctx context.Context, b *Executor, op dobot.Operation, rep *progress.Reporter) {
	b.runChange(ctx, op, rep, b.startRollback, nil)
}

// recordShape stores the size, count and price a resizing redeploy sent,
// so list and the cost limits see what the app now costs.
func (b *Executor) recordShape(ctx context.Context, args ChangeArgs) {
	if args.Size == "" && args.Instances == 0 {
		return
	}
	app, err := b.store.App(ctx, args.Name)
	if err != nil {
		b.log.Error("record new size", "app", args.Name, "err", err)
		return
	}
	size, instances := AppShape(args.Spec)
	app.Size, app.Instances = size, instances
	if args.MonthlyCents > 0 {
		app.MonthlyCents = args.MonthlyCents
	}
	if err := b.store.PutApp(ctx, app); err != nil {
		b.log.Error("record new size", "app", args.Name, "err", err)
	}
}

// ShapeFields are the size and cost a resizing redeploy's card shows.
func ShapeFields(args ChangeArgs) []chat.Field {
	if args.Size == "" && args.Instances == 0 {
		return nil
	}
	size, instances := AppShape(args.Spec)
	fields := []chat.Field{{Label: "Size", Value: fmt.Sprintf("%s × %d", SizeName(size), instances)}}
	if args.MonthlyCents > 0 {
		fields = append(fields, chat.Field{Label: "Cost", Value: Money(args.MonthlyCents) + "/month"})
	}
	return fields
}

// AppShape is an app's instance size and count, from its spec's first
// service ("" is App Platform's default size).
func AppShape(spec *godo.AppSpec) (size string, instances int) {
	instances = 1
	if spec == nil || len(spec.Services) == 0 || spec.Services[0] == nil {
		return "", instances
	}
	svc := spec.Services[0]
	if svc.InstanceCount > 0 {
		instances = int(svc.InstanceCount)
	}
	return svc.InstanceSizeSlug, instances
}

// SizeName is a size slug as a card shows it.
func SizeName(slug string) string {
	if slug == "" {
		return "App Platform default"
	}
	return slug
}

// GlassReason is the --break-glass reason: an admin's reason to run
// despite a lock or freeze.
func (a ChangeArgs) GlassReason() string { return a.BreakGlass }

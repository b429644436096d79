package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/docloud"
	"dobot/progress"
)

// More actions governed by policy.
const (
	ActionRedeploy = "redeploy"
	ActionRollback = "rollback"
)

// ChangeArgs are the arguments of redeploy and rollback, stored with the
// operation so an approval or a restart runs exactly what was planned.
type ChangeArgs struct {
	Name         string
	Image        string        `json:",omitempty"` // redeploy: new image as typed
	Spec         *godo.AppSpec `json:",omitempty"` // redeploy: the spec to send
	DeploymentID string        `json:",omitempty"` // rollback: the target
	BackToImage  string        `json:",omitempty"` // rollback: the target's image, digest included
	From         string        `json:",omitempty"` // what runs now, for the card
	// Check is what the pre-flight check found about the new image, and
	// PortNote how the app's http_port changed with it, for the card.
	Check    Preflight `json:",omitempty"`
	PortNote string    `json:",omitempty"`
	// BeforeAt is when the app's newest deployment was created when the
	// change was planned: a deployment after it is this change's own.
	BeforeAt time.Time `json:",omitempty"`
	Reason   string    `json:",omitempty"`
	DryRun   bool      `json:"-"`
	// EnvKeys are the variables redeploy sets (--env, --secret) and
	// SecretKeys those of them sent as SECRET; their values live only in
	// Spec, and secret ones only until the update is sent.
	EnvKeys    []string `json:",omitempty"`
	SecretKeys []string `json:",omitempty"`
	env        [][2]string
}

// isSecret reports whether redeploy sends the variable key as SECRET.
func (a ChangeArgs) isSecret(key string) bool {
	for _, k := range a.SecretKeys {
		if k == key {
			return true
		}
	}
	return false
}

func (a ChangeArgs) target() string { return a.Name }

var redeployCommand = &Command{
	Name:        "redeploy",
	Usage:       "redeploy NAME [--image REF] [--env KEY=VALUE]… [--secret KEY=VALUE]… [--dry-run] [--reason TEXT]",
	Description: "Deploy an app again: with --image, update its spec to the new image or tag; with --env or --secret, set those variables; with neither, force a fresh deployment. Progress goes to a thread.",
	Examples:    []string{"redeploy web --image ghcr.io/nginxinc/nginx-unprivileged:mainline", "redeploy web", "redeploy web --secret API_TOKEN=…"},
	Action:      ActionRedeploy,
	Parse: func(words []string, _ Config) (any, error) {
		fs := newFlagSet("redeploy")
		image := fs.String("image", "", "")
		dryRun := fs.Bool("dry-run", false, "")
		reason := fs.String("reason", "", "")
		env := &envFlag{}
		fs.Var(env.as("env"), "env", "")
		fs.Var(env.as("secret"), "secret", "")
		pos, err := parseFlags(fs, words)
		if err != nil {
			return nil, err
		}
		if len(pos) != 1 {
			return nil, userErrorf("redeploy takes one app name, like `/do redeploy web --image nginx:1.27`")
		}
		if err := ValidAppName(pos[0]); err != nil {
			return nil, err
		}
		args := ChangeArgs{Name: pos[0], Image: trimScheme(strings.TrimSpace(*image)), DryRun: *dryRun, Reason: strings.TrimSpace(*reason),
			env: env.pairs, SecretKeys: env.secretKeys()}
		for _, kv := range env.pairs {
			args.EnvKeys = append(args.EnvKeys, kv[0])
		}
		if args.Image != "" {
			if _, err := ParseImageRef(args.Image); err != nil {
				return nil, err
			}
		}
		return args, nil
	},
	Prepare: prepareRedeploy,
}

func prepareRedeploy(ctx context.Context, b *Bot, inv *Invocation) (*Plan, error) {
	args, err := argsOf[ChangeArgs](inv)
	if err != nil {
		return nil, err
	}
	managed, err := b.managedApp(ctx, args.Name)
	if err != nil {
		return nil, err
	}
	if managed.Kind == kindDroplet {
		return nil, userErrorf("%s is a droplet; redeploy works on App Platform apps. Tear it down and launch it again, or use `/do droplet reboot %s`.", args.Name, args.Name)
	}
	app, _, err := b.apps.Get(ctx, managed.ResourceID)
	if err != nil {
		return nil, fmt.Errorf("get app %s: %w", managed.ResourceID, err)
	}
	args.From = managed.Image
	if managed.ImageDigest != "" {
		args.From += " (" + managed.ImageDigest + ")"
	}
	args.BeforeAt = docloud.NewestCreated(app)
	fields := []Field{{Label: "App", Value: args.Name}, {Label: "Now running", Value: managed.Image}}
	if args.Image != "" {
		ref, _ := ParseImageRef(args.Image)
		if err := b.checkDOCRRegistry(ctx, ref); err != nil {
			return nil, err
		}
		if args.Check, err = b.preflight(ctx, ref, 0); err != nil {
			return nil, err
		}
		args.Spec, args.PortNote = docloud.WithImage(app.Spec, ref, docloud.Preflight(args.Check))
		if args.Spec == nil {
			return nil, userErrorf("%s has no service that runs an image, so its image cannot be changed; `/do redeploy %s` without --image deploys it again.", args.Name, args.Name)
		}
		fields = append(fields, Field{Label: "New image", Value: imageWithDigest(args.Image, args.Check.Digest)})
		if args.PortNote != "" {
			fields = append(fields, Field{Label: "Port", Value: args.PortNote})
		}
		if args.Check.Warning != "" {
			fields = append(fields, Field{Label: "Warning", Value: args.Check.Warning})
		}
	}
	if len(args.env) > 0 {
		base := args.Spec
		if base == nil {
			base = app.Spec
		}
		if args.Spec = docloud.WithEnv(base, args.env, args.isSecret); args.Spec == nil {
			return nil, userErrorf("%s has no service to set variables on; nothing was changed.", args.Name)
		}
		fields = append(fields, Field{Label: "Set variables", Value: envKeysText(args.EnvKeys, args.isSecret)})
	}
	if args.Image == "" && len(args.env) == 0 {
		fields = append(fields, Field{Label: "Change", Value: "a fresh deployment of the same spec (forced rebuild)"})
	}
	stored := args
	stored.Spec = b.vault.sealSpec(args.Spec)
	raw, err := json.Marshal(stored)
	if err != nil {
		return nil, fmt.Errorf("encode redeploy args: %w", err)
	}
	plan := &Plan{
		Op:      dobot.Operation{Action: ActionRedeploy, App: args.Name, Args: string(raw), Reason: args.Reason, ResourceID: managed.ResourceID},
		Summary: "redeploy " + args.Name,
		Fields:  fields,
	}
	if args.DryRun {
		spec := args.Spec
		if spec == nil {
			spec = app.Spec
		}
		plan.DryRun = func(ctx context.Context) (Message, error) {
			return b.proposeApp(ctx, spec, managed.ResourceID, "redeploy "+args.Name)
		}
	}
	return plan, nil
}

// imageWithDigest is an image as typed, with the digest it resolved to.
func imageWithDigest(image, digest string) string {
	if digest == "" {
		return image
	}
	return image + "\n`" + digest + "`"
}

// changeHead is the first message of a redeploy or rollback.
func changeHead(op dobot.Operation) Message {
	args, _ := decodeArgs[ChangeArgs](op)
	return changeCard(op, args, launchState{Phase: "starting"})
}

func changeCard(op dobot.Operation, args ChangeArgs, st launchState) Message {
	verb := chat.IconRepeat + " Redeploying"
	if op.Action == ActionRollback {
		verb = chat.IconRollback + " Rolling back"
	}
	title := fmt.Sprintf("%s %s", verb, args.Name)
	switch {
	case godo.DeploymentPhase(st.Phase) == godo.DeploymentPhase_Active:
		title = fmt.Sprintf(chat.IconOK+" %s is live (%s)", args.Name, op.Action)
	case st.final():
		title = fmt.Sprintf(chat.IconFailed+" %s of %s failed", op.Action, args.Name)
	}
	fields := []Field{{Label: "App", Value: args.Name}, {Label: "Was running", Value: args.From}, {Label: "Phase", Value: phaseName(st.Phase)}}
	switch {
	case args.Image != "":
		fields = append(fields, Field{Label: "New image", Value: imageWithDigest(args.Image, args.Check.Digest)})
		if args.PortNote != "" {
			fields = append(fields, Field{Label: "Port", Value: args.PortNote})
		}
	case args.DeploymentID != "":
		fields = append(fields, Field{Label: "Back to deployment", Value: "`" + args.DeploymentID + "`"})
		if args.BackToImage != "" {
			fields = append(fields, Field{Label: "Back to image", Value: args.BackToImage})
		}
	}
	if len(args.EnvKeys) > 0 {
		fields = append(fields, Field{Label: "Set variables", Value: envKeysText(args.EnvKeys, args.isSecret)})
	}
	if links := linksText(kindApp, op.ResourceID, st.URL); links != "" {
		fields = append(fields, Field{Label: "Links", Value: links})
	}
	m := Message{
		Text:     fmt.Sprintf("%s is running %s on %s: %s", chat.Mention(op.Requester), op.Action, args.Name, phaseName(st.Phase)),
		Title:    title,
		Fields:   fields,
		Progress: st.Progress,
		Footer:   opFooter(op),
	}
	var body []string
	if args.Check.Warning != "" {
		body = append(body, chat.IconWarning+" "+args.Check.Warning)
	}
	if st.Failure != "" {
		body = append(body, chat.IconFailed+" "+st.Failure)
	}
	m.Body = strings.Join(body, "\n")
	return m
}

func runRedeployOp(ctx context.Context, b *Bot, op dobot.Operation, rep *progress.Reporter) {
	b.runChange(ctx, op, rep, b.startRedeploy, func(ctx context.Context, args ChangeArgs) {
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
func (b *Bot) runChange(ctx context.Context, op dobot.Operation, rep *progress.Reporter,
	start func(context.Context, *dobot.Operation, ChangeArgs) error, started func(context.Context, ChangeArgs)) {
	args, err := decodeArgs[ChangeArgs](op)
	if err != nil {
		b.failOp(ctx, op, rep, err)
		return
	}
	if op.Step != dobot.StepSent {
		fresh, err := b.markSending(ctx, &op)
		if err != nil {
			b.failOp(ctx, op, rep, err)
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
				b.failOp(ctx, op, rep, err)
				return
			}
			op.Step = dobot.StepSent
		}
		// Sent: DigitalOcean holds any new secret, and following the
		// deployment needs none. Drop them in the update that records it.
		scrubSecrets(&op)
		if err := b.store.UpdateOperation(ctx, op); err != nil {
			b.log.Error("record deployment id", "op", op.ID, "err", err)
		}
	}
	if started != nil {
		started(ctx, args)
	}
	b.followDeployment(ctx, op, args.Name, func(op dobot.Operation, st launchState) Message { return changeCard(op, args, st) }, rep)
}

// startRedeploy sends the spec update or the forced deployment.
func (b *Bot) startRedeploy(ctx context.Context, op *dobot.Operation, args ChangeArgs) error {
	entry := dobot.AuditEntry{UserID: op.Requester, UserName: op.RequesterName, Channel: op.Channel, CommandText: op.CommandText,
		Target: args.Name, Decision: "allowed"}
	var dep *godo.Deployment
	if args.Spec != nil {
		entry.Action = "do.update_app"
		spec, err := b.vault.openSpec(args.Spec)
		if err != nil {
			return err
		}
		if ref, err := ParseImageRef(args.Image); err == nil && args.Image != "" {
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
func (b *Bot) markSending(ctx context.Context, op *dobot.Operation) (bool, error) {
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
func (b *Bot) newestDeployment(ctx context.Context, appID string, after time.Time) *godo.Deployment {
	d, err := docloud.NewestDeployment(ctx, b.apps, appID, after)
	if err != nil {
		b.log.Warn("list deployments", "app", appID, "err", err)
	}
	return d
}

// failOp ends op as failed and says why in its thread.
func (b *Bot) failOp(ctx context.Context, op dobot.Operation, rep *progress.Reporter, err error) {
	b.log.Error("operation failed", "op", op.ID, "action", op.Action, "err", err)
	b.finish(ctx, &op, dobot.OpFailed, err.Error())
	rep.Final(ctx, errorMessage(fmt.Sprintf("%s %s failed: %s", op.Action, op.App, describeError(err, fmt.Sprintf("op-%d", op.ID)))))
}

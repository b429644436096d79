package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/docloud"
)

var (
	envKeyPattern   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	sizeSlugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{0,63}$`) // sizes such as apps-s-1vcpu-0.5gb have a dot
	// deploymentIDPattern is the UUID form of App Platform deployment ids.
	deploymentIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// AppRegion is dobot.AppRegion with its refusal as a UserError.
func AppRegion(slug string) (string, error) {
	r, err := dobot.AppRegion(slug)
	return r, fromDomain(err)
}

// ValidAppName is dobot.ValidAppName with its refusal as a UserError.
func ValidAppName(name string) error { return fromDomain(dobot.ValidAppName(name)) }

// ParseImageRef is dobot.ParseImageRef with its refusal as a UserError.
func ParseImageRef(s string) (dobot.ImageRef, error) {
	ref, err := dobot.ParseImageRef(s)
	return ref, fromDomain(err)
}

// LaunchArgs are launch's parsed arguments. They are stored with the
// operation as JSON, so that a restart or an approval can run it later.
type LaunchArgs struct {
	Name      string
	Image     string // as typed
	Region    string // App Platform region family
	Size      string `json:",omitempty"`
	Instances int    `json:",omitempty"`
	Port      int    `json:",omitempty"`
	Env       [][2]string
	// SecretKeys are the keys of Env given with --secret; keys that look
	// secret (SecretLooking) are sent as SECRET too. Secret values are
	// blanked once the create is sent (scrubSecrets).
	SecretKeys []string `json:",omitempty"`
	Ref        dobot.ImageRef
	Reason     string `json:",omitempty"`
	// BreakGlass is an admin's reason to launch despite a lock or freeze.
	BreakGlass string        `json:",omitempty"`
	TTL        time.Duration `json:",omitempty"` // tear down this long after launch
	// Droplet runs the image on a droplet instead of App Platform, in the
	// full region slug DropletRegion.
	Droplet       bool   `json:",omitempty"`
	DropletRegion string `json:",omitempty"`
	DryRun        bool   `json:"-"`
	// MonthlyCents is the price of what the launch creates, from
	// DigitalOcean's price list when the launch was prepared.
	MonthlyCents int64 `json:",omitempty"`
	// Notes are warnings and choices the cards show, such as a size being
	// retired or the droplet image picked.
	Notes []string `json:",omitempty"`
	// DropletImage is the image slug the droplet is created from, chosen
	// when the launch was prepared.
	DropletImage string `json:",omitempty"`
	// Check is what the pre-flight image check found; Port is set from it.
	Check Preflight `json:",omitempty"`
	// From is set for a launch from a Git repository or an app spec
	// (launch_git.go); Image is then empty.
	From *LaunchSource `json:",omitempty"`
}

func (a LaunchArgs) target() string { return a.Name }

var launchCommand = &Command{
	Name:        "launch",
	Usage:       "launch [NAME] [--image REF] [--region SLUG] [--size SLUG] [--instances N] [--port N] [--env KEY=VALUE]… [--secret KEY=VALUE]… [--droplet] [--git URL [--branch B] [--dir PATH] [--deploy-on-push]] [--spec, then the app spec in a code block] [--ttl DURATION] [--dry-run] [--reason TEXT] [--break-glass REASON]",
	Description: "Create an App Platform app running a container image, and report its progress in a thread. With --git URL it builds the repository's components (App Platform detects them; GitHub and GitLab deploy on push only with --deploy-on-push); with --spec followed, in the same message, by an app spec in a code block (YAML or JSON) it creates that spec, named by it unless NAME is typed. Either way the card shows each component, the cost and any warning before anything is created.",
	Examples:    []string{"launch web --image ghcr.io/nginxinc/nginx-unprivileged:stable", "launch api --image nginx:1.27 --port 80 --region ams3 --env MODE=prod", "launch demo --image nginx --ttl 4h", "launch web --image nginx --dry-run", "launch api --image ghcr.io/acme/api:2 --secret DB_URL=postgres://…", "launch web --git https://github.com/acme/web --branch main"},
	Action:      ActionLaunch,
	Parse:       parseLaunch,
	Prepare:     prepareLaunch,
}

func parseLaunch(words []string, cfg Config) (any, error) {
	fs := newFlagSet("launch")
	image := fs.String("image", cfg.DefaultImage, "")
	region := fs.String("region", cfg.Region, "")
	size := fs.String("size", "", "")
	instances := &intFlag{name: "instances", min: 1, max: 250}
	port := &intFlag{name: "port", min: 1, max: 65535}
	env := &envFlag{}
	reason := fs.String("reason", "", "")
	glass := breakGlassFlag(fs)
	ttl := fs.String("ttl", "", "")
	dryRun := fs.Bool("dry-run", false, "")
	droplet := fs.Bool("droplet", false, "")
	fs.Var(instances, "instances", "")
	fs.Var(port, "port", "")
	fs.Var(env.as("env"), "env", "")
	fs.Var(env.as("secret"), "secret", "")
	sf := sourceFlags{git: fs.String("git", "", ""), branch: fs.String("branch", "", ""), dir: fs.String("dir", "", ""),
		deployOnPush: fs.Bool("deploy-on-push", false, ""), spec: fs.Bool("spec", false, "")}
	words, block := takeBlock(words)
	pos, err := parseFlags(fs, words)
	if err != nil {
		return nil, err
	}
	if *sf.spec && len(pos) == 0 {
		cfg.DefaultApp = "" // the spec names the app
	}
	args := LaunchArgs{Name: cfg.DefaultApp, Size: *size, Instances: instances.value, Port: port.value, Env: env.pairs,
		SecretKeys: env.secretKeys(), Reason: strings.TrimSpace(*reason), BreakGlass: glass.value}
	switch len(pos) {
	case 0:
	case 1:
		args.Name = pos[0]
	default:
		return nil, userErrorf("launch takes one app name, got %d words (%s); put flags after --, like --image REF", len(pos), strings.Join(pos, " "))
	}
	if args.Name == "" && !*sf.spec {
		return nil, userErrorf("launch needs an app name, like `/do launch web --image nginx` (or set DO_APP_NAME)")
	}
	if args.Name != "" {
		if err := ValidAppName(args.Name); err != nil {
			return nil, err
		}
	}
	if *sf.spec || *sf.git != "" {
		if args.Region, err = AppRegion(*region); err != nil {
			return nil, err
		}
	}
	args.Droplet, args.Port = *droplet, port.value
	if args.From, err = parseSource(sf, block, len(pos) == 1, &args, flagSet(fs, "image")); err != nil {
		return nil, err
	}
	if args.From != nil {
		return finishSourceArgs(args, *ttl, *dryRun, cfg)
	}
	args.Image = unlink(strings.TrimSpace(*image))
	if args.Image == "" {
		return nil, userErrorf("launch needs an image: add --image REF (like --image nginx:1.27), or set DO_IMAGE")
	}
	if args.Ref, err = ParseImageRef(args.Image); err != nil {
		return nil, err
	}
	args.Droplet = *droplet
	if args.Droplet {
		if instances.set {
			return nil, userErrorf("--instances is for App Platform; a --droplet launch runs one droplet")
		}
		if !dobot.IsDropletRegion(*region) {
			return nil, userErrorf("a droplet needs a full region slug like nyc3 or ams3, not %q", *region)
		}
		args.DropletRegion = *region
	}
	if args.Region, err = AppRegion(*region); err != nil {
		return nil, err
	}
	if args.Size != "" && !sizeSlugPattern.MatchString(args.Size) {
		return nil, userErrorf("bad --size %q: use an instance size slug like apps-s-1vcpu-1gb", args.Size)
	}
	if *ttl != "" {
		if args.TTL, err = parseTTL(*ttl, cfg, "--ttl"); err != nil {
			return nil, err
		}
	}
	args.DryRun = *dryRun
	return args, nil
}

// appSpec is the App Platform spec launch creates (docloud.AppSpec).
func (a LaunchArgs) appSpec() *godo.AppSpec {
	if a.From != nil {
		return docloud.CopySpec(a.From.Spec)
	}
	return docloud.AppSpec(docloud.Service{Name: a.Name, Region: a.Region, Ref: a.Ref, Digest: a.Check.Digest,
		Size: a.Size, Instances: a.Instances, Port: a.Port, Env: a.Env, Secret: a.isSecret})
}

func prepareLaunch(ctx context.Context, b *Bot, inv *Invocation) (*Plan, error) {
	args, err := argsOf[LaunchArgs](inv)
	if err != nil {
		return nil, err
	}
	existing, err := b.store.App(ctx, args.Name)
	if err == nil {
		return nil, userErrorf("an app named %s already exists (launched by <@%s> on %s). Pick another name, or tear it down first with `/do teardown %s`.",
			args.Name, existing.Owner, existing.CreatedAt.UTC().Format("2006-01-02"), args.Name)
	}
	if !errors.Is(err, dobot.ErrNotFound) {
		return nil, fmt.Errorf("look up app %q: %w", args.Name, err)
	}
	if args.From != nil {
		return b.planSourceLaunch(ctx, args)
	}
	if err := b.checkDOCRRegistry(ctx, args.Ref); err != nil {
		return nil, err
	}
	if args.Check, err = b.preflight(ctx, args.Ref, args.Port); err != nil {
		return nil, err
	}
	args.Port = args.Check.Port
	if args.Droplet {
		if args.DryRun {
			return nil, userErrorf("--dry-run checks App Platform specs; it does not apply to --droplet launches")
		}
		if err := b.prepareDropletLaunch(ctx, &args); err != nil {
			return nil, err
		}
	} else {
		note, err := b.checkAppSize(ctx, args.Size, args.Instances)
		if err != nil {
			return nil, err
		}
		if note != "" {
			args.Notes = append(args.Notes, note)
		}
		if args.MonthlyCents, err = b.appCost(ctx, args.Size, args.Instances); err != nil {
			return nil, err
		}
	}
	raw, err := json.Marshal(b.vault.sealLaunch(args))
	if err != nil {
		return nil, fmt.Errorf("encode launch args: %w", err)
	}
	plan := &Plan{
		Op:      dobot.Operation{Action: ActionLaunch, App: args.Name, Args: string(raw), Reason: args.Reason},
		Summary: fmt.Sprintf("launch %s (%s) in %s", args.Name, args.Image, args.Region),
		Fields:  launchFields(args),
		// For a droplet too: the launch set its price when it prepared it.
		MonthlyCents: args.MonthlyCents,
	}
	if args.DryRun {
		plan.DryRun = func(ctx context.Context) (Message, error) {
			// No credentials: proposing pulls nothing, and the answer
			// echoes the spec.
			return b.proposeApp(ctx, args.appSpec(), "", "launch "+args.Name)
		}
	}
	return plan, nil
}

// launchFields are the facts of a launch that a card shows.
func launchFields(args LaunchArgs) []Field {
	if args.From != nil {
		return sourceFields(args)
	}
	kind, region, size := kindApp, args.Region, args.Size
	if args.Droplet {
		kind, region = kindDroplet, args.DropletRegion
	}
	fields := []Field{{Label: kindLabel(kind), Value: args.Name}, {Label: "Image", Value: args.Image}, {Label: "Region", Value: region}}
	if size == "" {
		size = "App Platform default"
	}
	instances := args.Instances
	if instances == 0 {
		instances = 1
	}
	fields = append(fields, Field{Label: "Size", Value: fmt.Sprintf("%s × %d", size, instances)})
	if args.MonthlyCents > 0 {
		fields = append(fields, Field{Label: "Cost", Value: money(args.MonthlyCents) + "/month"})
	}
	if args.TTL > 0 {
		fields = append(fields, Field{Label: "Expires", Value: "after " + dobot.FormatDuration(args.TTL) + " (torn down automatically)"})
	}
	if p := args.Check.portText(); p != "" {
		fields = append(fields, Field{Label: "Port", Value: p})
	} else if args.Port != 0 {
		fields = append(fields, Field{Label: "Port", Value: fmt.Sprint(args.Port)})
	}
	if args.Check.Digest != "" {
		fields = append(fields, Field{Label: "Digest", Value: "`" + args.Check.Digest + "`"})
	}
	if args.Check.Warning != "" {
		fields = append(fields, Field{Label: "Warning", Value: args.Check.Warning})
	}
	if keys := args.envKeys(); len(keys) > 0 {
		fields = append(fields, Field{Label: "Environment", Value: envKeysText(keys, args.isSecret)})
	}
	return append(fields, args.noteFields()...)
}

// noteFields are the launch's notes as card fields.
func (a LaunchArgs) noteFields() []Field {
	var out []Field
	for _, n := range a.Notes {
		out = append(out, Field{Label: "Note", Value: n})
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

func launchHead(op dobot.Operation) Message {
	args, _ := decodeArgs[LaunchArgs](op)
	first := "creating"
	if args.Droplet {
		first = "DROPLET_CREATE"
	}
	return launchCard(op, args, launchState{Phase: first})
}

func runLaunchOp(ctx context.Context, b *Bot, op dobot.Operation, rep *reporter) {
	args, err := decodeArgs[LaunchArgs](op)
	if err != nil {
		b.finish(ctx, &op, dobot.OpFailed, err.Error())
		rep.final(ctx, errorMessage(describeError(err, fmt.Sprintf("op-%d", op.ID))))
		return
	}
	if args.Droplet {
		b.executeDropletLaunch(ctx, op, args, rep)
		return
	}
	b.executeLaunch(ctx, op, args, rep)
}

// busyText says who holds an app and since when.
func busyText(busy *dobot.BusyError) string {
	h := busy.Holder
	return fmt.Sprintf("%s is busy: %s (%s), asked by %s at %s, is still %s. Wait for it to finish, or cancel it with `/do cancel %d`.",
		Escape(h.App), opRef(h), Escape(opWhat(h)), chat.Mention(h.Requester), h.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), strings.ReplaceAll(string(h.State), "_", " "), h.ID)
}

// reporterFor returns a reporter for op's head message and thread.
func (b *Bot) reporterFor(op dobot.Operation) *reporter {
	return &reporter{chat: b.chat, log: b.log.With("op", op.ID), channel: op.Channel, ts: op.MessageTS, responseURL: op.ResponseURL, requester: op.Requester}
}

// executeLaunch creates the app (unless an earlier run already did) and
// follows its first deployment to the end.
func (b *Bot) executeLaunch(ctx context.Context, op dobot.Operation, args LaunchArgs, rep *reporter) {
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
			rep.update(ctx, launchCard(op, args, launchState{Phase: "ERROR", Failure: msg}))
			rep.final(ctx, errorMessage("Could not create "+args.Name+": "+msg))
			return
		}
	}
	b.followLaunch(ctx, op, args, rep)
}

// createApp sends the create request and records the app's id before any
// other external call, so a restart never creates it twice.
func (b *Bot) createApp(ctx context.Context, op *dobot.Operation, args LaunchArgs) (*godo.App, error) {
	args, err := b.vault.openLaunch(args)
	if err != nil {
		return nil, err
	}
	if _, err := b.markSending(ctx, op); err != nil {
		return nil, err
	}
	sentAt := b.now()
	app, _, err := b.apps.Create(ctx, &godo.AppCreateRequest{Spec: b.credentialed(args.appSpec(), args.Ref)})
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
	scrubSecrets(op)
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
func (b *Bot) reportNotRecorded(ctx context.Context, op dobot.Operation, nr *notRecordedError, rep *reporter) {
	ref := fmt.Sprintf("op-%d", op.ID)
	b.log.Error("created but not recorded", "op", op.ID, "kind", nr.kind, "name", nr.name, "id", nr.id, "err", nr.err)
	rep.final(ctx, errorMessage(fmt.Sprintf("%s was created on DigitalOcean (%s id `%s`), but the bot could not record it (ref %s). It stays busy until the bot restarts, which finds it by name and takes it over, TTL included. `/do status %s` shows it meanwhile.",
		nr.name, nr.kind, nr.id, ref, nr.name)))
}

// firstDeployment is docloud.FirstDeployment, kept under its old name for
// the operation engine's callers.
func firstDeployment(app *godo.App) *godo.Deployment { return docloud.FirstDeployment(app) }

// finish moves op to a final state and records why.
func (b *Bot) finish(ctx context.Context, op *dobot.Operation, state dobot.OpState, why string) {
	b.eng.ops.Finish(ctx, op, state, why)
}

// Kinds of resource the bot manages.
const (
	kindApp     = "app"
	kindDroplet = "droplet"
)

// managedApp is the store's record of the app a launch created.
func (a LaunchArgs) managedApp(op *dobot.Operation, id string, now time.Time) dobot.App {
	app := dobot.App{Name: a.Name, Kind: kindApp, ResourceID: id, Region: a.Region, Image: a.Image, ImageDigest: a.Check.Digest,
		Owner: op.Requester, Channel: op.Channel, ThreadTS: op.MessageTS, CreatedAt: now,
		Size: a.Size, Instances: a.Instances, MonthlyCents: a.MonthlyCents}
	if a.From != nil {
		app.Image = a.From.describe()
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

// parseTTL reads a --ttl value, or an extend's duration: a duration (Go's
// syntax, or days like 4d) of at least ten seconds and at most BOT_MAX_TTL.
// what names the value in messages.
func parseTTL(s string, cfg Config, what string) (time.Duration, error) {
	d, err := dobot.ParseDuration(s)
	if err != nil || d < 10*time.Second {
		return 0, userErrorf("%s takes a duration of at least 10s, like 45m, 4h, 2h30m or 2d, not %q", what, s)
	}
	if capTTL := cfg.maxTTL(); d > capTTL {
		return 0, userErrorf("%s %s is longer than an app may live: BOT_MAX_TTL caps its lifetime at %s from its launch. Ask for %s or less.", what, s, dobot.FormatDuration(capTTL), dobot.FormatDuration(capTTL))
	}
	return d, nil
}

package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
)

var (
	// appNamePattern is DigitalOcean's rule for App Platform app names.
	appNamePattern  = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}[a-z0-9]$`)
	envKeyPattern   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	sizeSlugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)
	regionPattern   = regexp.MustCompile(`^([a-z]{3})([0-9]?)$`)
	// deploymentIDPattern is the UUID form of App Platform deployment ids.
	deploymentIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// appRegions are the region families App Platform runs in.
var appRegions = map[string]bool{
	"ams": true, "atl": true, "blr": true, "fra": true, "lon": true,
	"nyc": true, "sfo": true, "sgp": true, "syd": true, "tor": true,
}

// AppRegion maps a DigitalOcean region slug ("nyc3") to the App Platform
// region family ("nyc") and checks that App Platform runs there.
func AppRegion(slug string) (string, error) {
	m := regionPattern.FindStringSubmatch(strings.ToLower(slug))
	if m == nil || !appRegions[m[1]] {
		known := make([]string, 0, len(appRegions))
		for r := range appRegions {
			known = append(known, r)
		}
		sort.Strings(known)
		return "", userErrorf("unknown region %q; App Platform runs in %s (a slug like nyc3 works too)", slug, strings.Join(known, ", "))
	}
	return m[1], nil
}

// ValidAppName checks name against DigitalOcean's rule for app names.
func ValidAppName(name string) error {
	if !appNamePattern.MatchString(name) {
		return userErrorf("bad app name %q: use 2 to 32 lowercase letters, digits and dashes, starting with a letter and not ending with a dash (like web or api-2)", name)
	}
	return nil
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
	Ref        ImageRef
	Reason     string        `json:",omitempty"`
	TTL        time.Duration `json:",omitempty"` // tear down this long after launch
	// Droplet runs the image on a droplet instead of App Platform, in the
	// full region slug DropletRegion.
	Droplet       bool   `json:",omitempty"`
	DropletRegion string `json:",omitempty"`
	DryRun        bool   `json:"-"`
	// MonthlyCents is the price of what the launch creates, from
	// DigitalOcean's price list when the launch was prepared.
	MonthlyCents int64 `json:",omitempty"`
}

func (a LaunchArgs) target() string { return a.Name }

var launchCommand = &Command{
	Name:        "launch",
	Usage:       "launch [NAME] [--image REF] [--region SLUG] [--size SLUG] [--instances N] [--port N] [--env KEY=VALUE]… [--secret KEY=VALUE]… [--droplet] [--ttl DURATION] [--dry-run] [--reason TEXT]",
	Description: "Create an App Platform app running a container image, and report its progress in a thread.",
	Examples:    []string{"launch web --image ghcr.io/acme/web:1.2.3", "launch api --image nginx:1.27 --port 80 --region ams3 --env MODE=prod", "launch demo --image nginx --ttl 4h", "launch web --image nginx --dry-run", "launch api --image ghcr.io/acme/api:2 --secret DB_URL=postgres://…"},
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
	ttl := fs.String("ttl", "", "")
	dryRun := fs.Bool("dry-run", false, "")
	droplet := fs.Bool("droplet", false, "")
	fs.Var(instances, "instances", "")
	fs.Var(port, "port", "")
	fs.Var(env.as("env"), "env", "")
	fs.Var(env.as("secret"), "secret", "")
	pos, err := parseFlags(fs, words)
	if err != nil {
		return nil, err
	}
	args := LaunchArgs{Name: cfg.DefaultApp, Size: *size, Instances: instances.value, Port: port.value, Env: env.pairs,
		SecretKeys: env.secretKeys(), Reason: strings.TrimSpace(*reason)}
	switch len(pos) {
	case 0:
		if args.Name == "" {
			return nil, userErrorf("launch needs an app name, like `/do launch web --image nginx` (or set DO_APP_NAME)")
		}
	case 1:
		args.Name = pos[0]
	default:
		return nil, userErrorf("launch takes one app name, got %d words (%s); put flags after --, like --image REF", len(pos), strings.Join(pos, " "))
	}
	if err := ValidAppName(args.Name); err != nil {
		return nil, err
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
		if !dropletRegionPattern.MatchString(*region) {
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
		if args.TTL, err = parseTTL(*ttl); err != nil {
			return nil, err
		}
	}
	args.DryRun = *dryRun
	return args, nil
}

// appSpec is the App Platform spec launch creates: one service running the
// image.
func (a LaunchArgs) appSpec() *godo.AppSpec {
	svc := &godo.AppServiceSpec{
		Name:             a.Name,
		Image:            a.Ref.Spec(),
		InstanceSizeSlug: a.Size,
		InstanceCount:    int64(a.Instances),
		HTTPPort:         int64(a.Port),
	}
	for _, kv := range a.Env {
		typ := godo.AppVariableType_General
		if a.isSecret(kv[0]) {
			typ = godo.AppVariableType_Secret
		}
		svc.Envs = append(svc.Envs, &godo.AppVariableDefinition{
			Key: kv[0], Value: kv[1], Scope: godo.AppVariableScope_RunTime, Type: typ,
		})
	}
	return &godo.AppSpec{Name: a.Name, Region: a.Region, Services: []*godo.AppServiceSpec{svc}}
}

func prepareLaunch(ctx context.Context, b *Bot, inv *Invocation) (*Plan, error) {
	args := inv.Args.(LaunchArgs)
	existing, err := b.store.App(ctx, args.Name)
	if err == nil {
		return nil, userErrorf("an app named %s already exists (launched by <@%s> on %s). Pick another name, or tear it down first with `/do teardown %s`.",
			args.Name, existing.Owner, existing.CreatedAt.UTC().Format("2006-01-02"), args.Name)
	}
	if !errors.Is(err, dobot.ErrNotFound) {
		return nil, fmt.Errorf("look up app %q: %w", args.Name, err)
	}
	if err := b.checkDOCRTag(ctx, args.Ref); err != nil {
		return nil, err
	}
	if args.Droplet {
		if args.DryRun {
			return nil, userErrorf("--dry-run checks App Platform specs; it does not apply to --droplet launches")
		}
		if err := b.prepareDropletLaunch(ctx, &args); err != nil {
			return nil, err
		}
	} else if args.MonthlyCents, err = b.appCost(ctx, args.Size, args.Instances); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(b.vault.sealLaunch(args))
	if err != nil {
		return nil, fmt.Errorf("encode launch args: %w", err)
	}
	plan := &Plan{
		Op:      dobot.Operation{Action: ActionLaunch, App: args.Name, Args: string(raw), Reason: args.Reason},
		Summary: fmt.Sprintf("launch %s (%s) in %s", args.Name, args.Image, args.Region),
		Fields:  launchFields(args),
	}
	if args.DryRun {
		plan.DryRun = func(ctx context.Context) (Message, error) {
			return b.proposeApp(ctx, args.appSpec(), "", "launch "+args.Name)
		}
	}
	return plan, nil
}

// launchFields are the facts of a launch that a card shows.
func launchFields(args LaunchArgs) []Field {
	fields := []Field{{"App", args.Name}, {"Image", args.Image}, {"Region", args.Region}}
	size := args.Size
	if size == "" {
		size = "App Platform default"
	}
	instances := args.Instances
	if instances == 0 {
		instances = 1
	}
	fields = append(fields, Field{"Size", fmt.Sprintf("%s × %d", size, instances)})
	if args.MonthlyCents > 0 {
		fields = append(fields, Field{"Cost", money(args.MonthlyCents) + "/month"})
	}
	if args.TTL > 0 {
		fields = append(fields, Field{"Expires", "after " + args.TTL.String() + " (torn down automatically)"})
	}
	if args.Port != 0 {
		fields = append(fields, Field{"Port", fmt.Sprint(args.Port)})
	}
	if keys := args.envKeys(); len(keys) > 0 {
		fields = append(fields, Field{"Environment", envKeysText(keys, args.isSecret)})
	}
	return fields
}

// envKeys are the keys of the launch's variables, in order.
func (a LaunchArgs) envKeys() []string {
	keys := make([]string, len(a.Env))
	for i, kv := range a.Env {
		keys[i] = kv[0]
	}
	return keys
}

// decodeLaunch reads the launch arguments stored with op.
func decodeLaunch(op dobot.Operation) (LaunchArgs, error) {
	var args LaunchArgs
	if err := json.Unmarshal([]byte(op.Args), &args); err != nil {
		return args, fmt.Errorf("decode launch arguments of operation %d: %w", op.ID, err)
	}
	return args, nil
}

func launchHead(op dobot.Operation) Message {
	args, _ := decodeLaunch(op)
	return launchCard(op, args, launchState{Phase: "starting"})
}

func runLaunchOp(ctx context.Context, b *Bot, op dobot.Operation, rep *reporter) {
	args, err := decodeLaunch(op)
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
	return fmt.Sprintf("%s is busy: %s #%d requested by <@%s> at %s is still %s. Wait for it to finish, or cancel it with `/do cancel %d`.",
		h.App, h.Action, h.ID, h.Requester, h.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), strings.ReplaceAll(string(h.State), "_", " "), h.ID)
}

// reporterFor returns a reporter for op's head message and thread.
func (b *Bot) reporterFor(op dobot.Operation) *reporter {
	return &reporter{chat: b.chat, log: b.log.With("op", op.ID), channel: op.Channel, ts: op.MessageTS, responseURL: op.ResponseURL}
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
	b.markSending(ctx, op)
	sentAt := b.now()
	app, _, err := b.apps.Create(ctx, &godo.AppCreateRequest{Spec: args.appSpec()})
	if isDOConflict(err) {
		// godo retries a create that failed with a 5xx; if the first try
		// did create the app, the retry meets its name. Take it only if it
		// is that app: created just now, with this launch's spec.
		if own, ferr := b.findOwnApp(ctx, op, args, sentAt.Add(-clockSkew)); ferr == nil && own != nil {
			return own, nil
		}
	}
	entry := dobot.AuditEntry{UserID: op.Requester, UserName: op.RequesterName, Channel: op.Channel,
		CommandText: op.CommandText, Action: "do.create_app", Target: args.Name, Decision: "allowed"}
	if err != nil {
		entry.Outcome, entry.Error = "error", describeError(err, fmt.Sprintf("op-%d", op.ID))
		b.audit(ctx, b.log, entry)
		return nil, fmt.Errorf("create app %q: %w", args.Name, err)
	}
	op.ResourceID, op.DeploymentID = app.ID, ""
	if d := firstDeployment(app); d != nil {
		op.DeploymentID = d.ID
	}
	// DigitalOcean holds the secrets now; the same update that records the
	// send drops them from the stored arguments.
	scrubSecrets(op)
	entry.Outcome, entry.Details = "ok", fmt.Sprintf("app_id=%s deployment_id=%s", app.ID, op.DeploymentID)
	b.audit(ctx, b.log, entry)
	if err := b.store.UpdateOperation(ctx, *op); err != nil {
		return nil, fmt.Errorf("record app id %s: %w", app.ID, err)
	}
	if err := b.store.PutApp(ctx, args.managedApp(op, app.ID, b.now())); err != nil {
		return nil, fmt.Errorf("record app %s: %w", args.Name, err)
	}
	return app, nil
}

// firstDeployment is the deployment a freshly created or updated app is
// working on.
func firstDeployment(app *godo.App) *godo.Deployment {
	for _, d := range []*godo.Deployment{app.InProgressDeployment, app.PendingDeployment, app.ActiveDeployment} {
		if d != nil && d.ID != "" {
			return d
		}
	}
	return nil
}

// finish moves op to a final state and records why.
func (b *Bot) finish(ctx context.Context, op *dobot.Operation, state dobot.OpState, why string) {
	op.State, op.Error = state, why
	scrubSecrets(op) // a finished operation is never sent again
	if err := b.store.UpdateOperation(ctx, *op); err != nil {
		b.log.Error("finish operation", "op", op.ID, "state", state, "err", err)
	}
}

// Kinds of resource the bot manages.
const (
	kindApp     = "app"
	kindDroplet = "droplet"
)

// managedApp is the store's record of the app a launch created.
func (a LaunchArgs) managedApp(op *dobot.Operation, id string, now time.Time) dobot.App {
	app := dobot.App{Name: a.Name, Kind: kindApp, ResourceID: id, Region: a.Region, Image: a.Image,
		Owner: op.Requester, Channel: op.Channel, ThreadTS: op.MessageTS, CreatedAt: now,
		Size: a.Size, Instances: a.Instances, MonthlyCents: a.MonthlyCents}
	if app.Size == "" {
		app.Size = defaultAppSize
	}
	if a.TTL > 0 {
		app.ExpiresAt = now.Add(a.TTL)
	}
	return app
}

// parseTTL reads a --ttl value: a Go duration of at least a minute.
func parseTTL(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < 10*time.Second || d > 90*24*time.Hour {
		return 0, userErrorf("--ttl takes a duration from 10s to 2160h, like 45m, 4h or 2h30m, not %q", s)
	}
	return d, nil
}

func regexpMust(s string) *regexp.Regexp { return regexp.MustCompile(s) }

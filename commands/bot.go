// Package commands is the heart of the bot: the command table, the parser,
// authorisation and policy, and the handlers. It knows neither Slack nor SQL;
// it talks through the Chat and Store interfaces and to DigitalOcean through
// godo's own service interfaces.
package commands

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/answer"
	"dobot/auditlog"
	"dobot/chatview"
	"dobot/deploy"
	"dobot/docloud"
	"dobot/ops"
	"dobot/ops/elsewhere"
	"dobot/plan"
	"dobot/reply"
	"dobot/requests"
	"dobot/secrets"
	"dobot/watch"
)

// Config holds the settings the commands need.
type Config struct {
	Region         string        // DigitalOcean region slug for new apps, e.g. "nyc3"
	DefaultImage   string        // DO_IMAGE: launch's image when --image is absent
	DefaultApp     string        // DO_APP_NAME: launch's app name when none is given
	CommandTimeout time.Duration // limit for one command's synchronous work
	OpTimeout      time.Duration // limit for watching one operation
	ApprovalTTL    time.Duration // how long a request waits for a decision
	AuditChannel   string        // channel id mirroring every change and decision, or ""
	MaxTTL         time.Duration // BOT_MAX_TTL: the longest an expiring app may live, from launch
	// LiveLogWindow is the longest `/do logs` reads a live log stream,
	// which never ends by itself; default 5s.
	LiveLogWindow time.Duration
	// DropletImage is DO_DROPLET_IMAGE: the image slug droplets are created
	// from, or "" to pick DigitalOcean's Docker image (see docloud.DropletImage).
	DropletImage string
	// Project is DO_PROJECT: the DigitalOcean project (a name or an id)
	// new apps and droplets go into; "" leaves them in the default one.
	Project string
	// DomainNoteAfter is how long a domain added may stay pending before
	// its thread gets a note; default 30m.
	DomainNoteAfter time.Duration
	// ElsewhereEvery is how often the apps are listed to find deployments
	// started outside the bot (BOT_ELSEWHERE_INTERVAL); default a minute.
	ElsewhereEvery time.Duration
}

// defaultMaxTTL is BOT_MAX_TTL when it is not set.
const defaultMaxTTL = 30 * dobot.Day

// maxTTL is the cap on an expiring app's lifetime, defaulted when unset.
func (c Config) maxTTL() time.Duration {
	if c.MaxTTL <= 0 {
		return defaultMaxTTL
	}
	return c.MaxTTL
}

// Cloud is DigitalOcean as the commands use it: docloud.Cloud.
type Cloud = docloud.Cloud

// CloudOf takes the services from a godo client.
func CloudOf(c *godo.Client) Cloud { return docloud.CloudOf(c) }

// Observer counts what the bot does, for metrics. All methods must be safe
// for concurrent use; a nil Observer is allowed.
type Observer interface {
	CommandDone(name, result string)
	OperationStarted()
	OperationFinished()
}

// Deps are the collaborators a Bot talks to.
type Deps struct {
	Store Store
	Cloud Cloud
	Chat  Chat
	// Images checks images before launch and redeploy --image; nil skips
	// the check (port 8080, no digest).
	Images   Images
	Observer Observer
	Watcher  *watch.Watcher
	Log      *slog.Logger
	Now      func() time.Time
	// HTTP fetches what is not DigitalOcean's API: log files and live log
	// streams. Default: a client with a 30s timeout, never
	// http.DefaultClient.
	HTTP *http.Client
	// SecretKey (32 bytes) seals secret values while an operation waits to
	// send them; the store derives it from the audit key. Nil: a random
	// key, lost at restart.
	SecretKey []byte
	// Leases are this replica's claims on operations and loops shared with
	// other replicas. Nil: this process is the only one.
	Leases *ops.Leases
	// Views opens forms and publishes home pages (forms.go, home.go); nil
	// for an adapter without them: buttons then act at once.
	Views chatview.Views
}

// Bot runs commands. It is safe for concurrent use.
type Bot struct {
	cfg     Config
	table   Table
	store   Store
	cloud   Cloud
	chat    Chat
	images  Images
	observe Observer
	watcher *watch.Watcher
	log     *slog.Logger
	now     func() time.Time
	http    *http.Client

	eng machinery // durable operations, approvals and background work

	plan *plan.Planner    // works out what a command would do
	exec *deploy.Executor // runs operations
	svc  services         // thin handlers' packages (services.go)
}

// machinery is the durable operation machinery of package ops the bot
// runs on, and the audit trail that records every step.
type machinery struct {
	ops       *ops.Engine     // durable operations' state
	approvals *ops.Approvals  // the approval state machine
	runner    ops.Runner      // background work, joined at shutdown
	desk      *requests.Desk  // puts requests up for decision in the chat
	leases    *ops.Leases     // which operations and loops this replica runs
	marks     elsewhere.Marks // deployments started elsewhere, reported; nil: not looked for
	trail     *auditlog.Trail // the audit trail and its channel
}

// New returns a Bot with the standard command table.
func New(cfg Config, d Deps) (*Bot, error) {
	if cfg.CommandTimeout == 0 {
		cfg.CommandTimeout = 60 * time.Second
	}
	if cfg.OpTimeout == 0 {
		cfg.OpTimeout = 45 * time.Minute
	}
	if cfg.ApprovalTTL == 0 {
		cfg.ApprovalTTL = time.Hour
	}
	cfg.MaxTTL = cfg.maxTTL()
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Observer == nil {
		d.Observer = noObserver{}
	}
	if d.HTTP == nil {
		d.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.LiveLogWindow <= 0 {
		cfg.LiveLogWindow = 5 * time.Second
	}
	b := &Bot{cfg: cfg, cloud: d.Cloud, chat: d.Chat, images: d.Images, observe: d.Observer, watcher: d.Watcher,
		log: d.Log.With("component", "commands"), now: d.Now, http: d.HTTP}
	b.eng.runner.Log = b.log
	b.eng.trail = auditlog.New(auditlog.Deps{Store: d.Store, Chat: d.Chat, Channel: cfg.AuditChannel, Go: b.background, Log: b.log})
	b.eng.marks, _ = d.Store.(elsewhere.Marks)
	b.withViews(d)
	b.store = d.Store
	b.eng.ops = &ops.Engine{Store: d.Store, Now: d.Now, ApprovalTTL: cfg.ApprovalTTL, Scrub: deploy.ScrubSecrets, Log: b.log}
	b.eng.leases = d.Leases
	if b.eng.leases == nil {
		b.eng.leases = &ops.Leases{}
	}
	if b.eng.leases.Shared() {
		// Another replica's young request may be about to get its card.
		b.eng.ops.LostAfter = cfg.CommandTimeout + b.eng.leases.TTLOrDefault()
	}
	x, err := deploy.New(deploy.Config{OpTimeout: cfg.OpTimeout, DropletImage: cfg.DropletImage, DomainNoteAfter: cfg.DomainNoteAfter}, deploy.Deps{
		Store: d.Store, Cloud: d.Cloud, Images: d.Images, Chat: d.Chat, Watcher: d.Watcher, Ops: b.eng.ops, Runner: &b.eng.runner,
		Audit: b.record, HTTP: d.HTTP, Log: b.log, Now: d.Now, SecretKey: d.SecretKey, DomainAdded: b.followDomain})
	if err != nil {
		return nil, err
	}
	b.exec = x
	b.plan = plan.New(plan.Config{Region: cfg.Region, DropletImage: cfg.DropletImage}, plan.Deps{Store: d.Store, Cloud: d.Cloud,
		Images: d.Images, Seal: x, Log: b.log, Now: d.Now})
	b.eng.approvals = &ops.Approvals{Store: d.Store, Now: d.Now, RequesterAllowed: b.requesterStillAllowed, StateText: requests.StateText, Scrub: deploy.ScrubSecrets}
	b.eng.desk = requests.New(requests.Deps{Store: d.Store, Chat: d.Chat, Approvals: b.eng.approvals, Finish: x.Finish, Head: b.head,
		Reporter: b.reporterFor, Start: b.start, Record: b.record, Mirror: b.mirror, Log: b.log, Shared: b.eng.leases.Shared})
	t, err := NewTable(standardCommands()...)
	if err != nil {
		return nil, err
	}
	b.table = t
	if err := b.wireServices(d); err != nil {
		return nil, err
	}
	return b, nil
}

// Table returns the bot's commands.
func (b *Bot) Table() Table { return b.table }

// Start gives the bot the context that background work (watching
// deployments) runs under, and resumes unfinished operations. Cancel ctx to
// stop background work; Wait then returns once it has stopped.
func (b *Bot) Start(ctx context.Context) error {
	if err := b.resolveProject(ctx); err != nil {
		return err
	}
	b.eng.runner.Start(ctx)
	timers := &ops.Expiry{Store: b.store, Now: b.now, Log: b.log, ApprovalTTL: b.cfg.ApprovalTTL, AppsEvery: ttlCheck,
		ExpireRequest: b.eng.desk.Expire, Remind: b.svc.ops.ttl.Remind, ExpireApp: b.svc.ops.ttl.Expire}
	// Each timer runs on one replica at a time.
	b.background("expiry", func(ctx context.Context) { b.eng.leases.Loop(ctx, "loop:approvals", timers.RequestsLoop) })
	b.background("ttl", func(ctx context.Context) { b.eng.leases.Loop(ctx, "loop:ttl", timers.AppsLoop) })
	b.background("approval-reminders", func(ctx context.Context) { b.eng.leases.Loop(ctx, "loop:reminders", b.svc.ops.reminder.Loop) })
	b.background("elsewhere", func(ctx context.Context) { b.eng.leases.Loop(ctx, "loop:elsewhere", b.svc.ops.finder.Loop) })
	b.startHomeLoop()
	if err := b.svc.ops.resume.Resume(ctx); err != nil {
		return err
	}
	if b.eng.leases.Shared() {
		b.background("adopt", b.svc.ops.resume.AdoptLoop)
	}
	return nil
}

// Wait blocks until background work has stopped. Background work asked for
// after Wait begins is not started; unfinished operations resume at the
// next start.
func (b *Bot) Wait() { b.eng.runner.Wait() }

// background runs fn under the bot's lifetime context, recovering panics.
func (b *Bot) background(ref string, fn func(ctx context.Context)) { b.eng.runner.Go(ref, fn) }

// Handle runs one command to completion of its synchronous part. It never
// panics and always answers the person, whatever fails.
func (b *Bot) Handle(ctx context.Context, req Request) {
	log := b.log.With("ref", req.Ref, "user", req.UserID)
	defer func() {
		if p := recover(); p != nil {
			log.Error("panic handling command", "panic", p, "stack", string(debug.Stack()))
			b.tell(context.WithoutCancel(ctx), req, reply.Warning(reply.Describe(reply.ErrPanic, req.Ref)))
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, b.cfg.CommandTimeout)
	defer cancel()

	entry := dobot.AuditEntry{UserID: req.UserID, UserName: req.UserName, Channel: req.ChannelID, CommandText: secrets.StoredCommand(req.Text)}
	if n := len([]rune(req.Text)); n > secrets.MaxCommandText {
		// Refused before parsing, so nothing of it is echoed back.
		entry.Action, entry.Decision, entry.Outcome = "invalid", "refused", "bad input"
		entry.Error = fmt.Sprintf("command text too long: %d characters", n)
		b.observe.CommandDone(entry.Action, "invalid")
		if !b.eng.trail.First(ctx, log, entry) {
			return
		}
		b.tell(ctx, req, reply.Warning(fmt.Sprintf("That command is %d characters long; the limit is %d. Nothing was run. Shorten it (a long --reason can go in the thread).", n, secrets.MaxCommandText)))
		return
	}
	if b.openLaunchFormFor(ctx, req) {
		return // a bare `/do launch` or --form: the form's submission runs it
	}
	cmd, args, err := b.table.Parse(req.Text, b.cfg)
	if err != nil {
		// The message may quote the command: never with a secret in it.
		err = secrets.MaskedError(namedFor(cmd, err), req.Text)
		entry.Action, entry.Decision, entry.Outcome, entry.Error = "invalid", "refused", "bad input", err.Error()
		if cmd != nil {
			entry.Action = cmd.Name
		}
		b.observe.CommandDone(entry.Action, "invalid")
		if !b.eng.trail.First(ctx, log, entry) {
			return
		}
		b.tell(ctx, req, reply.Warning(reply.Describe(err, req.Ref)))
		return
	}
	b.dispatch(ctx, log, req, cmd, args, entry)
}

// dispatch authorises one parsed command, typed or pressed as a button,
// audits it, and runs it: every command and every button passes here.
func (b *Bot) dispatch(ctx context.Context, log *slog.Logger, req Request, cmd *Command, args any, entry dobot.AuditEntry) {
	entry.Action, entry.Target = cmd.Name, targetOf(args)
	role, err := b.store.Role(ctx, req.UserID)
	if err != nil {
		log.Error("load role", "err", err)
		b.tell(ctx, req, reply.Warning(reply.Describe(err, req.Ref)))
		return
	}
	need, approval, err := b.requiredRole(ctx, cmd, args, entry.Target)
	if err != nil {
		log.Error("load policy", "err", err)
		b.tell(ctx, req, reply.Warning(reply.Describe(err, req.Ref)))
		return
	}
	if role < need && (cmd.Own == nil || !cmd.Own(ctx, b, req.UserID, args)) {
		entry.Action, entry.Decision, entry.Outcome = cmd.refusedAs(), "refused", "not permitted"
		entry.Error = fmt.Sprintf("needs %s, has %s", need, role)
		if !b.eng.trail.First(ctx, log, entry) {
			return
		}
		b.observe.CommandDone(cmd.Name, "refused")
		b.tell(ctx, req, reply.Warning(b.svc.access.Refusal(ctx, req.Button, cmd.Name, need, role)))
		return
	}

	entry.Decision, entry.Outcome = "allowed", "started"
	inv := &Invocation{Req: req, Command: cmd, Args: args, Role: role}
	err, recorded := b.runRecorded(ctx, inv, approval, entry)
	if errors.Is(recorded, dobot.ErrAlreadyHandled) {
		log.Info("skipping a command already handled (Slack redelivered it)", "command", cmd.Name)
		return
	} else if recorded != nil {
		log.Error("audit before run", "err", recorded)
		b.tell(ctx, req, reply.Warning(reply.Describe(fmt.Errorf("audit: %w", recorded), req.Ref)))
		return
	}
	if err != nil {
		var ue *reply.UserError
		if !errors.As(err, &ue) {
			log.Error("command failed", "command", cmd.Name, "err", err)
		}
		entry.Outcome, entry.Error = "error", err.Error()
		b.tell(ctx, req, reply.Warning(reply.Describe(err, req.Ref)))
		b.observe.CommandDone(cmd.Name, "error")
	} else {
		entry.Outcome = "ok"
		b.observe.CommandDone(cmd.Name, "ok")
	}
	if !cmd.readOnly() || err != nil {
		b.audit(ctx, log, entry)
	}
}

// runRecorded stores the command's "started" audit row and then runs it:
// a command that cannot be audited does not run, and nothing it says
// reaches Slack before its row is stored (in the store's audit journal,
// for a read-only command on SQLite).
func (b *Bot) runRecorded(ctx context.Context, inv *Invocation, approval bool, entry dobot.AuditEntry) (runErr, recordErr error) {
	if err := b.eng.trail.RecordStarted(ctx, entry, inv.Command.readOnly()); err != nil {
		return nil, err
	}
	if inv.Command.Prepare != nil {
		return b.runOperation(ctx, inv, approval), nil
	}
	if approval { // a stored policy no /do policy would write: never skip it
		return reply.Errorf("the policy for %s asks for approval, but %s runs at once and cannot wait for one; an admin can set it with `/do policy %s --approval no`. Nothing was done.", inv.Command.Action, inv.Command.Name, inv.Command.Action), nil
	}
	return inv.Command.Run(ctx, b, inv), nil
}

// tell answers the person who typed a command, privately (package answer).
func (b *Bot) tell(ctx context.Context, req Request, m Message) {
	answer.Privately(ctx, b.chat, b.log, answer.To{Channel: req.ChannelID, User: req.UserID, ResponseURL: req.ResponseURL, Ref: req.Ref}, m)
}

// The audit trail is package auditlog's: record stops the caller when the
// row cannot be written, audit logs the failure, mirror copies a row the
// store wrote itself.
func (b *Bot) record(ctx context.Context, e dobot.AuditEntry) error {
	return b.eng.trail.Record(ctx, e)
}

func (b *Bot) audit(ctx context.Context, log *slog.Logger, e dobot.AuditEntry) {
	b.eng.trail.Audit(ctx, log, e)
}

func (b *Bot) mirror(stored dobot.AuditEntry) { b.eng.trail.Mirror(stored) }

type noObserver struct{}

func (noObserver) CommandDone(string, string) {}
func (noObserver) OperationStarted()          {}
func (noObserver) OperationFinished()         {}

// targeted is implemented by argument types that act on one app or user.
type targeted interface{ Target() string }

func targetOf(args any) string {
	if t, ok := args.(targeted); ok {
		return t.Target()
	}
	return ""
}

package deploy

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/deploy/follow"
	"dobot/docloud"
	"dobot/ops"
	"dobot/reply"
	"dobot/secrets"
	"dobot/watch"
)

// Store is what the executors keep: the apps they create and delete, and
// the operations they advance.
type Store interface {
	App(ctx context.Context, name string) (dobot.App, error)
	PutApp(ctx context.Context, app dobot.App) error
	DeleteApp(ctx context.Context, name string) error
	SetAppImage(ctx context.Context, name, image, digest string) error
	UpdateOperation(ctx context.Context, op dobot.Operation) error
	RecordCreation(ctx context.Context, op dobot.Operation, app dobot.App) error
	// A domain's follow (domainfollow.go) records each step by
	// compare-and-set, so a follow stopped meanwhile says nothing more.
	Operation(ctx context.Context, id int64) (dobot.Operation, error)
	Transition(ctx context.Context, id int64, from []dobot.OpState, to dobot.OpState, mutate func(*dobot.Operation)) (dobot.Operation, bool, error)
}

// Config holds the settings the executors need.
type Config struct {
	OpTimeout    time.Duration // limit for one operation's work and watching
	DropletImage string        // DO_DROPLET_IMAGE, or "" for DigitalOcean's Docker image
	// ProjectID is DO_PROJECT's project, resolved at start: new apps and
	// droplets are assigned to it; "" leaves them in the default one.
	ProjectID string
	// DomainNoteAfter is how long a domain added may stay pending before
	// its thread gets a note; default 30m.
	DomainNoteAfter time.Duration
}

// Deps are the collaborators of the executors.
type Deps struct {
	Store   Store
	Cloud   docloud.Cloud
	Images  docloud.Images // registry credentials for private images; may be nil
	Chat    chat.Chat      // for notes in an app's launch thread
	Watcher *watch.Watcher
	Ops     *ops.Engine // finishes operations
	Runner  *ops.Runner // says when the bot is stopping
	// Audit appends an audit row (and mirrors it); its error is logged.
	Audit func(ctx context.Context, e dobot.AuditEntry) error
	// HTTP fetches a failed deployment's log file; never
	// http.DefaultClient.
	HTTP *http.Client
	Log  *slog.Logger
	Now  func() time.Time
	// SecretKey seals secret values while an operation waits to send them.
	SecretKey []byte
	// DomainAdded starts following a domain a domains change added, in
	// its thread (parent is the change); nil follows nothing.
	DomainAdded func(ctx context.Context, parent dobot.Operation, domain string)
}

// Executor runs operations. It is safe for concurrent use.
type Executor struct {
	store   Store
	cloud   docloud.Cloud
	apps    godo.AppsService
	images  docloud.Images
	chat    chat.Chat
	watcher *watch.Watcher
	ops     *ops.Engine
	runner  *ops.Runner
	record  func(ctx context.Context, e dobot.AuditEntry) error
	follow  *follow.Follower // follows deployments to their end
	log     *slog.Logger
	now     func() time.Time
	cfg     Config
	vault   *secrets.Vault
	// domainAdded is Deps.DomainAdded.
	domainAdded func(ctx context.Context, parent dobot.Operation, domain string)
}

// New returns the executors.
func New(cfg Config, d Deps) (*Executor, error) {
	v, err := secrets.NewVault(d.SecretKey)
	if err != nil {
		return nil, err
	}
	if d.HTTP == nil {
		d.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	b := &Executor{store: d.Store, cloud: d.Cloud, apps: d.Cloud.Apps, images: d.Images, chat: d.Chat, watcher: d.Watcher,
		ops: d.Ops, runner: d.Runner, record: d.Audit, log: d.Log, now: d.Now, cfg: cfg, vault: v, domainAdded: d.DomainAdded}
	b.follow = &follow.Follower{Store: d.Store, Apps: d.Cloud.Apps, Chat: d.Chat, Watcher: d.Watcher, HTTP: d.HTTP,
		Finish: b.Finish, Audit: d.Audit, Stopping: func() bool { return b.runner.Stopping() }, Timeout: cfg.OpTimeout, Now: d.Now, Log: d.Log}
	return b, nil
}

// audit records e, logging a failure.
func (b *Executor) audit(ctx context.Context, log *slog.Logger, e dobot.AuditEntry) {
	if err := b.record(ctx, e); err != nil {
		log.Error("append audit", "action", e.Action, "err", err)
	}
}

// Finish ends op in state, recording why (see ops.Engine.Finish).
func (b *Executor) Finish(ctx context.Context, op *dobot.Operation, state dobot.OpState, why string) {
	b.ops.Finish(ctx, op, state, why)
}

func (b *Executor) finish(ctx context.Context, op *dobot.Operation, state dobot.OpState, why string) {
	b.Finish(ctx, op, state, why)
}

// credentialed is spec with registry credentials for ref's private
// registry, when the bot has them.
func (b *Executor) credentialed(spec *godo.AppSpec, ref dobot.ImageRef) *godo.AppSpec {
	return docloud.Credentialed(b.images, spec, ref)
}

// Text helpers shared by the executors.
func errorMessage(text string) chat.Message { return chat.Message{Text: chat.IconWarning + " " + text} }
func infoMessage(text string) chat.Message  { return chat.Message{Text: text} }
func describeError(err error, ref string) string {
	return reply.Describe(err, ref)
}
func userErrorf(format string, a ...any) error { return reply.Errorf(format, a...) }

// Escape cleans untrusted text of tokens.
func Escape(s string) string { return reply.Escape(s) }

// Money writes cents as dollars.
func Money(c int64) string { return dobot.Money(c) }

// TimeFormat is how cards show a time.
const TimeFormat = ops.TimeFormat

// decodeArgs is ops.DecodeArgs: every executor fails its operation on its
// error rather than run with zero values.
func decodeArgs[T any](op dobot.Operation) (T, error) { return ops.DecodeArgs[T](op) }

// SealLaunch is args with its secret values sealed, to be stored until
// the create sends them.
func (b *Executor) SealLaunch(args LaunchArgs) LaunchArgs { return sealLaunch(b.vault, args) }

// SealSpec is spec with its secret values sealed, to be stored until the
// update sends them.
func (b *Executor) SealSpec(spec *godo.AppSpec) *godo.AppSpec { return b.vault.SealSpec(spec) }

// Package plan works out what a command that changes DigitalOcean would
// do, before anything changes or anyone is asked: it checks the request
// against what the bot manages (the app exists, is the bot's, is not busy),
// checks the image before launch (pre-flight), prices the size, and
// describes the operation it would store as a Plan with the facts its card
// shows. A plan never sends a change to DigitalOcean; a dry run asks App
// Platform to validate the spec instead.
package plan

import (
	"context"
	"log/slog"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/docloud"
	"dobot/reply"
)

// Plan is what a mutating command would do, worked out before anything
// changes: the operation to store and the facts a card shows about it.
type Plan struct {
	Op      dobot.Operation // Action, App, Args and ResourceID are set
	Summary string          // "launch web (nginx:1.27) in nyc"
	Fields  []chat.Field    // everything that would change
	// MonthlyCents is the monthly price of what the operation creates or
	// keeps running, for a policy's --approval-above; 0 when unknown.
	MonthlyCents int64
	// DryRun, when set, shows what would be sent instead of doing it.
	DryRun func(ctx context.Context) (chat.Message, error)
}

// Store is what planning reads of the bot's records.
type Store interface {
	App(ctx context.Context, name string) (dobot.App, error)
	ActiveOperation(ctx context.Context, app string) (dobot.Operation, error)
}

// Sealer seals secret values that a plan stores until they are sent.
type Sealer interface {
	SealLaunch(args LaunchArgs) LaunchArgs
	SealSpec(spec *godo.AppSpec) *godo.AppSpec
	PreviousDeployment(ctx context.Context, app *godo.App) (*godo.Deployment, error)
}

// Config holds the settings planning needs.
type Config struct {
	Region       string // default region slug, e.g. "nyc3"
	DropletImage string // DO_DROPLET_IMAGE, or "" for DigitalOcean's Docker image
}

// Deps are a Planner's collaborators.
type Deps struct {
	Store  Store
	Cloud  docloud.Cloud
	Images docloud.Images // nil skips the pre-flight check
	Seal   Sealer
	Log    *slog.Logger
	Now    func() time.Time
}

// Planner plans operations. It is safe for concurrent use.
type Planner struct {
	store  Store
	cloud  docloud.Cloud
	apps   godo.AppsService
	images docloud.Images
	exec   Sealer
	log    *slog.Logger
	now    func() time.Time
	cfg    Config
	prices priceList
}

// New returns a Planner.
func New(cfg Config, d Deps) *Planner {
	return &Planner{store: d.Store, cloud: d.Cloud, apps: d.Cloud.Apps, images: d.Images, exec: d.Seal, log: d.Log, now: d.Now, cfg: cfg}
}

func userErrorf(format string, a ...any) error { return reply.Errorf(format, a...) }

// Escape cleans untrusted text of tokens.
func Escape(s string) string { return reply.Escape(s) }

// The operations' arguments are package deploy's.
type (
	LaunchArgs        = deploy.LaunchArgs
	ChangeArgs        = deploy.ChangeArgs
	TeardownArgs      = deploy.TeardownArgs
	DropletActionArgs = deploy.DropletActionArgs
	RegistryArgs      = deploy.RegistryArgs
)

// parseImageRef is dobot.ParseImageRef with its refusal as a user error.
func parseImageRef(s string) (dobot.ImageRef, error) {
	ref, err := dobot.ParseImageRef(s)
	return ref, reply.FromDomain(err)
}

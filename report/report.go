// Package report builds the read-only pictures of apps, requests and
// operations: what `/do status`, `/do list`, `/do ops` and `/do history`
// answer, and the Home tab's page, kept current. It reads the store, the
// planner and DigitalOcean through narrow interfaces and returns neutral
// chat messages; the command handlers decide where they go. It decides
// nothing and changes nothing but the Home tabs it publishes.
package report

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/chatview"
	"dobot/deploy"
	"dobot/holds"
)

// Store is the records the pictures are drawn from (store.DB).
type Store interface {
	App(ctx context.Context, name string) (dobot.App, error)
	Apps(ctx context.Context) ([]dobot.App, error)
	ActiveOperation(ctx context.Context, app string) (dobot.Operation, error)
	UnfinishedOperations(ctx context.Context) ([]dobot.Operation, error)
	OperationsOn(ctx context.Context, resourceID string) ([]dobot.Operation, error)
	Role(ctx context.Context, userID string) (dobot.Role, error)
	UsersWithRole(ctx context.Context, role dobot.Role) ([]string, error)
	HomeStore
}

// Planner finds the bot's apps on DigitalOcean (plan.Planner).
type Planner interface {
	// ManagedApp is the record of an app the bot manages, or a user error.
	ManagedApp(ctx context.Context, name string) (dobot.App, error)
	// GetApp is a managed app as DigitalOcean has it, or a user error
	// when it was deleted outside the bot.
	GetApp(ctx context.Context, managed dobot.App) (*godo.App, error)
	// ListApps is every app on the account by id.
	ListApps(ctx context.Context) (map[string]*godo.App, error)
	// GoneFromDO reports whether a managed droplet or app is gone.
	GoneFromDO(ctx context.Context, managed dobot.App) (bool, error)
}

// HoldReader reads the locks and freezes in force (holds.Service); the
// pictures show them, package holds words them.
type HoldReader interface {
	// Holds are every lock and freeze in force.
	Holds(ctx context.Context) (holds.Holds, error)
	// Lines are the lines about app's lock and freezes, "" when nothing
	// holds it or they cannot be read.
	Lines(ctx context.Context, app string) string
}

// Linker links to a message (chat.Chat).
type Linker interface {
	Permalink(ctx context.Context, ref chat.Ref) (string, error)
}

// Deps are what the pictures are drawn from.
type Deps struct {
	Store Store
	Plan  Planner
	Apps  godo.AppsService
	// DeploymentState is where an app's deployment is (deploy.Executor).
	DeploymentState func(ctx context.Context, app *godo.App, depID string) (deploy.LaunchState, error)
	// DropletStatus describes a managed droplet.
	DropletStatus func(ctx context.Context, managed dobot.App) (chat.Message, error)
	Holds         HoldReader
	// Deploys reports whether op's work is an App Platform deployment,
	// which DigitalOcean can cancel.
	Deploys func(op dobot.Operation) bool
	// Chat links to an app's launch thread.
	Chat Linker
	// Views publishes Home tabs; nil: the adapter has none.
	Views chatview.Views
	Log   *slog.Logger
	Now   func() time.Time
}

// Board draws the pictures. It is safe for concurrent use.
type Board struct {
	d Deps

	mu   sync.Mutex
	urls map[string]string // live URL by app id; an app's URL does not change
}

// New returns a board drawing from d.
func New(d Deps) *Board {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Board{d: d, urls: map[string]string{}}
}

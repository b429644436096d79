// Package manage changes what the bot manages without touching
// DigitalOcean: adopt takes an app or droplet the bot did not create under
// its management; forget drops the record of one deleted outside the bot,
// which stays in the store (every command on it pointing at forget) until
// someone does.
package manage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/cmdline"
	"dobot/deploy"
	"dobot/docloud"
	"dobot/reply"
)

// Store is the record of what the bot manages, and the operation holding
// an app.
type Store interface {
	App(ctx context.Context, name string) (dobot.App, error)
	PutApp(ctx context.Context, app dobot.App) error
	DeleteApp(ctx context.Context, name string) error
	ActiveOperation(ctx context.Context, app string) (dobot.Operation, error)
}

// Finder finds apps and droplets on DigitalOcean, and what they cost
// (plan.Planner's).
type Finder interface {
	ManagedApp(ctx context.Context, name string) (dobot.App, error)
	GoneFromDO(ctx context.Context, managed dobot.App) (bool, error)
	AppByName(ctx context.Context, name string) (*godo.App, error)
	DropletByName(ctx context.Context, name string) (*godo.Droplet, error)
	AppCost(ctx context.Context, slug string, instances int) (int64, error)
}

// Deps are a Manager's collaborators.
type Deps struct {
	Store  Store
	Finder Finder
	Chat   chat.Chat
	Now    func() time.Time
	Log    *slog.Logger
}

// Manager adopts and forgets apps.
type Manager struct{ d Deps }

// New returns a Manager.
func New(d Deps) *Manager { return &Manager{d: d} }

// Who is the person adopting or forgetting, with their role, and where.
type Who struct {
	UserID, Channel string
	Role            dobot.Role
}

// AdoptArgs are adopt's parsed arguments.
type AdoptArgs struct {
	Name    string
	Droplet bool
}

// Target is the app adopted.
func (a AdoptArgs) Target() string { return a.Name }

// ParseAdopt reads `adopt NAME [--droplet]`.
func ParseAdopt(words []string) (AdoptArgs, error) {
	fs := cmdline.NewFlagSet("adopt")
	droplet := fs.Bool("droplet", false, "")
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return AdoptArgs{}, err
	}
	if len(pos) != 1 {
		return AdoptArgs{}, reply.Errorf("adopt takes one name, like `/do adopt legacy-api`")
	}
	if err := reply.FromDomain(dobot.ValidAppName(pos[0])); err != nil {
		return AdoptArgs{}, err
	}
	return AdoptArgs{Name: pos[0], Droplet: *droplet}, nil
}

// Adopt records args' app or droplet as managed by the bot, owned by who,
// and returns the private answer.
func (m *Manager) Adopt(ctx context.Context, who Who, args AdoptArgs) (chat.Message, error) {
	if existing, err := m.d.Store.App(ctx, args.Name); err == nil {
		return chat.Message{}, reply.Errorf("the bot already manages %s (owner %s).", args.Name, reply.Markup(chat.Mention(existing.Owner)))
	} else if !errors.Is(err, dobot.ErrNotFound) {
		return chat.Message{}, err
	}
	rec := dobot.App{Name: args.Name, Owner: who.UserID, Channel: who.Channel, CreatedAt: m.d.Now(), Adopted: true}
	var err error
	if args.Droplet {
		err = m.droplet(ctx, &rec)
	} else {
		err = m.app(ctx, &rec)
	}
	if err != nil {
		return chat.Message{}, err
	}
	if err := m.d.Store.PutApp(ctx, rec); err != nil {
		return chat.Message{}, fmt.Errorf("adopt %s: %w", args.Name, err)
	}
	return chat.Message{Text: fmt.Sprintf(chat.IconHandover+" The bot now manages %s (%s id `%s`), owned by %s.", rec.Name, rec.Kind, rec.ResourceID, chat.Mention(rec.Owner))}, nil
}

// droplet fills rec in from the droplet of its name.
func (m *Manager) droplet(ctx context.Context, rec *dobot.App) error {
	d, err := m.d.Finder.DropletByName(ctx, rec.Name)
	if err != nil {
		return err
	}
	rec.Kind, rec.ResourceID, rec.Region, rec.Size = deploy.KindDroplet, strconv.Itoa(d.ID), d.Region.Slug, d.SizeSlug
	if d.Image != nil {
		rec.Image = d.Image.Slug
	}
	if d.Size != nil {
		rec.MonthlyCents = int64(math.Round(d.Size.PriceMonthly * 100))
	}
	return nil
}

// app fills rec in from the App Platform app of its name.
func (m *Manager) app(ctx context.Context, rec *dobot.App) error {
	app, err := m.d.Finder.AppByName(ctx, rec.Name)
	if err != nil {
		return err
	}
	rec.Kind, rec.ResourceID = deploy.KindApp, app.ID
	if app.Region != nil {
		rec.Region = app.Region.Slug
	}
	if app.Spec != nil {
		for _, svc := range app.Spec.Services {
			if svc.Image != nil && rec.Image == "" {
				rec.Image = docloud.ImageText(svc.Image)
			}
			if c, err := m.d.Finder.AppCost(ctx, svc.InstanceSizeSlug, int(svc.InstanceCount)); err == nil {
				rec.MonthlyCents += c
			}
		}
	}
	return nil
}

// ForgetArgs name the app whose record forget drops.
type ForgetArgs struct{ Name string }

// Target is the app forgotten.
func (a ForgetArgs) Target() string { return a.Name }

// ParseForget reads `forget NAME`.
func ParseForget(words []string) (ForgetArgs, error) {
	if len(words) != 1 {
		return ForgetArgs{}, reply.Errorf("forget takes one app name, like `/do forget web`")
	}
	if err := reply.FromDomain(dobot.ValidAppName(words[0])); err != nil {
		return ForgetArgs{}, err
	}
	return ForgetArgs{Name: words[0]}, nil
}

// Forget drops the record of name, deleted outside the bot, when who
// owns it or is an admin and nothing holds it, says so in its launch
// thread, and returns the private answer.
func (m *Manager) Forget(ctx context.Context, who Who, name string) (chat.Message, error) {
	managed, err := m.d.Finder.ManagedApp(ctx, name)
	if err != nil {
		return chat.Message{}, err
	}
	if managed.Owner != who.UserID && who.Role < dobot.RoleAdmin {
		return chat.Message{}, reply.Errorf("Only %s, who launched %s, or an admin may forget it. Nothing was changed.", reply.Markup(chat.Mention(managed.Owner)), name)
	}
	if holder, err := m.d.Store.ActiveOperation(ctx, name); err == nil {
		return chat.Message{}, reply.Errorf("%s cannot be forgotten now: %s (%s) holds it. Nothing was changed.", name, deploy.Ref(holder), deploy.What(holder))
	} else if !errors.Is(err, dobot.ErrNotFound) {
		return chat.Message{}, fmt.Errorf("look for operations on %s: %w", name, err)
	}
	gone, err := m.d.Finder.GoneFromDO(ctx, managed)
	if err != nil {
		return chat.Message{}, err
	}
	if !gone {
		return chat.Message{}, reply.Errorf("DigitalOcean still has %s (id %s), so the bot keeps its record. `/do teardown %s` deletes it. Nothing was changed.", name, managed.ResourceID, name)
	}
	if err := m.d.Store.DeleteApp(ctx, name); err != nil {
		return chat.Message{}, fmt.Errorf("forget %s: %w", name, err)
	}
	text := fmt.Sprintf("%s %s forgot %s, which was deleted outside the bot (id %s). It is no longer listed or counted.",
		chat.IconClean, chat.Mention(who.UserID), reply.Escape(name), reply.Escape(managed.ResourceID))
	if managed.ThreadTS != "" {
		if _, err := m.d.Chat.Reply(ctx, deploy.ThreadOf(managed), chat.Message{Text: text}); err != nil {
			m.d.Log.Warn("note forget in launch thread", "app", name, "err", err)
		}
	}
	return chat.Message{Text: text}, nil
}

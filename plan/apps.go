package plan

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/docloud"
	"dobot/reply"
)

// ManagedApp looks up an app the bot manages, with a user error when it
// does not.
func (b *Planner) ManagedApp(ctx context.Context, name string) (dobot.App, error) {
	app, err := b.store.App(ctx, name)
	if errors.Is(err, dobot.ErrNotFound) {
		// A launch in flight holds the name before the app is recorded:
		// say so rather than deny that the app exists.
		if err := b.BeingLaunched(ctx, name); err != nil {
			return app, err
		}
		return app, userErrorf("the bot manages no app named %s. `/do status` lists the apps it manages.", name)
	}
	if err != nil {
		return app, fmt.Errorf("look up app %q: %w", name, err)
	}
	return app, nil
}

// BeingLaunched is the answer about an app whose launch holds its name but
// has not recorded it yet (waiting for approval, or creating), or nil.
func (b *Planner) BeingLaunched(ctx context.Context, name string) error {
	op, err := b.store.ActiveOperation(ctx, name)
	if err != nil || op.Action != deploy.ActionLaunch {
		return nil
	}
	return userErrorf("%s is still being launched: %s, requested by %s, is %s. Its card and thread in %s show its progress; try again once it is live, or stop it with `/do cancel %d`.",
		name, deploy.Ref(op), reply.Markup(chat.Mention(op.Requester)), strings.ReplaceAll(string(op.State), "_", " "), reply.Markup(chat.Channel(op.Channel)), op.ID)
}

// ListApps returns every app on the account by id (docloud.AppsByID).
func (b *Planner) ListApps(ctx context.Context) (map[string]*godo.App, error) {
	return docloud.AppsByID(ctx, b.apps)
}

// AppByName finds an App Platform app by name, with a user error when
// there is none.
func (b *Planner) AppByName(ctx context.Context, name string) (*godo.App, error) {
	apps, err := b.ListApps(ctx)
	if err != nil {
		return nil, err
	}
	for _, app := range apps {
		if app.Spec != nil && app.Spec.Name == name {
			return app, nil
		}
	}
	return nil, userErrorf("DigitalOcean has no App Platform app named %s (add --droplet for a droplet).", name)
}

// DropletByName finds a droplet by name, with a user error when there is
// none or the name is ambiguous.
func (b *Planner) DropletByName(ctx context.Context, name string) (*godo.Droplet, error) {
	ds, _, err := b.cloud.Droplets.ListByName(ctx, name, &godo.ListOptions{Page: 1, PerPage: 50})
	if err != nil {
		return nil, fmt.Errorf("find droplet %s: %w", name, err)
	}
	switch len(ds) {
	case 0:
		return nil, userErrorf("DigitalOcean has no droplet named %s.", name)
	case 1:
		return &ds[0], nil
	}
	return nil, userErrorf("%d droplets are named %s; the bot adopts only a unique name.", len(ds), name)
}

package plan

import (
	"context"
	"fmt"
	"strconv"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/deploy"
	"dobot/docloud"
)

// GoneError is the answer about an app DigitalOcean no longer has.
func GoneError(managed dobot.App) error {
	what := "app"
	if managed.Kind == deploy.KindDroplet {
		what = "droplet"
	}
	return userErrorf("%s was deleted outside the bot: DigitalOcean no longer has the %s (id %s). `/do forget %s` drops the bot's record of it. Nothing was changed.",
		managed.Name, what, managed.ResourceID, managed.Name)
}

// GetApp reads a managed App Platform app from DigitalOcean, with
// GoneError when it was deleted outside the bot.
func (b *Planner) GetApp(ctx context.Context, managed dobot.App) (*godo.App, error) {
	app, _, err := b.apps.Get(ctx, managed.ResourceID)
	if docloud.IsNotFound(err) {
		return nil, GoneError(managed)
	}
	if err != nil {
		return nil, fmt.Errorf("get app %s: %w", managed.ResourceID, err)
	}
	return app, nil
}

// GoneFromDO reports whether DigitalOcean no longer has managed's app or
// droplet. Any other failure to find out is an error, never "gone".
func (b *Planner) GoneFromDO(ctx context.Context, managed dobot.App) (bool, error) {
	var err error
	if managed.Kind == deploy.KindDroplet {
		id, convErr := strconv.Atoi(managed.ResourceID)
		if convErr != nil {
			return false, fmt.Errorf("droplet id %q of %s: %w", managed.ResourceID, managed.Name, convErr)
		}
		_, _, err = b.cloud.Droplets.Get(ctx, id)
	} else {
		_, _, err = b.apps.Get(ctx, managed.ResourceID)
	}
	if docloud.IsNotFound(err) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up %s on DigitalOcean: %w", managed.Name, err)
	}
	return false, nil
}

// RefuseIfGone is goneError when DigitalOcean no longer has managed, nil
// when it does.
func (b *Planner) RefuseIfGone(ctx context.Context, managed dobot.App) error {
	gone, err := b.GoneFromDO(ctx, managed)
	if err != nil {
		return err
	}
	if gone {
		return GoneError(managed)
	}
	return nil
}

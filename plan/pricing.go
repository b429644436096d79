package plan

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/digitalocean/godo"

	"dobot/docloud"
)

// priceList is the bot's price cache, built on first use from the bot's
// DigitalOcean services and clock.
type priceList struct {
	once sync.Once
	p    *docloud.Prices
}

// Prices is the bot's price list, built on first use.
func (b *Planner) Prices() *docloud.Prices {
	b.prices.once.Do(func() {
		b.prices.p = &docloud.Prices{Apps: b.apps, Sizes: b.cloud.Sizes, Now: b.now}
	})
	return b.prices.p
}

// AppSizes are App Platform's instance sizes.
func (b *Planner) AppSizes(ctx context.Context) ([]*godo.AppInstanceSize, error) {
	return b.Prices().AppSizes(ctx)
}

// DropletSizes are the droplet sizes.
func (b *Planner) DropletSizes(ctx context.Context) ([]godo.Size, error) {
	return b.Prices().DropletSizes(ctx)
}

// AppCost is the monthly price in cents of instances of size slug, with a
// user error naming the sizes there are when slug is unknown.
func (b *Planner) AppCost(ctx context.Context, slug string, instances int) (int64, error) {
	c, err := b.Prices().AppCost(ctx, slug, instances)
	return c, sizeError(err)
}

// AppSize is the instance size slug names (App Platform's default size when
// slug is empty), with a user error naming the sizes there are when it is
// unknown.
func (b *Planner) AppSize(ctx context.Context, slug string) (*godo.AppInstanceSize, error) {
	sz, err := b.Prices().AppSize(ctx, slug)
	return sz, sizeError(err)
}

// sizeError turns docloud's unknown size into a user error that names the
// sizes there are and the command that prices them.
func sizeError(err error) error {
	var ue *docloud.UnknownSizeError
	if !errors.As(err, &ue) {
		return err
	}
	switch {
	case ue.Unavailable:
		return userErrorf("droplet size %s is not available now; `/do sizes --droplet` lists the ones that are.", ue.Slug)
	case ue.Droplet:
		return userErrorf("DigitalOcean has no droplet size %q. Sizes: %s (`/do sizes --droplet` shows prices).", ue.Slug, strings.Join(ue.Known, ", "))
	}
	return userErrorf("App Platform has no instance size %q. Sizes: %s (`/do sizes` shows prices).", ue.Slug, strings.Join(ue.Known, ", "))
}

// CheckAppSize applies App Platform's size rules (docloud.CheckAppSize,
// the one rule launch, redeploy and scale share) before anything is sent:
// an unknown size, or more than one instance of a single-instance size,
// is refused, naming the sizes that allow more. It returns a note for the
// card when DigitalOcean intends to retire the size.
func (b *Planner) CheckAppSize(ctx context.Context, slug string, instances int) (note string, err error) {
	sz, retiring, err := docloud.CheckAppSize(ctx, b.Prices(), slug, instances)
	if err != nil {
		return "", SizeRuleError(err, slug, "Nothing was created.")
	}
	if retiring {
		note = retiringNote(sz.Slug)
	}
	return note, nil
}

// DropletCost is the monthly price in cents of a droplet size.
func (b *Planner) DropletCost(ctx context.Context, slug string) (int64, error) {
	c, err := b.Prices().DropletCost(ctx, slug)
	return c, sizeError(err)
}

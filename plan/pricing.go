package plan

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/digitalocean/godo"

	"dobot/chat"
	"dobot/deploy"
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

// CheckAppSize refuses more than one instance of a single-instance size, as
// App Platform would only after the create (and after any approval), and
// names the sizes that allow more. It returns a note for the card when
// DigitalOcean intends to retire the size.
func (b *Planner) CheckAppSize(ctx context.Context, slug string, instances int) (note string, err error) {
	sz, err := b.AppSize(ctx, slug)
	if err != nil {
		return "", err
	}
	if sz.SingleInstanceOnly && instances > 1 {
		sizes, _ := b.AppSizes(ctx)
		var more []string
		for _, s := range sizes {
			if !s.SingleInstanceOnly && !s.DeprecationIntent {
				more = append(more, fmt.Sprintf("%s (%s/month)", s.Slug, deploy.Money(docloud.Cents(s.USDPerMonth))))
			}
		}
		which := "size " + sz.Slug
		if slug == "" {
			which = "the default size, " + sz.Slug + ","
		}
		return "", userErrorf("%s runs one instance only, so --instances %d cannot work. Pick a size that allows more with --size: %s. Nothing was created.",
			which, instances, strings.Join(more, ", "))
	}
	if sz.DeprecationIntent {
		note = fmt.Sprintf(chat.IconWarning+" DigitalOcean intends to retire size %s; it runs today, but pick another (`/do sizes`) for anything that should last.", sz.Slug)
	}
	return note, nil
}

// DropletCost is the monthly price in cents of a droplet size.
func (b *Planner) DropletCost(ctx context.Context, slug string) (int64, error) {
	c, err := b.Prices().DropletCost(ctx, slug)
	return c, sizeError(err)
}

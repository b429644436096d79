package commands

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/digitalocean/godo"

	"dobot/chat"
	"dobot/docloud"
)

// priceList is the bot's price cache, built on first use from the bot's
// DigitalOcean services and clock.
type priceList struct {
	once sync.Once
	p    *docloud.Prices
}

func (b *Bot) priceCache() *docloud.Prices {
	b.prices.once.Do(func() {
		b.prices.p = &docloud.Prices{Apps: b.apps, Sizes: b.cloud.Sizes, Now: b.now}
	})
	return b.prices.p
}

func (b *Bot) appSizes(ctx context.Context) ([]*godo.AppInstanceSize, error) {
	return b.priceCache().AppSizes(ctx)
}

func (b *Bot) dropletSizes(ctx context.Context) ([]godo.Size, error) {
	return b.priceCache().DropletSizes(ctx)
}

// appCost is the monthly price in cents of instances of size slug, with a
// user error naming the sizes there are when slug is unknown.
func (b *Bot) appCost(ctx context.Context, slug string, instances int) (int64, error) {
	c, err := b.priceCache().AppCost(ctx, slug, instances)
	return c, sizeError(err)
}

// appSize is the instance size slug names (App Platform's default size when
// slug is empty), with a user error naming the sizes there are when it is
// unknown.
func (b *Bot) appSize(ctx context.Context, slug string) (*godo.AppInstanceSize, error) {
	sz, err := b.priceCache().AppSize(ctx, slug)
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

// checkAppSize refuses more than one instance of a single-instance size, as
// App Platform would only after the create (and after any approval), and
// names the sizes that allow more. It returns a note for the card when
// DigitalOcean intends to retire the size.
func (b *Bot) checkAppSize(ctx context.Context, slug string, instances int) (note string, err error) {
	sz, err := b.appSize(ctx, slug)
	if err != nil {
		return "", err
	}
	if sz.SingleInstanceOnly && instances > 1 {
		sizes, _ := b.appSizes(ctx)
		var more []string
		for _, s := range sizes {
			if !s.SingleInstanceOnly && !s.DeprecationIntent {
				more = append(more, fmt.Sprintf("%s (%s/month)", s.Slug, money(docloud.Cents(s.USDPerMonth))))
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

// dropletCost is the monthly price in cents of a droplet size.
func (b *Bot) dropletCost(ctx context.Context, slug string) (int64, error) {
	c, err := b.priceCache().DropletCost(ctx, slug)
	return c, sizeError(err)
}

// money writes cents as dollars.
func money(c int64) string {
	return fmt.Sprintf("$%d.%02d", c/100, c%100)
}

// SizesArgs are sizes's parsed arguments.
type SizesArgs struct{ Droplet bool }

var sizesCommand = &Command{
	Name:        "sizes",
	Usage:       "sizes [--droplet]",
	Description: "List App Platform instance sizes with their monthly price; --droplet lists droplet sizes.",
	Examples:    []string{"sizes", "sizes --droplet"},
	MinRole:     0, // prices are public
	Parse: func(words []string, _ Config) (any, error) {
		fs := newFlagSet("sizes")
		droplet := fs.Bool("droplet", false, "")
		pos, err := parseFlags(fs, words)
		if err != nil {
			return nil, err
		}
		if len(pos) > 0 {
			return nil, userErrorf("sizes takes only --droplet, not %q", strings.Join(pos, " "))
		}
		return SizesArgs{Droplet: *droplet}, nil
	},
	Run: func(ctx context.Context, b *Bot, inv *Invocation) error {
		var sb strings.Builder
		args, err := argsOf[SizesArgs](inv)
		if err != nil {
			return err
		}
		if args.Droplet {
			sizes, err := b.dropletSizes(ctx)
			if err != nil {
				return err
			}
			sb.WriteString("*Droplet sizes* (monthly price)\n")
			for _, s := range sizes {
				if !s.Available {
					continue
				}
				fmt.Fprintf(&sb, "• `%s` — %d vCPU, %d MB, %d GB disk — %s/month\n", s.Slug, s.Vcpus, s.Memory, s.Disk, money(docloud.DollarsToCents(s.PriceMonthly)))
			}
		} else {
			sizes, err := b.appSizes(ctx)
			if err != nil {
				return err
			}
			sb.WriteString("*App Platform instance sizes* (monthly price per instance)\n")
			for _, s := range sizes {
				extra := ""
				if s.SingleInstanceOnly {
					extra += " — one instance only"
				}
				if s.DeprecationIntent {
					extra += " — being retired"
				}
				fmt.Fprintf(&sb, "• `%s` — %s vCPU (%s), %s — %s/month%s\n", s.Slug, s.CPUs, strings.ToLower(string(s.CPUType)), memText(s.MemoryBytes), money(docloud.Cents(s.USDPerMonth)), extra)
			}
		}
		b.tell(ctx, inv.Req, infoMessage(sb.String()))
		return nil
	},
}

func memText(bytes string) string {
	n, err := strconv.ParseInt(bytes, 10, 64)
	if err != nil || n <= 0 {
		return bytes + " bytes"
	}
	if n >= 1<<30 {
		return fmt.Sprintf("%g GB", float64(n)/(1<<30))
	}
	return fmt.Sprintf("%d MB", n>>20)
}

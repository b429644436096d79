package commands

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/digitalocean/godo"
)

// priceTTL is how long DigitalOcean's price lists are reused; prices change
// rarely, and every launch card needs them.
const priceTTL = 10 * time.Minute

// defaultAppSize is the size App Platform gives a service that names none.
const defaultAppSize = "apps-s-1vcpu-0.5gb"

// priceList caches DigitalOcean's App Platform instance sizes and droplet
// sizes. Prices always come from the API.
type priceList struct {
	mu        sync.Mutex
	appSizes  []*godo.AppInstanceSize
	appAt     time.Time
	dropSizes []godo.Size
	dropletAt time.Time
}

func (b *Bot) appSizes(ctx context.Context) ([]*godo.AppInstanceSize, error) {
	p := &b.prices
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.appSizes != nil && b.now().Sub(p.appAt) < priceTTL {
		return p.appSizes, nil
	}
	sizes, _, err := b.apps.ListInstanceSizes(ctx)
	if err != nil {
		return nil, fmt.Errorf("list App Platform instance sizes: %w", err)
	}
	sort.Slice(sizes, func(i, j int) bool { return cents(sizes[i].USDPerMonth) < cents(sizes[j].USDPerMonth) })
	p.appSizes, p.appAt = sizes, b.now()
	return sizes, nil
}

func (b *Bot) dropletSizes(ctx context.Context) ([]godo.Size, error) {
	p := &b.prices
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dropSizes != nil && b.now().Sub(p.dropletAt) < priceTTL {
		return p.dropSizes, nil
	}
	var all []godo.Size
	err := eachPage(200, func(opt *godo.ListOptions) (*godo.Response, error) {
		sizes, resp, err := b.cloud.Sizes.List(ctx, opt)
		all = append(all, sizes...)
		return resp, err
	})
	if err != nil {
		return nil, fmt.Errorf("list droplet sizes: %w", err)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].PriceMonthly < all[j].PriceMonthly })
	p.dropSizes, p.dropletAt = all, b.now()
	return all, nil
}

// appCost is the monthly price in cents of instances of size slug, with a
// user error naming the sizes there are when slug is unknown.
func (b *Bot) appCost(ctx context.Context, slug string, instances int) (int64, error) {
	sz, err := b.appSize(ctx, slug)
	if err != nil {
		return 0, err
	}
	if instances <= 0 {
		instances = 1
	}
	return cents(sz.USDPerMonth) * int64(instances), nil
}

// appSize is the instance size slug names (App Platform's default size when
// slug is empty), with a user error naming the sizes there are when it is
// unknown.
func (b *Bot) appSize(ctx context.Context, slug string) (*godo.AppInstanceSize, error) {
	if slug == "" {
		slug = defaultAppSize
	}
	sizes, err := b.appSizes(ctx)
	if err != nil {
		return nil, err
	}
	var known []string
	for _, s := range sizes {
		if s.Slug == slug {
			return s, nil
		}
		known = append(known, s.Slug)
	}
	return nil, userErrorf("App Platform has no instance size %q. Sizes: %s (`/do sizes` shows prices).", slug, strings.Join(known, ", "))
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
				more = append(more, fmt.Sprintf("%s (%s/month)", s.Slug, money(cents(s.USDPerMonth))))
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
		note = fmt.Sprintf(":warning: DigitalOcean intends to retire size %s; it runs today, but pick another (`/do sizes`) for anything that should last.", sz.Slug)
	}
	return note, nil
}

// dropletCost is the monthly price in cents of a droplet size.
func (b *Bot) dropletCost(ctx context.Context, slug string) (int64, error) {
	sizes, err := b.dropletSizes(ctx)
	if err != nil {
		return 0, err
	}
	var known []string
	for _, s := range sizes {
		if s.Slug == slug {
			if !s.Available {
				return 0, userErrorf("droplet size %s is not available now; `/do sizes --droplet` lists the ones that are.", slug)
			}
			return int64(math.Round(s.PriceMonthly * 100)), nil
		}
		known = append(known, s.Slug)
	}
	return 0, userErrorf("DigitalOcean has no droplet size %q. Sizes: %s (`/do sizes --droplet` shows prices).", slug, strings.Join(known, ", "))
}

// cents parses a price like "12.00" into cents; unparsable prices count 0.
func cents(usd string) int64 {
	f, err := strconv.ParseFloat(usd, 64)
	if err != nil {
		return 0
	}
	return int64(math.Round(f * 100))
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
		if inv.Args.(SizesArgs).Droplet {
			sizes, err := b.dropletSizes(ctx)
			if err != nil {
				return err
			}
			sb.WriteString("*Droplet sizes* (monthly price)\n")
			for _, s := range sizes {
				if !s.Available {
					continue
				}
				fmt.Fprintf(&sb, "• `%s` — %d vCPU, %d MB, %d GB disk — %s/month\n", s.Slug, s.Vcpus, s.Memory, s.Disk, money(int64(math.Round(s.PriceMonthly*100))))
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
				fmt.Fprintf(&sb, "• `%s` — %s vCPU (%s), %s — %s/month%s\n", s.Slug, s.CPUs, strings.ToLower(string(s.CPUType)), memText(s.MemoryBytes), money(cents(s.USDPerMonth)), extra)
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

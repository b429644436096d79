package docloud

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/digitalocean/godo"
	"golang.org/x/sync/singleflight"
)

// PriceTTL is how long DigitalOcean's price lists are reused; prices change
// rarely, and every launch card needs them.
const PriceTTL = 10 * time.Minute

// DefaultAppSize is the size App Platform gives a service that names none.
const DefaultAppSize = "apps-s-1vcpu-0.5gb"

// fetchTimeout bounds one shared fetch of a price list. The fetch outlives
// the caller that started it, so that callers waiting on it are not failed
// by that caller's deadline.
const fetchTimeout = 30 * time.Second

// Prices caches DigitalOcean's App Platform instance sizes and droplet
// sizes. Prices always come from the API. Concurrent callers share one
// request (singleflight), no lock is held while it runs, and every caller
// gets its own copy of the list. It is safe for concurrent use.
type Prices struct {
	Apps  godo.AppsService
	Sizes godo.SizesService
	Now   func() time.Time // default time.Now

	group singleflight.Group

	mu       sync.Mutex // guards the cached lists, never held across a call
	appSizes []*godo.AppInstanceSize
	appAt    time.Time
	dropSize []godo.Size
	dropAt   time.Time
}

func (p *Prices) now() time.Time {
	if p.Now == nil {
		return time.Now()
	}
	return p.Now()
}

// AppSizes lists App Platform's instance sizes, cheapest first.
func (p *Prices) AppSizes(ctx context.Context) ([]*godo.AppInstanceSize, error) {
	p.mu.Lock()
	cached, at := p.appSizes, p.appAt
	p.mu.Unlock()
	if cached != nil && p.now().Sub(at) < PriceTTL {
		return copyAppSizes(cached), nil
	}
	v, err := p.shared(ctx, "apps", func(ctx context.Context) (any, error) {
		sizes, _, err := p.Apps.ListInstanceSizes(ctx)
		if err != nil {
			return nil, fmt.Errorf("list App Platform instance sizes: %w", err)
		}
		sort.Slice(sizes, func(i, j int) bool { return Cents(sizes[i].USDPerMonth) < Cents(sizes[j].USDPerMonth) })
		p.mu.Lock()
		p.appSizes, p.appAt = sizes, p.now()
		p.mu.Unlock()
		return sizes, nil
	})
	if err != nil {
		return nil, err
	}
	return copyAppSizes(v.([]*godo.AppInstanceSize)), nil
}

// DropletSizes lists droplet sizes, cheapest first.
func (p *Prices) DropletSizes(ctx context.Context) ([]godo.Size, error) {
	p.mu.Lock()
	cached, at := p.dropSize, p.dropAt
	p.mu.Unlock()
	if cached != nil && p.now().Sub(at) < PriceTTL {
		return copyDropletSizes(cached), nil
	}
	v, err := p.shared(ctx, "droplets", func(ctx context.Context) (any, error) {
		var all []godo.Size
		err := EachPage(200, func(opt *godo.ListOptions) (*godo.Response, error) {
			sizes, resp, err := p.Sizes.List(ctx, opt)
			all = append(all, sizes...)
			return resp, err
		})
		if err != nil {
			return nil, fmt.Errorf("list droplet sizes: %w", err)
		}
		sort.Slice(all, func(i, j int) bool { return all[i].PriceMonthly < all[j].PriceMonthly })
		p.mu.Lock()
		p.dropSize, p.dropAt = all, p.now()
		p.mu.Unlock()
		return all, nil
	})
	if err != nil {
		return nil, err
	}
	return copyDropletSizes(v.([]godo.Size)), nil
}

// shared runs fetch once for all concurrent callers of key. The fetch runs
// on ctx's values without its cancellation, under its own timeout, so that
// each caller can give up on its own context while the others keep
// waiting.
func (p *Prices) shared(ctx context.Context, key string, fetch func(context.Context) (any, error)) (any, error) {
	ch := p.group.DoChan(key, func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
		defer cancel()
		return fetch(fctx)
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-ch:
		return r.Val, r.Err
	}
}

func copyAppSizes(in []*godo.AppInstanceSize) []*godo.AppInstanceSize {
	out := make([]*godo.AppInstanceSize, len(in))
	for i, s := range in {
		c := *s
		out[i] = &c
	}
	return out
}

func copyDropletSizes(in []godo.Size) []godo.Size {
	out := slices.Clone(in)
	for i := range out {
		out[i].Regions = slices.Clone(out[i].Regions)
	}
	return out
}

// UnknownSizeError says that a size slug is not in DigitalOcean's list, or
// not available now; Known lists the slugs there are.
type UnknownSizeError struct {
	Slug        string
	Droplet     bool // a droplet size, else an App Platform instance size
	Unavailable bool // the droplet size exists but cannot be created now
	Known       []string
}

func (e *UnknownSizeError) Error() string {
	switch {
	case e.Unavailable:
		return fmt.Sprintf("droplet size %s is not available now", e.Slug)
	case e.Droplet:
		return fmt.Sprintf("DigitalOcean has no droplet size %q", e.Slug)
	}
	return fmt.Sprintf("App Platform has no instance size %q", e.Slug)
}

// AppSize is the instance size slug names (App Platform's default size when
// slug is empty), or an *UnknownSizeError.
func (p *Prices) AppSize(ctx context.Context, slug string) (*godo.AppInstanceSize, error) {
	if slug == "" {
		slug = DefaultAppSize
	}
	sizes, err := p.AppSizes(ctx)
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
	return nil, &UnknownSizeError{Slug: slug, Known: known}
}

// AppCost is the monthly price in cents of instances of size slug.
func (p *Prices) AppCost(ctx context.Context, slug string, instances int) (int64, error) {
	sz, err := p.AppSize(ctx, slug)
	if err != nil {
		return 0, err
	}
	if instances <= 0 {
		instances = 1
	}
	return Cents(sz.USDPerMonth) * int64(instances), nil
}

// DropletCost is the monthly price in cents of a droplet size that can be
// created now, or an *UnknownSizeError.
func (p *Prices) DropletCost(ctx context.Context, slug string) (int64, error) {
	sizes, err := p.DropletSizes(ctx)
	if err != nil {
		return 0, err
	}
	var known []string
	for _, s := range sizes {
		if s.Slug == slug {
			if !s.Available {
				return 0, &UnknownSizeError{Slug: slug, Droplet: true, Unavailable: true}
			}
			return DollarsToCents(s.PriceMonthly), nil
		}
		known = append(known, s.Slug)
	}
	return 0, &UnknownSizeError{Slug: slug, Droplet: true, Known: known}
}

// Cents parses a price like "12.00" into cents; unparsable prices count 0.
func Cents(usd string) int64 {
	f, err := strconv.ParseFloat(usd, 64)
	if err != nil {
		return 0
	}
	return DollarsToCents(f)
}

// DollarsToCents rounds a price in dollars to whole cents.
func DollarsToCents(usd float64) int64 { return int64(math.Round(usd * 100)) }

package docloud_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"dobot/docloud"
	"dobot/internal/dotest"
)

// blockingApps holds every ListInstanceSizes call until release is closed,
// and counts the calls.
type blockingApps struct {
	godo.AppsService
	started chan struct{} // receives once per call, when it begins
	release chan struct{}
	calls   atomic.Int32
}

func (a *blockingApps) ListInstanceSizes(ctx context.Context) ([]*godo.AppInstanceSize, *godo.Response, error) {
	a.calls.Add(1)
	a.started <- struct{}{}
	<-a.release
	return a.AppsService.ListInstanceSizes(ctx)
}

// TestPricesDoNotHoldALockAcrossTheCall: while one caller's fetch of the
// instance sizes hangs, a caller whose context ends returns at once, the
// droplet sizes can still be read, and a concurrent caller shares the one
// fetch instead of starting another.
func TestPricesDoNotHoldALockAcrossTheCall(t *testing.T) {
	_, client := newCloud(t, dotest.Options{})
	apps := &blockingApps{AppsService: client.Apps, started: make(chan struct{}, 4), release: make(chan struct{})}
	p := &docloud.Prices{Apps: apps, Sizes: client.Sizes}
	ctx := context.Background()

	type result struct {
		sizes []*godo.AppInstanceSize
		err   error
	}
	first := make(chan result, 1)
	go func() {
		s, err := p.AppSizes(ctx)
		first <- result{s, err}
	}()
	<-apps.started

	gone, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := p.AppSizes(gone); !errors.Is(err, context.Canceled) {
		t.Errorf("AppSizes(canceled ctx) while another fetch hangs = %v; want context.Canceled", err)
	}
	if sizes, err := p.DropletSizes(ctx); err != nil || len(sizes) == 0 {
		t.Errorf("DropletSizes while the instance sizes hang = %d sizes, %v; want the list", len(sizes), err)
	}

	var wg sync.WaitGroup
	second := make(chan result, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		s, err := p.AppSizes(ctx)
		second <- result{s, err}
	}()
	close(apps.release)
	wg.Wait()
	for _, r := range []result{<-first, <-second} {
		if r.err != nil || len(r.sizes) == 0 {
			t.Errorf("AppSizes = %d sizes, %v; want the list", len(r.sizes), r.err)
		}
	}
	if n := apps.calls.Load(); n != 1 {
		t.Errorf("ListInstanceSizes called %d times; want 1 shared call", n)
	}
}

// TestPricesReturnCopies: a caller that changes the list it got does not
// change what the next caller gets.
func TestPricesReturnCopies(t *testing.T) {
	_, client := newCloud(t, dotest.Options{})
	p := &docloud.Prices{Apps: client.Apps, Sizes: client.Sizes}
	ctx := context.Background()

	apps, err := p.AppSizes(ctx)
	if err != nil || len(apps) < 2 {
		t.Fatalf("AppSizes = %d sizes, %v", len(apps), err)
	}
	want := apps[0].Slug
	apps[0].Slug = "changed"
	slices.Reverse(apps)
	again, err := p.AppSizes(ctx)
	if err != nil || again[0].Slug != want {
		t.Errorf("AppSizes after a caller changed its copy: first = %q, %v; want %q", again[0].Slug, err, want)
	}

	drops, err := p.DropletSizes(ctx)
	if err != nil || len(drops) < 2 {
		t.Fatalf("DropletSizes = %d sizes, %v", len(drops), err)
	}
	wantDrop := drops[0].Slug
	drops[0].Slug = "changed"
	slices.Reverse(drops)
	dropsAgain, err := p.DropletSizes(ctx)
	if err != nil || dropsAgain[0].Slug != wantDrop {
		t.Errorf("DropletSizes after a caller changed its copy: first = %q, %v; want %q", dropsAgain[0].Slug, err, wantDrop)
	}
}

// TestPricesCacheForTheirTTL: the lists are fetched once per PriceTTL.
func TestPricesCacheForTheirTTL(t *testing.T) {
	srv, client := newCloud(t, dotest.Options{})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := &docloud.Prices{Apps: client.Apps, Sizes: client.Sizes, Now: func() time.Time { return now }}
	ctx := context.Background()
	const route = "GET /v2/apps/tiers/instance_sizes"
	for range 2 {
		if _, err := p.AppSizes(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Count(route); n != 1 {
		t.Fatalf("%s requested %d times within the TTL; want 1", route, n)
	}
	now = now.Add(docloud.PriceTTL)
	if _, err := p.AppSizes(ctx); err != nil {
		t.Fatal(err)
	}
	if n := srv.Count(route); n != 2 {
		t.Errorf("%s requested %d times after the TTL; want 2", route, n)
	}
}

// TestPricesUnknownSizes: an unknown slug names the sizes there are.
func TestPricesUnknownSizes(t *testing.T) {
	_, client := newCloud(t, dotest.Options{})
	p := &docloud.Prices{Apps: client.Apps, Sizes: client.Sizes}
	ctx := context.Background()

	var ue *docloud.UnknownSizeError
	if _, err := p.AppCost(ctx, "apps-nope", 1); !errors.As(err, &ue) || ue.Droplet || len(ue.Known) == 0 {
		t.Errorf("AppCost(apps-nope) = %v; want an UnknownSizeError naming the sizes", err)
	}
	if _, err := p.DropletCost(ctx, "s-nope"); !errors.As(err, &ue) || !ue.Droplet || len(ue.Known) == 0 {
		t.Errorf("DropletCost(s-nope) = %v; want an UnknownSizeError naming the sizes", err)
	}
	c, err := p.AppCost(ctx, "", 2)
	if err != nil || c <= 0 {
		t.Errorf("AppCost(default, 2) = %d, %v; want a price", c, err)
	}
	one, _ := p.AppCost(ctx, "", 1)
	if c != 2*one {
		t.Errorf("AppCost(default, 2) = %d; want twice %d", c, one)
	}
}

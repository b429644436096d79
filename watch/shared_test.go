package watch_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"golang.org/x/oauth2"

	"dobot/internal/dotest"
	"dobot/watch"
)

// board is an in-memory stand-in for the shared store. Only the replica
// named lister is ever granted the poll, so what the others see can only
// have come through the board.
type board struct {
	mu     sync.Mutex
	snaps  map[string]watch.Snapshot
	claims int
	last   time.Time
}

type replicaView struct {
	b      *board
	lister bool
}

func (v replicaView) ClaimPoll(_ context.Context, interval time.Duration) (bool, error) {
	v.b.mu.Lock()
	defer v.b.mu.Unlock()
	if !v.lister || time.Since(v.b.last) < interval {
		return false, nil
	}
	v.b.claims++
	v.b.last = time.Now()
	return true, nil
}

func (v replicaView) SaveSnapshots(_ context.Context, bodies map[string][]byte) error {
	v.b.mu.Lock()
	defer v.b.mu.Unlock()
	for id, body := range bodies {
		v.b.snaps[id] = watch.Snapshot{Body: body, ReadAt: time.Now()}
	}
	return nil
}

func (v replicaView) Snapshots(_ context.Context, ids []string) (map[string]watch.Snapshot, error) {
	v.b.mu.Lock()
	defer v.b.mu.Unlock()
	out := map[string]watch.Snapshot{}
	for _, id := range ids {
		if s, ok := v.b.snaps[id]; ok {
			out[id] = s
		}
	}
	return out, nil
}

// Three replicas watching thirty deployments between them cost
// DigitalOcean only what the one polling replica asks; the other two
// follow their deployments to the end from what it stored.
func TestReplicasShareOneBudget(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := dotest.New(t, dotest.Options{Token: "tok", PhaseDelay: 150 * time.Millisecond})
	client, err := godo.New(oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok"})), godo.SetBaseURL(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	b := &board{snaps: map[string]watch.Snapshot{}}
	var watchers []*watch.Watcher
	for i := range 3 {
		w := watch.New(client.Apps, nil, watch.Fixed(50*time.Millisecond))
		w.Share(replicaView{b: b, lister: i == 0})
		go w.Run(ctx)
		watchers = append(watchers, w)
	}
	const n = 30
	type watched struct {
		id string
		ch <-chan watch.Update
	}
	var all []watched
	for i := range n {
		app, _, err := client.Apps.Create(ctx, &godo.AppCreateRequest{Spec: &godo.AppSpec{Name: fmt.Sprintf("app-%02d", i), Region: "nyc",
			Services: []*godo.AppServiceSpec{{Name: "web", HTTPPort: 80, Image: &godo.ImageSourceSpec{RegistryType: "DOCKER_HUB", Registry: "library", Repository: "nginx", Tag: "1"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		ch, stop := watchers[i%3].Watch(app.ID, time.Now())
		defer stop()
		all = append(all, watched{app.ID, ch})
	}
	live := map[string]bool{}
	deadline := time.After(20 * time.Second)
	for len(live) < n {
		for _, w := range all {
			select {
			case u := <-w.ch:
				if u.Err == nil && u.App.ID == w.id && u.App.ActiveDeployment != nil {
					live[w.id] = true
				}
			case <-deadline:
				t.Fatalf("only %d of %d deployments seen live", len(live), n)
			default:
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.mu.Lock()
	claims := b.claims
	b.mu.Unlock()
	lists, gets := srv.Count("GET /v2/apps"), srv.Count("GET /v2/apps/{id}")
	if gets != 0 || lists == 0 || lists > claims {
		t.Errorf("%d lists and %d single reads for %d granted polls; want only the lister's lists, one per poll", lists, gets, claims)
	}
}

package watch_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"golang.org/x/oauth2"

	"dobot/internal/dotest"
	"dobot/watch"
)

func TestDefaultPaceSlowsAndStaysUnder30s(t *testing.T) {
	tests := []struct {
		age  time.Duration
		want time.Duration
	}{
		{0, 5 * time.Second},
		{19 * time.Second, 5 * time.Second},
		{30 * time.Second, 10 * time.Second},
		{2 * time.Minute, 15 * time.Second},
		{time.Hour, 25 * time.Second},
	}
	for _, tt := range tests {
		if got := watch.DefaultPace(tt.age); got != tt.want {
			t.Errorf("DefaultPace(%v) = %v; want %v", tt.age, got, tt.want)
		}
	}
	// A two-minute deployment costs few polls.
	polls, at := 0, time.Duration(0)
	for at < 2*time.Minute {
		at += watch.DefaultPace(at)
		polls++
	}
	if polls > 14 {
		t.Errorf("a 2-minute deployment takes %d polls; want at most 14", polls)
	}
}

// TestManyAppsShareOneListRequest watches many apps and checks that the
// watcher reads them with GET /v2/apps, not one request per app.
func TestManyAppsShareOneListRequest(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := dotest.New(t, dotest.Options{Token: "tok", PhaseDelay: 50 * time.Millisecond})
	client, err := godo.New(oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok"})), godo.SetBaseURL(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	const n = 30
	var ids []string
	for i := 0; i < n; i++ {
		app, _, err := client.Apps.Create(ctx, &godo.AppCreateRequest{Spec: &godo.AppSpec{Name: fmt.Sprintf("app-%02d", i), Region: "nyc",
			Services: []*godo.AppServiceSpec{{Name: "web", HTTPPort: 80, Image: &godo.ImageSourceSpec{RegistryType: "DOCKER_HUB", Registry: "library", Repository: "nginx", Tag: "1"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, app.ID)
	}
	w := watch.New(client.Apps, nil, watch.Fixed(30*time.Millisecond))
	go w.Run(ctx)
	live := map[string]bool{}
	var chans []<-chan watch.Update
	for _, id := range ids {
		ch, stop := w.Watch(id, time.Now())
		defer stop()
		chans = append(chans, ch)
	}
	deadline := time.After(20 * time.Second)
	for len(live) < n {
		for i, ch := range chans {
			select {
			case u := <-ch:
				if u.Err == nil && u.App.ActiveDeployment != nil {
					live[ids[i]] = true
				}
			case <-deadline:
				t.Fatalf("only %d of %d apps seen live", len(live), n)
			default:
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	gets, lists := srv.Count("GET /v2/apps/{id}"), srv.Count("GET /v2/apps")
	if lists == 0 || gets > n/3 {
		t.Errorf("watching %d apps made %d list and %d single reads; want list reads to carry the load", n, lists, gets)
	}
}

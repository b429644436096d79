package docloud_test

import (
	"context"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"dobot/docloud"
	"dobot/internal/dotest"
	"dobot/internal/testclock"
)

func TestDeploymentHelpers(t *testing.T) {
	ctx := context.Background()
	clk := testclock.New(time.Now())
	_, client := newCloud(t, dotest.Options{Clock: clk.Now})
	app := createApp(t, client, clk, "web", "nginx")
	first := app.ActiveDeployment
	if first == nil || docloud.FirstDeployment(app).ID != first.ID || docloud.CurrentDeployment(app).ID != first.ID {
		t.Fatalf("app %s: active %v; want its first deployment active and current", app.ID, first)
	}
	if prev, err := docloud.PreviousDeployment(ctx, client.Apps, app); prev != nil || err != nil {
		t.Errorf("PreviousDeployment with one deployment = %v, %v; want none", prev, err)
	}
	if got := docloud.DeploymentImage(first); got != "library/nginx:1" {
		t.Errorf("DeploymentImage = %q; want library/nginx:1", got)
	}
	before := docloud.NewestCreated(app)

	spec := app.Spec
	spec.Services[0].Image.Tag = "2"
	if _, _, err := client.Apps.Update(ctx, app.ID, &godo.AppUpdateRequest{Spec: spec}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	newest, err := docloud.NewestDeployment(ctx, client.Apps, app.ID, before)
	if err != nil || newest == nil || newest.ID == first.ID {
		t.Fatalf("NewestDeployment after an update = %v, %v; want the new deployment", newest, err)
	}
	app, _, err = client.Apps.Get(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	prev, err := docloud.PreviousDeployment(ctx, client.Apps, app)
	if err != nil || prev == nil || prev.ID != first.ID {
		t.Errorf("PreviousDeployment after an update = %v, %v; want the first deployment %s", prev, err, first.ID)
	}
	apps, err := docloud.AppsByID(ctx, client.Apps)
	if err != nil || apps[app.ID] == nil {
		t.Errorf("AppsByID = %d apps, %v; want %s among them", len(apps), err, app.ID)
	}
}

func TestImageText(t *testing.T) {
	tests := []struct {
		in   godo.ImageSourceSpec
		want string
	}{
		{godo.ImageSourceSpec{RegistryType: godo.ImageSourceSpecRegistryType_DockerHub, Registry: "library", Repository: "nginx", Tag: "1.27"}, "library/nginx:1.27"},
		{godo.ImageSourceSpec{RegistryType: godo.ImageSourceSpecRegistryType_Ghcr, Registry: "acme", Repository: "web"}, "ghcr.io/acme/web:latest"},
		{godo.ImageSourceSpec{RegistryType: godo.ImageSourceSpecRegistryType_DOCR, Repository: "web", Digest: "sha256:ab"}, "registry.digitalocean.com/web@sha256:ab"},
	}
	for _, tt := range tests {
		if got := docloud.ImageText(&tt.in); got != tt.want {
			t.Errorf("ImageText(%+v) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestFindOwnApp(t *testing.T) {
	ctx := context.Background()
	clk := testclock.New(time.Now())
	_, client := newCloud(t, dotest.Options{Clock: clk.Now})
	before := clk.Now().Add(-time.Minute)
	app := createApp(t, client, clk, "web", "nginx")
	want := &godo.ImageSourceSpec{RegistryType: "DOCKER_HUB", Registry: "library", Repository: "nginx", Tag: "1"}
	if got, err := docloud.FindOwnApp(ctx, client.Apps, "web", before, want); err != nil || got == nil || got.ID != app.ID {
		t.Errorf("FindOwnApp(web) = %v, %v; want app %s", got, err, app.ID)
	}
	other := *want
	other.Tag = "2"
	if got, err := docloud.FindOwnApp(ctx, client.Apps, "web", before, &other); err != nil || got != nil {
		t.Errorf("FindOwnApp(web, another image) = %v, %v; want none: it is someone else's", got, err)
	}
	if got, err := docloud.FindOwnApp(ctx, client.Apps, "web", clk.Now(), want); err != nil || got != nil {
		t.Errorf("FindOwnApp(web, created before the launch) = %v, %v; want none", got, err)
	}
	if got, err := docloud.FindOwnApp(ctx, client.Apps, "api", before, want); err != nil || got != nil {
		t.Errorf("FindOwnApp(api) = %v, %v; want none", got, err)
	}
}

package docloud_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/docloud"
	"dobot/internal/dotest"
	"dobot/internal/testclock"
)

func TestCloudInitKeepsValuesOffTheCommandLine(t *testing.T) {
	env := [][2]string{{"DB_PASSWORD", "hunter2 x"}, {"MODE", "prod"}}
	got := docloud.CloudInit(docloud.Container{Name: "web", Image: "docker.io/library/nginx:1.27", Port: 80, Env: env, DockerConfig: []byte(`{"auths":{}}`)})
	if strings.Contains(got, "hunter2") {
		t.Errorf("CloudInit shows a value in clear:\n%s", got)
	}
	for _, want := range []string{
		"#cloud-config\n",
		"  - path: /etc/dobot/web.env\n    owner: root:root\n    permissions: '0600'\n    encoding: b64\n    content: " + base64.StdEncoding.EncodeToString([]byte("DB_PASSWORD=hunter2 x\nMODE=prod\n")) + "\n",
		"  - path: /root/.docker/config.json\n",
		`["docker","run","-d","--restart","unless-stopped","--name","web","-p","80:80","--env-file","/etc/dobot/web.env","-e","PORT=80","docker.io/library/nginx:1.27"]`,
		`  - ["rm","-f","/root/.docker/config.json"]` + "\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("CloudInit lacks %q:\n%s", want, got)
		}
	}
}

func TestCloudInitDefaultsAndOwnPort(t *testing.T) {
	tests := []struct {
		name string
		in   docloud.Container
		want string
		not  []string
	}{
		{"no port", docloud.Container{Name: "api", Image: "ghcr.io/acme/api:1"},
			`["docker","run","-d","--restart","unless-stopped","--name","api","-p","80:8080","-e","PORT=8080","ghcr.io/acme/api:1"]`,
			[]string{"write_files", "rm"}},
		{"PORT given", docloud.Container{Name: "api", Image: "ghcr.io/acme/api:1", Port: 3000, Env: [][2]string{{"PORT", "3000"}}},
			`["docker","run","-d","--restart","unless-stopped","--name","api","-p","80:3000","--env-file","/etc/dobot/api.env","ghcr.io/acme/api:1"]`,
			[]string{"PORT=3000\"", "/root/.docker"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := docloud.CloudInit(tt.in)
			if !strings.Contains(got, tt.want) {
				t.Errorf("CloudInit(%+v) lacks %s:\n%s", tt.in, tt.want, got)
			}
			for _, n := range tt.not {
				if strings.Contains(got, n) {
					t.Errorf("CloudInit(%+v) has %q:\n%s", tt.in, n, got)
				}
			}
		})
	}
}

func TestDropletImageChoice(t *testing.T) {
	ctx := context.Background()
	srv, client := newCloud(t, dotest.Options{})
	slug, note, err := docloud.DropletImage(ctx, client.Images, "")
	if err != nil || slug != docloud.PreferredDropletImage || !strings.Contains(note, docloud.PreferredDropletImage) {
		t.Errorf("DropletImage() = %q, %q, %v; want %s", slug, note, err, docloud.PreferredDropletImage)
	}
	slug, _, err = docloud.DropletImage(ctx, client.Images, "ubuntu-24-04-x64")
	if err != nil || slug != "ubuntu-24-04-x64" {
		t.Errorf("DropletImage(ubuntu-24-04-x64) = %q, %v; want that image", slug, err)
	}
	var ue *dobot.UserError
	if _, _, err := docloud.DropletImage(ctx, client.Images, "no-such-image"); !errors.As(err, &ue) || !strings.Contains(ue.Msg, "Nothing was created") {
		t.Errorf("DropletImage(no-such-image) = %v; want a user error saying nothing was created", err)
	}
	srv.RemoveImage(docloud.PreferredDropletImage)
	slug, note, err = docloud.DropletImage(ctx, client.Images, "")
	if err != nil || slug != "docker-20-04" || !strings.Contains(note, "newest Docker image") {
		t.Errorf("DropletImage() without %s = %q, %q, %v; want docker-20-04, the newest left", docloud.PreferredDropletImage, slug, note, err)
	}
	srv.RemoveImage("docker-20-04")
	if _, _, err := docloud.DropletImage(ctx, client.Images, ""); !errors.As(err, &ue) {
		t.Errorf("DropletImage() with no Docker image = %v; want a user error", err)
	}
}

func TestFindOwnDroplet(t *testing.T) {
	ctx := context.Background()
	clk := testclock.New(time.Now())
	_, client := newCloud(t, dotest.Options{Clock: clk.Now})
	before := clk.Now().Add(-time.Minute)
	d, _, err := client.Droplets.Create(ctx, &godo.DropletCreateRequest{Name: "web", Region: "nyc3", Size: "s-1vcpu-1gb",
		Image: godo.DropletCreateImage{Slug: docloud.PreferredDropletImage}, Tags: []string{docloud.TagManaged, docloud.OwnerTag("U0OWNER")},
		SSHKeys: []godo.DropletCreateSSHKey{}})
	if err != nil {
		t.Fatal(err)
	}
	if got := docloud.FindOwnDroplet(ctx, client.Droplets, "U0OWNER", "web", before); got == nil || got.ID != d.ID {
		t.Errorf("FindOwnDroplet(owner, web) = %v; want droplet %d", got, d.ID)
	}
	if got := docloud.FindOwnDroplet(ctx, client.Droplets, "U0OTHER", "web", before); got != nil {
		t.Errorf("FindOwnDroplet(another owner) = droplet %d; want none", got.ID)
	}
	if got := docloud.FindOwnDroplet(ctx, client.Droplets, "U0OWNER", "web", clk.Now().Add(time.Hour)); got != nil {
		t.Errorf("FindOwnDroplet(created before the launch) = droplet %d; want none", got.ID)
	}
}

func TestPullCredentialsAreReadOnlyAndShortLived(t *testing.T) {
	ctx := context.Background()
	srv, client := newCloud(t, dotest.Options{})
	if _, _, err := client.Registry.Create(ctx, &godo.RegistryCreateRequest{Name: "acme", SubscriptionTierSlug: "basic", Region: "fra1"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := docloud.PullCredentials(ctx, client.Registry)
	if err != nil || !strings.Contains(string(cfg), "registry.digitalocean.com") {
		t.Fatalf("PullCredentials = %q, %v; want a Docker config for registry.digitalocean.com", cfg, err)
	}
	var query string
	for _, r := range srv.Requests() {
		if r.Route == "GET /v2/registry/docker-credentials" {
			query = r.Query
		}
	}
	if !strings.Contains(query, "read_write=false") || !strings.Contains(query, "expiry_seconds=3600") {
		t.Errorf("docker-credentials query = %q; want read_write=false and expiry_seconds=3600", query)
	}
}

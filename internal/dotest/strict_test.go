package dotest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"github.com/gorilla/websocket"

	"dobot/internal/dotest"
)

// readLive reads a live log websocket until a line contains until, and
// fails the test if the stream closes first.
func readLive(t *testing.T, liveURL, until string) string {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial(liveURL, nil)
	if err != nil {
		t.Fatalf("dial live_url: %v", err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var b strings.Builder
	for !strings.Contains(b.String(), until) {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("read live_url after %q: %v", b.String(), err)
		}
		var m struct{ Data string }
		if err := json.Unmarshal(msg, &m); err != nil {
			t.Fatalf("live message %q is not {\"data\": ...}: %v", msg, err)
		}
		b.WriteString(m.Data)
	}
	return b.String()
}

func apiStatus(err error) int {
	var e *godo.ErrorResponse
	if errors.As(err, &e) && e.Response != nil {
		return e.Response.StatusCode
	}
	return 0
}

func TestSingleInstanceSizesAndDeprecation(t *testing.T) {
	srv, _ := start(t)
	c := client(t, srv, "do-test-token")
	ctx := context.Background()

	two := imageSpec("pair", "acme/web")
	two.Services[0].InstanceCount = 2 // on the default size, single-instance only
	if _, _, err := c.Apps.Create(ctx, &godo.AppCreateRequest{Spec: two}); apiStatus(err) != http.StatusBadRequest || !strings.Contains(err.Error(), "instance_count") {
		t.Errorf("Create two instances of the default size = %v; want 400 naming instance_count", err)
	}
	if _, _, err := c.Apps.Propose(ctx, &godo.AppProposeRequest{Spec: two}); apiStatus(err) != http.StatusBadRequest {
		t.Errorf("Propose two instances of the default size = %v; want 400", err)
	}
	app := create(t, c, imageSpec("pair", "acme/web"))
	if app.PendingDeployment == nil || app.PendingDeployment.ID == "" {
		t.Errorf("Create pending_deployment = %+v; want the new deployment", app.PendingDeployment)
	}
	if _, _, err := c.Apps.Update(ctx, app.ID, &godo.AppUpdateRequest{Spec: two}); apiStatus(err) != http.StatusBadRequest {
		t.Errorf("Update to two instances of the default size = %v; want 400", err)
	}
	two.Services[0].InstanceSizeSlug = "apps-s-1vcpu-1gb"
	if _, _, err := c.Apps.Update(ctx, app.ID, &godo.AppUpdateRequest{Spec: two}); err != nil {
		t.Errorf("Update to two instances of a scalable size = %v; want it accepted", err)
	}

	sizes, _, err := c.Apps.ListInstanceSizes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	deprecated := 0
	for _, s := range sizes {
		if s.DeprecationIntent {
			deprecated++
		}
	}
	if deprecated != 1 {
		t.Errorf("%d sizes carry deprecation_intent; want 1", deprecated)
	}
}

func TestLiveLogsNeverClose(t *testing.T) {
	srv, clock := start(t)
	c := client(t, srv, "do-test-token")
	ctx := context.Background()
	app := create(t, c, imageSpec("web-app", "acme/web"))
	clock.Advance(4 * delay)
	logs, _, err := c.Apps.GetLogs(ctx, app.ID, "", "web", godo.AppLogTypeRun, false, 10)
	if err != nil || !strings.HasPrefix(logs.LiveURL, "ws://") || len(logs.HistoricURLs) != 0 {
		t.Fatalf("GetLogs of the active deployment = %+v, %v; want a ws:// live_url only", logs, err)
	}
	if res, err := http.Get(logs.LiveURL); err == nil {
		res.Body.Close()
		t.Errorf("plain GET of a ws:// URL succeeded")
	}
	// The stream keeps going: each step of the clock brings request lines.
	conn, _, err := websocket.DefaultDialer.Dial(logs.LiveURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	got := 0
	for got < 8 {
		if _, _, err := conn.ReadMessage(); err != nil {
			t.Fatalf("stream ended after %d lines: %v", got, err)
		}
		got++
		clock.Advance(delay)
	}
}

func TestDropletImagesCatalogue(t *testing.T) {
	srv, _ := start(t)
	c := client(t, srv, "do-test-token")
	ctx := context.Background()
	imgs, _, err := c.Images.ListApplication(ctx, &godo.ListOptions{PerPage: 200})
	if err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, i := range imgs {
		slugs = append(slugs, i.Slug)
	}
	if !strings.Contains(strings.Join(slugs, ","), "docker-24-04") || strings.Contains(strings.Join(slugs, ","), "ubuntu-") {
		t.Errorf("application images = %v; want the Docker images only, docker-24-04 among them", slugs)
	}
	if img, _, err := c.Images.GetBySlug(ctx, "docker-24-04"); err != nil || img.Slug != "docker-24-04" {
		t.Errorf("GetBySlug(docker-24-04) = %+v, %v", img, err)
	}
	srv.RemoveImage("docker-24-04")
	if _, _, err := c.Images.GetBySlug(ctx, "docker-24-04"); apiStatus(err) != http.StatusNotFound {
		t.Errorf("GetBySlug of a removed image = %v; want 404", err)
	}
}

func TestMultiRegistryAccount(t *testing.T) {
	srv, _ := start(t)
	c := client(t, srv, "do-test-token")
	ctx := context.Background()
	srv.AddRegistry("acme", "nyc3")
	if reg, _, err := c.Registry.Get(ctx); err != nil || reg.Name != "acme" {
		t.Fatalf("Registry.Get with one registry = %+v, %v", reg, err)
	}
	srv.AddRegistry("tools", "ams3")
	_, _, err := c.Registry.Get(ctx)
	var e *godo.ErrorResponse
	if !errors.As(err, &e) || e.Response.StatusCode != http.StatusPreconditionFailed || e.Message == "" {
		t.Errorf("Registry.Get with two registries = %v; want 412 precondition_failed", err)
	}
	regs, _, err := c.Registries.List(ctx)
	if err != nil || len(regs) != 2 {
		t.Fatalf("Registries.List = %d, %v; want 2", len(regs), err)
	}
	if reg, _, err := c.Registries.Get(ctx, "tools"); err != nil || reg.Region != "ams3" {
		t.Errorf("Registries.Get(tools) = %+v, %v", reg, err)
	}
	secs := 600
	creds, _, err := c.Registry.DockerCredentials(ctx, &godo.RegistryDockerCredentialsRequest{ExpirySeconds: &secs})
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Auths map[string]struct{ Auth string } `json:"auths"`
	}
	if err := json.Unmarshal(creds.DockerConfigJSON, &cfg); err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(cfg.Auths["registry.digitalocean.com"].Auth)
	if !strings.HasPrefix(string(raw), "dobot-read-600:") {
		t.Errorf("docker credentials = %q; want read-only ones expiring in 600s", raw)
	}
	if _, err := c.Registries.Delete(ctx, "tools"); err != nil {
		t.Errorf("Registries.Delete(tools) = %v", err)
	}
}

func TestTokenScopes(t *testing.T) {
	srv := dotest.New(t, dotest.Options{Scopes: map[string][]string{
		"reader": {"app:read", "droplet:read"},
		"maker":  {"droplet:create", "droplet:read"},
	}})
	ctx := context.Background()
	reader := client(t, srv, "reader")
	if _, _, err := reader.Apps.List(ctx, nil); err != nil {
		t.Errorf("Apps.List with app:read = %v", err)
	}
	_, _, err := reader.Apps.Create(ctx, &godo.AppCreateRequest{Spec: imageSpec("web", "acme/web")})
	var e *godo.ErrorResponse
	if !errors.As(err, &e) || e.Response.StatusCode != http.StatusForbidden || !strings.Contains(e.Message, "permission") {
		t.Errorf("Apps.Create without app:create = %v; want 403 forbidden", err)
	}
	maker := client(t, srv, "maker")
	_, _, err = maker.Droplets.Create(ctx, &godo.DropletCreateRequest{Name: "box", Region: "nyc3", Size: "s-1vcpu-1gb",
		Image: godo.DropletCreateImage{Slug: "docker-24-04"}, Tags: []string{"dobot"}, SSHKeys: []godo.DropletCreateSSHKey{}})
	if apiStatus(err) != http.StatusForbidden {
		t.Errorf("tagged droplet create without tag:create = %v; want 403", err)
	}
	if _, _, err := client(t, srv, "nobody").Apps.List(ctx, nil); apiStatus(err) != http.StatusUnauthorized {
		t.Errorf("unknown token = %v; want 401", err)
	}
}

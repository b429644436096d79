package dotest_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/digitalocean/godo"

	"dobot/internal/dotest"
)

func dropletRequest(name string, tags ...string) *godo.DropletCreateRequest {
	return &godo.DropletCreateRequest{
		Name:     name,
		Region:   "ams3",
		Size:     "s-1vcpu-1gb",
		Image:    godo.DropletCreateImage{Slug: "docker-20-04"},
		UserData: "#cloud-config\nruncmd:\n  - docker run -d -p 80:8080 ghcr.io/acme/web:1.2.3\n",
		SSHKeys:  []godo.DropletCreateSSHKey{},
		Tags:     tags,
	}
}

func publicIPv4(d *godo.Droplet) string {
	ip, _ := d.PublicIPv4()
	return ip
}

func TestDropletLifecycle(t *testing.T) {
	srv, clock := start(t)
	c := client(t, srv, "do-test-token")
	ctx := context.Background()

	d, resp, err := c.Droplets.Create(ctx, dropletRequest("web-1", "dobot", "dobot-owner-U123"))
	if err != nil {
		t.Fatalf("Droplets.Create: %v", err)
	}
	if resp.StatusCode != http.StatusAccepted || d.ID == 0 || d.Status != "new" || publicIPv4(d) != "" {
		t.Fatalf("Create = %d, id %d, status %q, ip %q; want 202, an id, new, no ip", resp.StatusCode, d.ID, d.Status, publicIPv4(d))
	}
	if len(resp.Links.Actions) != 1 || resp.Links.Actions[0].Rel != "create" {
		t.Errorf("Create links.actions = %+v; want one create action", resp.Links.Actions)
	}
	if d.Size == nil || d.Size.PriceMonthly != 6 || d.Region == nil || d.Region.Slug != "ams3" || d.Image == nil || d.Image.Slug != "docker-20-04" {
		t.Errorf("Create = size %+v region %+v image %+v; want s-1vcpu-1gb at $6, ams3, docker-20-04", d.Size, d.Region, d.Image)
	}

	// Too early for an action: the create is still pending.
	_, _, err = c.DropletActions.Reboot(ctx, d.ID)
	var er *godo.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("Reboot while new = %v; want 422", err)
	}

	clock.Advance(delay)
	if got, _, err := c.Droplets.Get(ctx, d.ID); err != nil || got.Status != "new" {
		t.Fatalf("Get after one delay = %+v, %v; want new", got, err)
	}
	clock.Advance(delay)
	got, _, err := c.Droplets.Get(ctx, d.ID)
	if err != nil || got.Status != "active" || !strings.HasPrefix(publicIPv4(got), "203.0.113.") {
		t.Fatalf("Get after two delays = status %q ip %q, %v; want active with a public IPv4", got.Status, publicIPv4(got), err)
	}
	if create, _, err := c.Actions.Get(ctx, resp.Links.Actions[0].ID); err != nil || create.Status != godo.ActionCompleted {
		t.Errorf("create action = %+v, %v; want completed", create, err)
	}

	other, _, err := c.Droplets.Create(ctx, dropletRequest("db-1", "other"))
	if err != nil {
		t.Fatalf("Create another: %v", err)
	}
	tagged, _, err := c.Droplets.ListByTag(ctx, "dobot", nil)
	if err != nil || len(tagged) != 1 || tagged[0].ID != d.ID {
		t.Errorf("ListByTag(dobot) = %d droplets, %v; want just web-1", len(tagged), err)
	}
	all, listResp, err := c.Droplets.List(ctx, &godo.ListOptions{PerPage: 1})
	if err != nil || len(all) != 1 || listResp.Meta.Total != 2 || listResp.Links.IsLastPage() {
		t.Errorf("List per_page 1 = %d, meta %+v, %v; want 1 of 2 with a next page", len(all), listResp.Meta, err)
	}

	act, _, err := c.DropletActions.Reboot(ctx, d.ID)
	if err != nil || act.Status != godo.ActionInProgress || act.Type != "reboot" || act.ResourceID != d.ID {
		t.Fatalf("Reboot = %+v, %v; want in-progress reboot of the droplet", act, err)
	}
	clock.Advance(delay)
	if a, _, err := c.DropletActions.Get(ctx, d.ID, act.ID); err != nil || a.Status != godo.ActionCompleted || a.CompletedAt == nil {
		t.Errorf("DropletActions.Get after a delay = %+v, %v; want completed", a, err)
	}
	if _, _, err := c.DropletActions.Get(ctx, other.ID, act.ID); err == nil {
		t.Errorf("DropletActions.Get with another droplet's id found the action")
	}

	off, _, err := c.DropletActions.PowerOff(ctx, d.ID)
	if err != nil {
		t.Fatalf("PowerOff: %v", err)
	}
	if got, _, _ := c.Droplets.Get(ctx, d.ID); got.Status != "active" {
		t.Errorf("status while powering off = %q; want active", got.Status)
	}
	clock.Advance(delay)
	if got, _, _ := c.Droplets.Get(ctx, d.ID); got.Status != "off" {
		t.Errorf("status after power_off %d = %q; want off", off.ID, got.Status)
	}
	if _, _, err := c.DropletActions.PowerOn(ctx, d.ID); err != nil {
		t.Fatalf("PowerOn: %v", err)
	}
	clock.Advance(delay)
	if got, _, _ := c.Droplets.Get(ctx, d.ID); got.Status != "active" {
		t.Errorf("status after power_on = %q; want active", got.Status)
	}

	if resp, err := c.Droplets.Delete(ctx, d.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("Delete = %v; want 204", err)
	}
	_, resp, err = c.Droplets.Get(ctx, d.ID)
	if !errors.As(err, &er) || resp.StatusCode != http.StatusNotFound {
		t.Errorf("Get after Delete = %v; want 404", err)
	}

	creates := srv.DropletCreates()
	if len(creates) != 2 || !slices.Equal(creates[0].Tags, []string{"dobot", "dobot-owner-U123"}) ||
		creates[0].Image != "docker-20-04" || !strings.Contains(creates[0].UserData, "docker run") {
		t.Errorf("DropletCreates()[0] = %+v; want web-1 with its tags, image and user_data", creates)
	}
	if served, ok := srv.Droplet(other.ID); !ok || !slices.Equal(served.Tags, []string{"other"}) {
		t.Errorf("srv.Droplet(%d) = %+v, %v", other.ID, served, ok)
	}
	for route, want := range map[string]int{
		"POST /v2/droplets":                                 2,
		"GET /v2/droplets/{droplet_id}":                     6,
		"GET /v2/droplets":                                  2,
		"DELETE /v2/droplets/{droplet_id}":                  1,
		"POST /v2/droplets/{droplet_id}/actions":            4,
		"GET /v2/droplets/{droplet_id}/actions/{action_id}": 2,
		"GET /v2/actions/{action_id}":                       1,
	} {
		if n := srv.Count(route); n != want {
			t.Errorf("Count(%q) = %d; want %d", route, n, want)
		}
	}
	if v := srv.Violations(); len(v) > 0 {
		t.Errorf("violations on the valid path: %q", v)
	}
}

func TestDropletLimit(t *testing.T) {
	srv, _ := start(t)
	c := client(t, srv, "do-test-token")
	srv.DropletLimit(1)
	if _, _, err := c.Droplets.Create(context.Background(), dropletRequest("one", "dobot")); err != nil {
		t.Fatalf("first Create: %v", err)
	}
	_, _, err := c.Droplets.Create(context.Background(), dropletRequest("two", "dobot"))
	var er *godo.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != http.StatusUnprocessableEntity ||
		er.Message != "creating this/these droplet(s) will exceed your droplet limit" || er.RequestID == "" {
		t.Errorf("Create past the limit = %v; want 422 droplet limit with a request id", err)
	}
	if v := srv.Violations(); len(v) > 0 {
		t.Errorf("violations: %q", v)
	}
}

func TestSizes(t *testing.T) {
	srv, _ := start(t)
	c := client(t, srv, "do-test-token")
	sizes, _, err := c.Sizes.List(context.Background(), &godo.ListOptions{PerPage: 50})
	if err != nil {
		t.Fatalf("Sizes.List: %v", err)
	}
	want := map[string]float64{"s-1vcpu-512mb-10gb": 4, "s-1vcpu-1gb": 6, "s-1vcpu-2gb": 12, "s-2vcpu-2gb": 18, "s-2vcpu-4gb": 24}
	for _, sz := range sizes {
		if p, ok := want[sz.Slug]; ok && (sz.PriceMonthly != p || sz.PriceHourly <= 0 || sz.Memory == 0 || sz.Vcpus == 0 || !sz.Available || len(sz.Regions) == 0) {
			t.Errorf("size %s = %+v; want $%v a month with hourly price, memory, vcpus, regions", sz.Slug, sz, p)
		}
		delete(want, sz.Slug)
	}
	if len(want) > 0 {
		t.Errorf("Sizes.List lacks %v", want)
	}
	if v := srv.Violations(); len(v) > 0 {
		t.Errorf("violations: %q", v)
	}
}

// TestBadDropletBodyIsCaught shows that the description holds droplet
// creates to account: godo sends "ssh_keys": null when SSHKeys is nil.
func TestBadDropletBodyIsCaught(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"ssh_keys null", `{"name":"web-1","region":"ams3","size":"s-1vcpu-1gb","image":"docker-20-04","ssh_keys":null,"tags":["dobot"]}`, "ssh_keys"},
		{"no size", `{"name":"web-1","region":"ams3","image":"docker-20-04","ssh_keys":[]}`, `"size"`},
		{"bad name", `{"name":"web 1!","size":"s-1vcpu-1gb","image":"docker-20-04","ssh_keys":[]}`, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rtb := &recordingTB{TB: t}
			srv := dotest.New(rtb, dotest.Options{})
			req, _ := http.NewRequest(http.MethodPost, srv.URL()+"v2/droplets", bytes.NewBufferString(tt.body))
			req.Header.Set("Authorization", "Bearer do-test-token")
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusBadRequest {
				t.Errorf("POST /v2/droplets %s = %d; want 400", tt.body, res.StatusCode)
			}
			if v := strings.Join(srv.Violations(), "\n"); !strings.Contains(v, "droplets_create") || !strings.Contains(v, tt.want) {
				t.Errorf("Violations() = %q; want droplets_create and %q", v, tt.want)
			}
			rtb.cleanup()
			if len(rtb.errs) == 0 {
				t.Errorf("nothing reported at cleanup")
			}
		})
	}

	// The same through godo, with SSHKeys left nil.
	rtb := &recordingTB{TB: t}
	srv := dotest.New(rtb, dotest.Options{})
	c := client(t, srv, "do-test-token")
	req := dropletRequest("web-1")
	req.SSHKeys = nil
	if _, _, err := c.Droplets.Create(context.Background(), req); err == nil {
		t.Errorf("Create with nil SSHKeys succeeded; want 400")
	}
	rtb.cleanup()
	if !strings.Contains(strings.Join(rtb.errs, "\n"), "ssh_keys") {
		t.Errorf("reported at cleanup: %q; want the null ssh_keys", rtb.errs)
	}
}

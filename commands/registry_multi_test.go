package commands_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/commands"
)

// On an account with several registries the bot uses /v2/registries, takes
// the registry's name from the command or the image ref, and never asks the
// single-registry route that answers 412.
func TestSeveralRegistries(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UADMIN", dobot.RoleAdmin)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.do.AddRegistry("acme", "nyc3")
	h.do.AddRegistry("tools", "ams3")
	h.do.PushImage("tools", "web", "1.0")
	h.do.PushImage("tools", "web", "1.0") // the first manifest is now untagged

	if out := h.run("UADMIN", "registry"); !strings.Contains(out, "acme") || !strings.Contains(out, "tools") {
		t.Errorf("registry = %q; want both registries", out)
	}
	if out := h.run("UADMIN", "registry repos web --registry tools"); !strings.Contains(out, "`1.0`") {
		t.Errorf("registry repos web --registry tools = %q; want tag 1.0", out)
	}
	if out := h.run("UADMIN", "registry gc"); !strings.Contains(out, "several container registries") || !strings.Contains(out, "tools") {
		t.Errorf("registry gc = %q; want a request to name the registry", out)
	}
	h.run("UADMIN", "registry gc tools")
	waitFor(t, "the gc request", func() bool { return h.do.Count("POST /v2/registry/{registry_name}/garbage-collection") == 1 })
	for _, r := range h.do.Requests() {
		if r.Route == "POST /v2/registry/{registry_name}/garbage-collection" {
			if !strings.Contains(r.Path, "/tools/") || !strings.Contains(string(r.Body), "untagged manifests and unreferenced blobs") {
				t.Errorf("gc request %s %s; want tools, untagged manifests and unreferenced blobs", r.Path, r.Body)
			}
		}
	}

	// A DOCR launch finds its registry by the name in the image ref.
	if out := h.run("UDEP", "launch web --image registry.digitalocean.com/tools/web:2.0"); !strings.Contains(out, "no tag 2.0") {
		t.Errorf("launch of a missing tag in tools = %q; want it caught", out)
	}
	if out := h.run("UDEP", "launch web --image registry.digitalocean.com/other/web:1.0"); !strings.Contains(out, "acme, tools") {
		t.Errorf("launch from an unknown registry = %q; want the account's registries named", out)
	}
	// A further registry goes through the multi-registry API.
	waitFor(t, "the gc to end", func() bool { return strings.Contains(h.chat.fieldText(), "Garbage collection of tools finished") })
	if out := h.run("UADMIN", "registry create extra"); out != "" {
		t.Logf("registry create extra = %q", out)
	}
	waitFor(t, "the registry create", func() bool { return h.do.Count("POST /v2/registries") == 1 })
	waitFor(t, "the created reply", func() bool { return strings.Contains(h.chat.fieldText(), "Created registry extra") })
	if n := h.do.Count("GET /v2/registry"); n != 0 {
		t.Errorf("the bot asked GET /v2/registry %d times on a multi-registry account", n)
	}
}

// DigitalOcean's documented 412 and 403 answers read as what to do.
func TestDocumentedRefusalsReadClearly(t *testing.T) {
	for _, tt := range []struct {
		status int
		want   string
	}{
		{http.StatusPreconditionFailed, "name the registry"},
		{http.StatusForbidden, "custom scopes the README lists"},
	} {
		err := &godo.ErrorResponse{Response: &http.Response{StatusCode: tt.status}, Message: "refused", RequestID: "req-1"}
		if got := commands.DescribeError(err, "ref"); !strings.Contains(got, tt.want) || !strings.Contains(got, "req-1") {
			t.Errorf("reply.Describe(%d) = %q; want %q and the request id", tt.status, got, tt.want)
		}
	}
}

package metrics

import (
	"net/url"
	"strings"
	"testing"
)

const (
	appID = "4f6c71e2-1e90-4762-9fee-6cc4a0a9f2cf"
	depID = "b6bdf840-2854-4f87-a36c-5f231c617c84"
)

var doEndpointTests = []struct {
	in, want string
}{
	{"https://api.digitalocean.com/v2/apps", "/v2/apps"},
	{"https://api.digitalocean.com/v2/apps?page=2&per_page=200", "/v2/apps"},
	{"https://api.digitalocean.com/v2/apps/" + appID, "/v2/apps/{id}"},
	{"https://api.digitalocean.com/v2/apps/" + appID + "/", "/v2/apps/{id}"},
	{"https://api.digitalocean.com/v2/apps/" + appID + "/deployments", "/v2/apps/{id}/deployments"},
	{"https://api.digitalocean.com/v2/apps/" + appID + "/deployments/" + depID, "/v2/apps/{id}/deployments/{id}"},
	{"https://api.digitalocean.com/v2/apps/" + appID + "/deployments/" + depID + "/components/web/logs?type=BUILD",
		"/v2/apps/{id}/deployments/{id}/components/{component}/logs"},
	{"https://api.digitalocean.com/v2/apps/" + appID + "/logs", "/v2/apps/{id}/logs"},
	{"https://api.digitalocean.com/v2/apps/propose", "/v2/apps/propose"},
	{"https://api.digitalocean.com/v2/apps/regions", "/v2/apps/regions"},
	{"https://api.digitalocean.com/v2/apps/tiers/instance_sizes/apps-s-1vcpu-0.5gb", "/v2/apps/tiers/instance_sizes/{slug}"},
	{"https://api.digitalocean.com/v2/apps/tiers/basic", "/v2/apps/tiers/{slug}"},
	{"https://api.digitalocean.com/v2/apps/not-a-uuid", "/v2/apps/{id}"},
	{"https://api.digitalocean.com/v2/account", "/v2/account"},
	{"https://api.digitalocean.com/v2/droplets/3164444/actions/36804636", "/v2/droplets/{id}/actions/{id}"},
	{"https://api.digitalocean.com/v2/registry", "/v2/registry"},
	{"https://api.digitalocean.com/v2/registry/docker-credentials?read_write=true", "/v2/registry/docker-credentials"},
	{"https://api.digitalocean.com/v2/registry/acme/repositories/web/tags", "/v2/registry/{registry}/repositories/{repo}/tags"},
	{"https://api.digitalocean.com/v2/registry/acme/repositoriesV2/team%2Fweb/digests", "/v2/registry/{registry}/repositoriesV2/{repo}/digests"},
	{"https://api.digitalocean.com/v2/registry/acme/repositories/web/tags/1.2.3", "/v2/registry/{registry}/repositories/{repo}/tags/{tag}"},
	{"https://api.digitalocean.com/v2/registry/apps/repositories", "/v2/registry/{registry}/repositories"}, // a registry named like a word
	{"https://api.digitalocean.com/v2/registry/acme/garbage-collection", "/v2/registry/{registry}/garbage-collection"},
	{"https://api.digitalocean.com/v2/registry/acme/garbage-collections?page=1", "/v2/registry/{registry}/garbage-collections"},
	{"https://api.digitalocean.com/v2/registry/options", "/v2/registry/options"},
	{"https://api.digitalocean.com/v2/registry/subscription", "/v2/registry/subscription"},
	{"https://api.digitalocean.com/v2/sizes", "/v2/sizes"},
	{"https://api.digitalocean.com/v2/droplets/3164444", "/v2/droplets/{id}"},
	{"https://api.digitalocean.com/v2/actions/36804636", "/v2/actions/{id}"},
	{"https://api.digitalocean.com/v2/apps/" + appID + "/rollback", "/v2/apps/{id}/rollback"},
	{"https://api.digitalocean.com/v2/apps/" + appID + "/deployments/" + depID + "/cancel", "/v2/apps/{id}/deployments/{id}/cancel"},
	{"https://api.digitalocean.com/v2/tags/production/resources", "/v2/tags/{tag}/resources"},
	{"https://api.digitalocean.com/v2/domains/example.com/records/12", "/v2/domains/{domain}/records/{id}"},
	{"http://127.0.0.1:41234/v2/apps/" + appID, "/v2/apps/{id}"},
	{"https://proxy.internal/digitalocean/v2/apps", "/v2/apps"},
	{"https://proxy.internal/logs/" + appID + "/build.log?X-Amz-Signature=abc", "other"},
	{"https://api.digitalocean.com/", "other"},
	{"https://api.digitalocean.com/v2", "/v2"},
	{"https://api.digitalocean.com/v2/dop_v1_0123456789abcdef/xoxb-1-2-3", "/v2/{id}/{id}"},
	{"https://api.digitalocean.com/v2/a/b/c/d/e/f/g/h/i/j/k/l", "/v2/{id}/{id}/{id}/{id}/{id}/{id}/{id}/{id}/{id}/{id}/{rest}"},
}

func TestDOEndpoint(t *testing.T) {
	for _, tt := range doEndpointTests {
		t.Run(tt.in, func(t *testing.T) {
			u, err := url.Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := doEndpoint(u); got != tt.want {
				t.Errorf("doEndpoint(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSlackEndpoint(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"https://slack.com/api/chat.postMessage", "chat.postMessage"},
		{"https://slack.com/api/chat.update?token=xoxb-1", "chat.update"},
		{"https://slack.com/api/apps.connections.open", "apps.connections.open"},
		{"https://slack-gov.com/api/auth.test", "auth.test"},
		{"http://127.0.0.1:40000/api/chat.postEphemeral/", "chat.postEphemeral"},
		{"https://hooks.slack.com/commands/T0123/4567/AbCdEf0123456789", "response_url"},
		{"https://hooks.slack.com/actions/T0123/4567/AbCdEf0123456789", "response_url"},
		{"http://127.0.0.1:40000/response/T0123/0a1b2c3d4e5f", "response_url"},
		{"https://slack.com/api/xoxb-123-456-abc", "response_url"},
		{"https://slack.com/", "response_url"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := slackEndpoint(u); got != tt.want {
			t.Errorf("slackEndpoint(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzDOEndpoint checks that whatever the path, the label is built from the
// fixed vocabulary and placeholders only, so its cardinality is bounded.
func FuzzDOEndpoint(f *testing.F) {
	for _, tt := range doEndpointTests {
		f.Add(tt.in)
	}
	placeholders := map[string]bool{"{id}": true, "{rest}": true}
	for _, n := range doNames {
		placeholders[n.placeholder] = true
	}
	f.Fuzz(func(t *testing.T, in string) {
		u, err := url.Parse(in)
		if err != nil {
			return
		}
		got := doEndpoint(u)
		if got == "other" {
			return
		}
		segs := strings.Split(got, "/")
		if segs[0] != "" || segs[1] != "v2" {
			t.Fatalf("doEndpoint(%q) = %q; want /v2/… or other", in, got)
		}
		if len(segs) > maxSegments+3 {
			t.Fatalf("doEndpoint(%q) = %q; want at most %d segments", in, got, maxSegments+1)
		}
		for _, s := range segs[2:] {
			if !doWords[s] && !placeholders[s] {
				t.Fatalf("doEndpoint(%q) = %q; segment %q is neither a known word nor a placeholder", in, got, s)
			}
		}
	})
}

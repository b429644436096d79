package docloud_test

import (
	"testing"

	"github.com/digitalocean/godo"

	"dobot/docloud"
)

func TestSourcesOfIgnoresDefaultsButNotRepositories(t *testing.T) {
	sent := &godo.AppSpec{Name: "shop", Services: []*godo.AppServiceSpec{{Name: "api", SourceDir: "api", GitHub: &godo.GitHubSourceSpec{Repo: "acme/shop", Branch: "main"}}},
		StaticSites: []*godo.AppStaticSiteSpec{{Name: "site", SourceDir: "/site/", GitHub: &godo.GitHubSourceSpec{Repo: "acme/shop", Branch: "main"}}}}
	// App Platform fills in defaults and may list components in another order.
	found := &godo.AppSpec{Name: "shop", Region: "nyc", StaticSites: []*godo.AppStaticSiteSpec{{Name: "site", SourceDir: "site", GitHub: &godo.GitHubSourceSpec{Repo: "Acme/Shop", Branch: "main"}}},
		Services: []*godo.AppServiceSpec{{Name: "api", SourceDir: "api", InstanceCount: 1, InstanceSizeSlug: "apps-s-1vcpu-0.5gb", GitHub: &godo.GitHubSourceSpec{Repo: "acme/shop", Branch: "main"}}}}
	if docloud.SourcesOf(sent) != docloud.SourcesOf(found) {
		t.Errorf("SourcesOf differ:\n%s\n%s", docloud.SourcesOf(sent), docloud.SourcesOf(found))
	}
	other := *found
	other.Services = []*godo.AppServiceSpec{{Name: "api", SourceDir: "api", GitHub: &godo.GitHubSourceSpec{Repo: "acme/other", Branch: "main"}}}
	if docloud.SourcesOf(sent) == docloud.SourcesOf(&other) {
		t.Errorf("an app built from another repository matched")
	}
	dir := *found
	dir.Services = []*godo.AppServiceSpec{{Name: "api", SourceDir: "cmd/api", GitHub: &godo.GitHubSourceSpec{Repo: "acme/shop"}}}
	if docloud.SourcesOf(sent) == docloud.SourcesOf(&dir) {
		t.Errorf("an app built from another directory matched")
	}
	if n := docloud.ComponentCount(found); n != 2 {
		t.Errorf("ComponentCount = %d; want 2", n)
	}
}

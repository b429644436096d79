package registryview_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"dobot/chat"
	"dobot/registryview"
	"dobot/reply"
)

// registries answers List; the rest of godo's interface is not called.
type registries struct {
	godo.RegistriesService
	regs []*godo.Registry
}

func (r registries) List(context.Context) ([]*godo.Registry, *godo.Response, error) {
	return r.regs, nil, nil
}

type registry struct {
	sub   *godo.RegistrySubscription
	repos []*godo.RepositoryV2
}

func (r registry) GetSubscription(context.Context) (*godo.RegistrySubscription, *godo.Response, error) {
	if r.sub == nil {
		return nil, nil, errors.New("no subscription")
	}
	return r.sub, nil, nil
}

func (r registry) ListRepositoriesV2(context.Context, string, *godo.TokenListOptions) ([]*godo.RepositoryV2, *godo.Response, error) {
	return r.repos, nil, nil
}

type picker struct{ tags []*godo.RepositoryTag }

func (p picker) PickRegistry(_ context.Context, name string) (*godo.Registry, error) {
	if name == "" {
		name = "acme"
	}
	return &godo.Registry{Name: name}, nil
}

func (p picker) RepoTags(_ context.Context, reg, repo string) ([]*godo.RepositoryTag, error) {
	if repo != "web" {
		return nil, reply.Errorf("registry %s has no repository %s", reg, repo)
	}
	return p.tags, nil
}

func TestShow(t *testing.T) {
	ctx := context.Background()
	sub := &godo.RegistrySubscription{Tier: &godo.RegistrySubscriptionTier{Name: "Basic", MonthlyPriceInCents: 500}}
	s := &registryview.Service{Registries: registries{}, Registry: registry{sub: sub}}
	if m, err := s.Show(ctx); err != nil || !strings.HasPrefix(m.Text, "This account has no container registry.") {
		t.Errorf("none = %q, %v", m.Text, err)
	}

	s.Registries = registries{regs: []*godo.Registry{{Name: "acme", Region: "nyc3", StorageUsageBytes: 3 << 20}}}
	m, err := s.Show(ctx)
	want := chat.Message{Text: "Registry acme in nyc3, Basic ($5.00/month) tier, 3.0 MiB used", Title: chat.IconPackage + " Container registry acme",
		Fields: []chat.Field{{Label: "Name", Value: "acme"}, {Label: "Region", Value: "nyc3"}, {Label: "Tier", Value: "Basic ($5.00/month)"}, {Label: "Storage used", Value: "3.0 MiB"}},
		Footer: "Images deploy as registry.digitalocean.com/acme/REPO:TAG"}
	if err != nil || m.Text != want.Text || m.Title != want.Title || m.Footer != want.Footer || len(m.Fields) != 4 || m.Fields[2] != want.Fields[2] {
		t.Errorf("one = %+v, %v; want %+v", m, err, want)
	}

	s.Registries = registries{regs: []*godo.Registry{{Name: "acme", Region: "nyc3"}, {Name: "tools", Region: "ams3", StorageUsageBytes: 2048}}}
	s.Registry = registry{}
	m, _ = s.Show(ctx)
	if want := "*Container registries* (unknown tier)\n" +
		"• `acme` — nyc3 — 0 bytes used — registry.digitalocean.com/acme/REPO:TAG\n" +
		"• `tools` — ams3 — 2.0 KiB used — registry.digitalocean.com/tools/REPO:TAG\n"; m.Text != want {
		t.Errorf("several = %q; want %q", m.Text, want)
	}
}

func TestRepos(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC)
	s := &registryview.Service{
		Plan:     picker{tags: []*godo.RepositoryTag{{Tag: "1.2", CompressedSizeBytes: 5 << 20, UpdatedAt: at}}},
		Registry: registry{repos: []*godo.RepositoryV2{{Name: "web", TagCount: 3, LatestManifest: &godo.RepositoryManifest{Tags: []string{"1.2", "latest"}}}, {Name: "job", TagCount: 0}}},
	}
	m, err := s.Repos(ctx, registryview.Args{})
	if want := "*Repositories in acme*\n• `web` — 3 tags — latest 1.2, latest\n• `job` — 0 tags\n"; err != nil || m.Text != want {
		t.Errorf("repos = %q, %v; want %q", m.Text, err, want)
	}
	m, err = s.Repos(ctx, registryview.Args{Name: "tools", Repo: "web"})
	if want := "*Tags of tools/web*\n• `1.2` — 5.0 MiB — 2026-12-03 09:30\n"; err != nil || m.Text != want {
		t.Errorf("tags = %q, %v; want %q", m.Text, err, want)
	}
	if _, err := s.Repos(ctx, registryview.Args{Repo: "nope"}); err == nil || !strings.Contains(err.Error(), "no repository nope") {
		t.Errorf("unknown repo: %v", err)
	}
	s.Registry = registry{}
	if m, _ := s.Repos(ctx, registryview.Args{}); m.Text != "Registry acme has no repositories yet." {
		t.Errorf("empty = %q", m.Text)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		fn   func([]string) (registryview.Args, error)
		in   string
		want registryview.Args
	}{
		{"create", registryview.ParseCreate, "acme", registryview.Args{Name: "acme", Tier: "starter"}},
		{"create", registryview.ParseCreate, "acme --tier basic --region ams3", registryview.Args{Name: "acme", Tier: "basic", Region: "ams3"}},
		{"repos", registryview.ParseRepos, "", registryview.Args{}},
		{"repos", registryview.ParseRepos, "team/web --registry tools", registryview.Args{Name: "tools", Repo: "team/web"}},
		{"tags", registryview.ParseTags, "web", registryview.Args{Repo: "web"}},
		{"gc", func(w []string) (registryview.Args, error) { return registryview.ParseTarget("registry gc", w) }, "tools --reason spring", registryview.Args{Name: "tools", Reason: "spring"}},
	}
	for _, tt := range tests {
		got, err := tt.fn(strings.Fields(tt.in))
		if err != nil || got != tt.want {
			t.Errorf("%s: parse(%q) = %+v, %v; want %+v", tt.name, tt.in, got, err, tt.want)
		}
	}
	bad := []struct {
		fn   func([]string) (registryview.Args, error)
		in   string
		want string
	}{
		{registryview.ParseCreate, "", "registry create takes one name"},
		{registryview.ParseCreate, "Acme", "bad registry name"},
		{registryview.ParseCreate, "acme --tier gold", "--tier takes starter, basic or professional"},
		{registryview.ParseCreate, "acme --region Mars", "bad --region"},
		{registryview.ParseRepos, "a b", "at most one repository name"},
		{registryview.ParseRepos, "--registry BAD", "bad --registry"},
		{registryview.ParseTags, "", "registry tags takes one repository name"},
		{registryview.ParseTags, "Web!", "is not a repository name"},
		{func(w []string) (registryview.Args, error) { return registryview.ParseTarget("registry delete", w) }, "a b", "registry delete takes at most one registry name"},
	}
	for _, tt := range bad {
		_, err := tt.fn(strings.Fields(tt.in))
		var ue *reply.UserError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parse(%q) = %v; want a user error containing %q", tt.in, err, tt.want)
		}
	}
}

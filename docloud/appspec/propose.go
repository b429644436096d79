package appspec

import (
	"context"
	"fmt"

	"dobot/docloud"

	"github.com/digitalocean/godo"
)

// Proposal is App Platform's view of a spec before it is created: the
// spec as it would run, each component's price, the app's monthly cost as
// DigitalOcean states it (app_cost), and what the card should warn about.
type Proposal struct {
	Spec           *godo.AppSpec
	Components     []docloud.ComponentCost
	AppCostCents   int64 // DigitalOcean's app_cost
	NameAvailable  bool
	NameSuggestion string
	Warnings       []string
}

// Propose validates spec with App Platform's propose (POST
// /v2/apps/propose; appID "" for a new app) and prices its components. A
// spec App Platform refuses comes back as DigitalOcean's error (a 400
// naming the field), a repository it cannot read as a *RepoAccessError.
// Propose's answer has no per-component costs or warnings: those come from
// the instance size list, and the warnings from the spec (see warnings).
func Propose(ctx context.Context, apps godo.AppsService, prices *docloud.Prices, spec *godo.AppSpec, appID string) (Proposal, error) {
	res, _, err := apps.Propose(ctx, &godo.AppProposeRequest{Spec: spec, AppID: appID})
	if err != nil {
		if acc := repoAccess(specRepo(spec), err); acc != nil {
			return Proposal{}, acc
		}
		return Proposal{}, fmt.Errorf("propose app %q: %w", spec.Name, err)
	}
	p := Proposal{Spec: res.Spec, AppCostCents: docloud.DollarsToCents(float64(res.AppCost)),
		NameAvailable: res.AppNameAvailable, NameSuggestion: res.AppNameSuggestion}
	if p.Spec == nil {
		p.Spec = spec
	}
	comps, _, err := docloud.SpecCost(ctx, prices, p.Spec)
	if err != nil {
		return Proposal{}, err
	}
	p.Components = comps
	sizes, err := prices.AppSizes(ctx)
	if err != nil {
		return Proposal{}, err
	}
	p.Warnings = warnings(p, sizes, appID)
	return p, nil
}

// warnings are what a person should know before a spec runs: the name is
// taken, a size is being retired, a source deploys on every push (outside
// the bot).
func warnings(p Proposal, sizes []*godo.AppInstanceSize, appID string) []string {
	var out []string
	if !p.NameAvailable && appID == "" {
		w := fmt.Sprintf("the name %q is taken", p.Spec.Name)
		if p.NameSuggestion != "" {
			w += fmt.Sprintf("; %q is free", p.NameSuggestion)
		}
		out = append(out, w)
	}
	retiring := map[string]bool{}
	for _, s := range sizes {
		if s.DeprecationIntent {
			retiring[s.Slug] = true
		}
	}
	for _, c := range p.Components {
		if retiring[c.Size] {
			out = append(out, fmt.Sprintf("%s %s uses size %s, which DigitalOcean intends to retire", c.Kind, c.Name, c.Size))
		}
	}
	push := func(kind, name string, gh *godo.GitHubSourceSpec, gl *godo.GitLabSourceSpec) {
		if gh != nil && gh.DeployOnPush || gl != nil && gl.DeployOnPush {
			out = append(out, fmt.Sprintf("%s %s deploys on every push to its branch, outside the bot's approvals", kind, name))
		}
	}
	for _, c := range p.Spec.Services {
		push("service", c.Name, c.GitHub, c.GitLab)
	}
	for _, c := range p.Spec.Workers {
		push("worker", c.Name, c.GitHub, c.GitLab)
	}
	for _, c := range p.Spec.StaticSites {
		push("static site", c.Name, c.GitHub, c.GitLab)
	}
	return out
}

// specRepo names the first Git repository spec builds from, for messages.
func specRepo(spec *godo.AppSpec) string {
	name := func(git *godo.GitSourceSpec, gh *godo.GitHubSourceSpec, gl *godo.GitLabSourceSpec) string {
		switch {
		case gh != nil:
			return "github.com/" + gh.Repo
		case gl != nil:
			return "gitlab.com/" + gl.Repo
		case git != nil:
			return git.RepoCloneURL
		}
		return ""
	}
	for _, c := range spec.Services {
		if n := name(c.Git, c.GitHub, c.GitLab); n != "" {
			return n
		}
	}
	for _, c := range spec.Workers {
		if n := name(c.Git, c.GitHub, c.GitLab); n != "" {
			return n
		}
	}
	for _, c := range spec.StaticSites {
		if n := name(c.Git, c.GitHub, c.GitLab); n != "" {
			return n
		}
	}
	return "the app's repository"
}

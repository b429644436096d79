package apps

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/digitalocean/godo"

	"dobot/internal/dosim/catalog"
	"dobot/internal/dosim/wire"
)

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}[a-z0-9]$`)

var domainRE = regexp.MustCompile(`^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

func invalidSpec(field, format string, args ...any) *wire.APIError {
	return wire.Invalid("error validating app spec field %q: %s", field, fmt.Sprintf(format, args...))
}

// vet is App Platform's check of a spec before propose, create or update:
// the spec's own rules, then that DigitalOcean can read its Git sources.
func (s *State) vet(spec *godo.AppSpec) *wire.APIError {
	if e := checkSpec(spec); e != nil {
		return e
	}
	_, e := s.checkSources(spec)
	return e
}

// part is what the checks need of one component of any kind.
type part struct {
	field, name, size string
	count             int64
	sources           []bool // which of image, git, github, gitlab, bitbucket are set
	image             *godo.ImageSourceSpec
	github, gitlab    string // repo, when set
	git               *godo.GitSourceSpec
	static            bool
	routes            []*godo.AppRouteSpec
	envs              []*godo.AppVariableDefinition
}

func parts(spec *godo.AppSpec) []part {
	var out []part
	for i, c := range spec.Services {
		out = append(out, part{fmt.Sprintf("services[%d]", i), c.Name, c.InstanceSizeSlug, c.InstanceCount,
			[]bool{c.Image != nil, c.Git != nil, c.GitHub != nil, c.GitLab != nil, c.Bitbucket != nil},
			c.Image, ghRepo(c.GitHub), glRepo(c.GitLab), c.Git, false, c.Routes, c.Envs})
	}
	for i, c := range spec.Workers {
		out = append(out, part{fmt.Sprintf("workers[%d]", i), c.Name, c.InstanceSizeSlug, c.InstanceCount,
			[]bool{c.Image != nil, c.Git != nil, c.GitHub != nil, c.GitLab != nil, c.Bitbucket != nil},
			c.Image, ghRepo(c.GitHub), glRepo(c.GitLab), c.Git, false, nil, c.Envs})
	}
	for i, c := range spec.Jobs {
		out = append(out, part{fmt.Sprintf("jobs[%d]", i), c.Name, c.InstanceSizeSlug, c.InstanceCount,
			[]bool{c.Image != nil, c.Git != nil, c.GitHub != nil, c.GitLab != nil, c.Bitbucket != nil},
			c.Image, ghRepo(c.GitHub), glRepo(c.GitLab), c.Git, false, nil, c.Envs})
	}
	for i, c := range spec.StaticSites {
		out = append(out, part{fmt.Sprintf("static_sites[%d]", i), c.Name, "", 0,
			[]bool{false, c.Git != nil, c.GitHub != nil, c.GitLab != nil, c.Bitbucket != nil},
			nil, ghRepo(c.GitHub), glRepo(c.GitLab), c.Git, true, c.Routes, c.Envs})
	}
	return out
}

func ghRepo(g *godo.GitHubSourceSpec) string {
	if g == nil {
		return ""
	}
	return g.Repo + " " // never empty when set, so that a missing repo is seen
}

func glRepo(g *godo.GitLabSourceSpec) string {
	if g == nil {
		return ""
	}
	return g.Repo + " "
}

// checkSpec is DigitalOcean's own check of an app spec, beyond what the
// description can say: a valid name and region, at least one component,
// component names unique across kinds, one source each (a static site
// builds from Git), known sizes within their instance limits, route paths
// used once, domains valid with at most one PRIMARY, and env keys unique
// where they are declared. The wording is the simulator's; the shape (400
// invalid_argument naming the field) is DigitalOcean's.
func checkSpec(spec *godo.AppSpec) *wire.APIError {
	if spec == nil {
		return wire.Invalid("spec is required")
	}
	if spec.Name == "" {
		return invalidSpec("name", "name is required")
	}
	if !nameRE.MatchString(spec.Name) {
		return invalidSpec("name", "%q must match %s", spec.Name, nameRE)
	}
	if spec.Region != "" && catalog.RegionBySlug(spec.Region) == nil {
		return invalidSpec("region", "unknown region %q", spec.Region)
	}
	if len(spec.Services)+len(spec.Workers)+len(spec.Jobs)+len(spec.StaticSites)+len(spec.Functions) == 0 {
		return invalidSpec("services", "an app must have at least one component")
	}
	seen, paths := map[string]bool{}, map[string]string{}
	for _, p := range parts(spec) {
		if e := checkPart(p, seen, paths); e != nil {
			return e
		}
	}
	if e := checkEnvs("envs", spec.Envs); e != nil {
		return e
	}
	return checkDomains(spec.Domains)
}

func checkPart(p part, seen map[string]bool, paths map[string]string) *wire.APIError {
	if !nameRE.MatchString(p.name) {
		return invalidSpec(p.field+".name", "%q must match %s", p.name, nameRE)
	}
	if seen[p.name] {
		return invalidSpec(p.field+".name", "component name %q is used more than once", p.name)
	}
	seen[p.name] = true
	n := 0
	for _, set := range p.sources {
		if set {
			n++
		}
	}
	switch {
	case p.static && n != 1:
		return invalidSpec(p.field, "a static site needs exactly one source (git, github, gitlab or bitbucket)")
	case n != 1:
		return invalidSpec(p.field, "a component needs exactly one source (image, git, github, gitlab or bitbucket)")
	}
	if e := checkSource(p); e != nil {
		return e
	}
	if p.size != "" && catalog.InstanceSizeBySlug(p.size) == nil {
		return invalidSpec(p.field+".instance_size_slug", "unknown instance size %q", p.size)
	}
	if !p.static {
		if e := checkInstanceCount(p.field, p.size, p.count); e != nil {
			return e
		}
	}
	for _, r := range p.routes {
		if other, dup := paths[r.Path]; dup {
			return invalidSpec(p.field+".routes", "route path %q is already used by %s", r.Path, other)
		}
		paths[r.Path] = p.name
	}
	return checkEnvs(p.field+".envs", p.envs)
}

func checkSource(p part) *wire.APIError {
	switch {
	case p.image != nil:
		img := p.image
		if img.Repository == "" {
			return invalidSpec(p.field+".image.repository", "repository is required")
		}
		if img.RegistryType == "" {
			return invalidSpec(p.field+".image.registry_type", "registry_type is required")
		}
		if img.Digest != "" && img.Tag != "" {
			// The description: "Cannot be specified if tag is provided."
			return invalidSpec(p.field+".image.digest", "digest cannot be specified if tag is provided")
		}
	case p.github != "":
		if r := strings.TrimSpace(p.github); strings.Count(r, "/") != 1 || strings.HasPrefix(r, "/") || strings.HasSuffix(r, "/") {
			return invalidSpec(p.field+".github.repo", "repo must be OWNER/NAME, got %q", r)
		}
	case p.gitlab != "":
		if r := strings.TrimSpace(p.gitlab); !strings.Contains(r, "/") {
			return invalidSpec(p.field+".gitlab.repo", "repo must be GROUP/NAME, got %q", r)
		}
	case p.git != nil:
		if p.git.RepoCloneURL == "" {
			return invalidSpec(p.field+".git.repo_clone_url", "repo_clone_url is required")
		}
	}
	return nil
}

// checkInstanceCount refuses more than one instance of a size that is
// single_instance_only, as App Platform does: 400 invalid_argument naming the
// field. The exact wording of DigitalOcean's message is not documented; the
// shape (DigitalOcean's error body, status 400) is.
func checkInstanceCount(field, slug string, count int64) *wire.APIError {
	if slug == "" {
		slug = catalog.DefaultInstanceSize
	}
	if sz := catalog.InstanceSizeBySlug(slug); sz != nil && sz.SingleInstanceOnly && count > 1 {
		return invalidSpec(field+".instance_count", "instance size %s allows only one instance; choose a size that allows more, or an instance_count of 1", slug)
	}
	return nil
}

func checkEnvs(field string, envs []*godo.AppVariableDefinition) *wire.APIError {
	keys := map[string]bool{}
	for i, v := range envs {
		if v == nil || v.Key == "" {
			return invalidSpec(fmt.Sprintf("%s[%d].key", field, i), "key is required")
		}
		switch v.Type {
		case "", godo.AppVariableType_General, godo.AppVariableType_Secret:
		default:
			return invalidSpec(fmt.Sprintf("%s[%d].type", field, i), "type must be GENERAL or SECRET, got %q", v.Type)
		}
		k := string(v.Scope) + "/" + v.Key
		if keys[k] {
			return invalidSpec(fmt.Sprintf("%s[%d].key", field, i), "key %q is declared more than once", v.Key)
		}
		keys[k] = true
	}
	return nil
}

func checkDomains(domains []*godo.AppDomainSpec) *wire.APIError {
	seen, primary := map[string]bool{}, false
	for i, d := range domains {
		field := fmt.Sprintf("domains[%d]", i)
		if d == nil {
			return invalidSpec(field, "a domain is required")
		}
		if !domainRE.MatchString(d.Domain) {
			return invalidSpec(field+".domain", "%q is not a valid domain name", d.Domain)
		}
		if seen[d.Domain] {
			return invalidSpec(field+".domain", "domain %q is listed more than once", d.Domain)
		}
		seen[d.Domain] = true
		switch d.Type {
		case "", godo.AppDomainSpecType_Alias, godo.AppDomainSpecType_Unspecified:
		case godo.AppDomainSpecType_Primary:
			if primary {
				return invalidSpec(field+".type", "only one domain can be PRIMARY")
			}
			primary = true
		default:
			return invalidSpec(field+".type", "type must be PRIMARY or ALIAS, got %q", d.Type)
		}
	}
	return nil
}

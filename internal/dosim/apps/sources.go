package apps

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/digitalocean/godo"

	"dobot/internal/dosim/wire"
)

// Repo is a Git repository as the simulator knows it: who can read it, its
// branches, and what App Platform's detection finds in it.
type Repo struct {
	// Private repositories can be read through DigitalOcean's GitHub or
	// GitLab app only once it is Granted access, and never through a
	// plain `git` source.
	Private, Granted bool
	Branches         []string // default ["main"]
	Commit           string   // the head commit every branch builds
	// Components is what detect proposes for the repository root; each
	// has a SourceDir when it lives below it. None: detection finds
	// nothing it can build.
	Components []*godo.DetectResponseComponent
}

// knownRepos are the repositories every simulator starts with, by
// RepoKey. A repository it does not know is, to DigitalOcean, one it
// cannot read: GitHub answers 404 for a private repository and for a
// missing one alike.
func knownRepos() map[string]Repo {
	return map[string]Repo{
		"github.com/acme/web": {Commit: "3f9c2a1d0b7e4c5a8f6e2d1c0b9a8f7e6d5c4b3a", Components: []*godo.DetectResponseComponent{
			{Strategy: godo.DetectResponseType_Dockerfile, Dockerfiles: []string{"Dockerfile"}, HTTPPorts: []int64{8080}},
		}},
		"github.com/acme/shop": {Commit: "9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b", Components: []*godo.DetectResponseComponent{
			{Strategy: godo.DetectResponseType_Dockerfile, SourceDir: "api", Dockerfiles: []string{"api/Dockerfile"}, HTTPPorts: []int64{3000}},
			{Strategy: godo.DetectResponseType_HTML, SourceDir: "site"},
			{Strategy: godo.DetectResponseType_Buildpack, SourceDir: "worker", EnvironmentSlug: "node-js", BuildCommand: "npm ci", RunCommand: "node worker.js"},
		}},
		"gitlab.com/acme/site": {Commit: "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b", Components: []*godo.DetectResponseComponent{
			{Strategy: godo.DetectResponseType_HTML},
		}},
		"git.example.com/acme/tool": {Commit: "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c", Components: []*godo.DetectResponseComponent{
			{Strategy: godo.DetectResponseType_Buildpack, EnvironmentSlug: "go", BuildCommand: "go build -o bin/tool .", RunCommand: "bin/tool", HTTPPorts: []int64{8080}},
		}},
		"github.com/acme/empty":   {Commit: "aaaabbbbccccddddeeeeffff0000111122223333"},
		"github.com/acme/private": {Private: true, Commit: "5555666677778888999900001111222233334444"},
	}
}

// RepoKey is the key a repository is known by: host and path, lowercased,
// without scheme, user or ".git", such as "github.com/acme/web". It
// accepts a clone URL, "github.com/acme/web", or a GitHub/GitLab source's
// "acme/web" with its host given.
func RepoKey(host, repo string) string {
	r := strings.ToLower(strings.TrimSpace(repo))
	if u, err := url.Parse(r); err == nil && u.Host != "" {
		r = u.Host + u.Path
	} else if i := strings.Index(r, "@"); i >= 0 && strings.Contains(r, ":") {
		r = strings.Replace(r[i+1:], ":", "/", 1) // git@github.com:acme/web.git
	} else if host != "" {
		r = host + "/" + strings.TrimPrefix(r, "/")
	}
	return strings.TrimSuffix(strings.TrimSuffix(r, "/"), ".git")
}

// AddRepo makes the simulator know a repository (by clone URL or RepoKey),
// replacing what it knew of it.
func (s *State) AddRepo(cloneURL string, r Repo) {
	if s.repos == nil {
		s.repos = knownRepos()
	}
	s.repos[RepoKey("", cloneURL)] = r
}

// DisconnectGitHub stands for an account that never connected GitHub to
// DigitalOcean: every github source is refused with "GitHub user not
// authenticated".
func (s *State) DisconnectGitHub(disconnected bool) { s.noGitHub = disconnected }

// source is a component's Git source: its kind ("github", "gitlab" or
// "git"), its RepoKey and branch.
type source struct {
	kind, key, branch string
}

func gitSource(git *godo.GitSourceSpec, gh *godo.GitHubSourceSpec, gl *godo.GitLabSourceSpec) *source {
	switch {
	case gh != nil:
		return &source{"github", RepoKey("github.com", gh.Repo), gh.Branch}
	case gl != nil:
		return &source{"gitlab", RepoKey("gitlab.com", gl.Repo), gl.Branch}
	case git != nil:
		return &source{"git", RepoKey("", git.RepoCloneURL), git.Branch}
	}
	return nil
}

// gitRepo is the RepoKey a component builds from, or "".
func gitRepo(git *godo.GitSourceSpec, gh *godo.GitHubSourceSpec, gl *godo.GitLabSourceSpec) string {
	if src := gitSource(git, gh, gl); src != nil {
		return src.key
	}
	return ""
}

// read checks that DigitalOcean can read src, as App Platform does before
// it detects, proposes, creates or updates, and returns the repository.
// The messages are DigitalOcean's own, as users report them: "GitHub user
// not authenticated" when the account never connected GitHub (doctl and
// Terraform users hit it at create), "GitHub user does not have access to
// OWNER/REPO" when the GitHub app cannot see the repository
// (squarecat/doc-buddy#1, from a deploy button), and "Account does not
// have access to the repo" for a `git` source of a private repository
// (digitalocean/terraform-provider-digitalocean#547). All are 400s. The
// GitLab wording mirrors GitHub's, and the unknown-branch message is the
// simulator's own: neither is documented.
func (s *State) read(src *source) (Repo, *wire.APIError) {
	if s.repos == nil {
		s.repos = knownRepos()
	}
	r, known := s.repos[src.key]
	_, path, _ := strings.Cut(src.key, "/") // acme/web
	switch {
	case src.kind == "github" && s.noGitHub:
		return r, &wire.APIError{Status: http.StatusBadRequest, ID: "invalid_argument", Message: "GitHub user not authenticated"}
	case src.kind == "github" && (!known || r.Private && !r.Granted):
		return r, &wire.APIError{Status: http.StatusBadRequest, ID: "invalid_argument", Message: "GitHub user does not have access to " + path}
	case src.kind == "gitlab" && (!known || r.Private && !r.Granted):
		return r, &wire.APIError{Status: http.StatusBadRequest, ID: "invalid_argument", Message: "GitLab user does not have access to " + path}
	case src.kind == "git" && (!known || r.Private):
		return r, &wire.APIError{Status: http.StatusBadRequest, ID: "invalid_argument", Message: "Account does not have access to the repo"}
	}
	branches := r.Branches
	if len(branches) == 0 {
		branches = []string{"main"}
	}
	if src.branch != "" && !slices.Contains(branches, src.branch) {
		return r, wire.Invalid("branch %q not found in %s", src.branch, src.key)
	}
	return r, nil
}

// checkSources reads every Git source of spec, and returns the head commit
// of the first.
func (s *State) checkSources(spec *godo.AppSpec) (string, *wire.APIError) {
	commit := ""
	for _, src := range specSources(spec) {
		r, e := s.read(src)
		if e != nil {
			return "", e
		}
		if commit == "" {
			commit = r.Commit
		}
	}
	return commit, nil
}

func specSources(spec *godo.AppSpec) []*source {
	var out []*source
	add := func(src *source) {
		if src != nil {
			out = append(out, src)
		}
	}
	for _, c := range spec.Services {
		add(gitSource(c.Git, c.GitHub, c.GitLab))
	}
	for _, c := range spec.Workers {
		add(gitSource(c.Git, c.GitHub, c.GitLab))
	}
	for _, c := range spec.Jobs {
		add(gitSource(c.Git, c.GitHub, c.GitLab))
	}
	for _, c := range spec.StaticSites {
		add(gitSource(c.Git, c.GitHub, c.GitLab))
	}
	return out
}

// DetectPath is where godo's Apps.Detect posts. The route is not in
// DigitalOcean's public OpenAPI description, so internal/dotest serves it
// outside its checks; request and answer are shaped as godo's
// DetectRequest and DetectResponse.
const DetectPath = "/v2/apps/detect"

// detect serves POST /v2/apps/detect: the components App Platform finds in
// a repository it can read, below source_dir when one is given.
func (s *State) detect(c *wire.Call) wire.Reply {
	var req godo.DetectRequest
	if e := wire.Decode(c.Body, &req); e != nil {
		return wire.Fail(e)
	}
	src := gitSource(req.Git, req.GitHub, req.GitLab)
	if src == nil {
		return wire.Fail(wire.Invalid("a git, github or gitlab source is required"))
	}
	r, e := s.read(src)
	if e != nil {
		return wire.Fail(e)
	}
	dir := strings.Trim(req.SourceDir, "/")
	out := godo.DetectResponse{Components: []*godo.DetectResponseComponent{}}
	for _, comp := range r.Components {
		if dir == "" || comp.SourceDir == dir || strings.HasPrefix(comp.SourceDir, dir+"/") {
			cp := *comp
			out.Components = append(out.Components, &cp)
		}
	}
	return wire.OK(out)
}

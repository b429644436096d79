package appspec

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"

	"dobot/docloud"

	"github.com/digitalocean/godo"
)

// GitSource is a repository to launch from: `--git URL [--branch B]
// [--dir D] [--deploy-on-push]`.
type GitSource struct {
	URL          string // https://github.com/acme/web, gitlab.com/acme/site, or any public clone URL
	Branch       string // "" = the repository's default (main)
	Dir          string // the component's directory in the repository; "" = its root
	DeployOnPush bool   // only for GitHub and GitLab, which App Platform watches
}

// GitRepo is a repository URL as App Platform names it: Kind "github" or
// "gitlab" with Repo "owner/name", or Kind "git" with Repo the clone URL.
type GitRepo struct {
	Kind, Repo string
}

// GitURLError says a --git value is not a repository URL.
type GitURLError struct{ URL, Why string }

func (e *GitURLError) Error() string {
	return fmt.Sprintf("%q is not a Git repository URL: %s", e.URL, e.Why)
}

var ownerName = regexp.MustCompile(`^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$`)

// ParseGitURL names a repository the way App Platform wants it: GitHub and
// GitLab repositories by "owner/name" (their source types, which need
// DigitalOcean's GitHub or GitLab app), any other https URL as a plain
// `git` clone URL. "github.com/acme/web" (no scheme), a trailing ".git"
// and git@host:owner/name forms are accepted.
func ParseGitURL(raw string) (GitRepo, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return GitRepo{}, &GitURLError{raw, "it is empty"}
	}
	if m := regexp.MustCompile(`^git@([^:]+):(.+)$`).FindStringSubmatch(s); m != nil {
		s = "https://" + m[1] + "/" + m[2]
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return GitRepo{}, &GitURLError{raw, "it has no host"}
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return GitRepo{}, &GitURLError{raw, "App Platform clones over https"}
	}
	if u.User != nil {
		return GitRepo{}, &GitURLError{raw, "leave credentials out of the URL; connect GitHub or GitLab to DigitalOcean instead"}
	}
	repo := strings.TrimSuffix(strings.Trim(path.Clean(u.Path), "/"), ".git")
	if !ownerName.MatchString(repo) {
		return GitRepo{}, &GitURLError{raw, "it names no owner/repository"}
	}
	switch strings.ToLower(u.Host) {
	case "github.com", "www.github.com":
		if strings.Count(repo, "/") != 1 {
			return GitRepo{}, &GitURLError{raw, "a GitHub repository is github.com/OWNER/NAME"}
		}
		return GitRepo{Kind: "github", Repo: repo}, nil
	case "gitlab.com", "www.gitlab.com":
		return GitRepo{Kind: "gitlab", Repo: repo}, nil
	}
	u.Path, u.RawQuery, u.Fragment = "/"+repo+".git", "", ""
	u.Scheme = "https"
	return GitRepo{Kind: "git", Repo: u.String()}, nil
}

// sourceOf sets the source fields of a detect request or component from
// repo; deploy_on_push only for GitHub and GitLab.
func sourceOf(repo GitRepo, src GitSource) (git *godo.GitSourceSpec, gh *godo.GitHubSourceSpec, gl *godo.GitLabSourceSpec) {
	switch repo.Kind {
	case "github":
		return nil, &godo.GitHubSourceSpec{Repo: repo.Repo, Branch: src.Branch, DeployOnPush: src.DeployOnPush}, nil
	case "gitlab":
		return nil, nil, &godo.GitLabSourceSpec{Repo: repo.Repo, Branch: src.Branch, DeployOnPush: src.DeployOnPush}
	}
	return &godo.GitSourceSpec{RepoCloneURL: repo.Repo, Branch: src.Branch}, nil, nil
}

// RepoAccessError says DigitalOcean cannot read a repository: the account
// has not connected GitHub (or GitLab), or DigitalOcean's app was not given
// the repository, or the repository is private and not a GitHub or GitLab
// one. Message is DigitalOcean's own.
type RepoAccessError struct {
	URL       string
	Message   string
	RequestID string
}

func (e *RepoAccessError) Error() string {
	return fmt.Sprintf("DigitalOcean cannot read %s (%s). Connect GitHub (or GitLab) to DigitalOcean first and give it this repository: https://cloud.digitalocean.com/apps/github/install; a public repository works with any Git URL.",
		e.URL, e.Message)
}

// repoAccess recognises DigitalOcean's answers for a repository it cannot
// read (see internal/dosim/apps/sources.go for their sources).
func repoAccess(rawURL string, err error) error {
	var er *godo.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil || er.Response.StatusCode != http.StatusBadRequest {
		return nil
	}
	msg := er.Message
	for _, s := range []string{"user not authenticated", "does not have access", "not have access to the repo"} {
		if strings.Contains(strings.ToLower(msg), s) {
			return &RepoAccessError{URL: rawURL, Message: msg, RequestID: er.RequestID}
		}
	}
	return nil
}

// Detection is what App Platform proposes to build from a repository.
type Detection struct {
	Repo       GitRepo
	Components []*godo.DetectResponseComponent
	// Fallback is set when detection failed or found nothing: the spec is
	// then one service built from the repository's Dockerfile, and Note
	// says so for the card.
	Fallback bool
	Note     string
}

// Detect asks App Platform (POST /v2/apps/detect, godo's Apps.Detect)
// which components src holds. A repository DigitalOcean cannot read is a
// *RepoAccessError and a bad URL a *GitURLError; any other failure, or
// nothing found, falls back to one service built from the Dockerfile, as
// DECISIONS.md says.
func Detect(ctx context.Context, apps godo.AppsService, src GitSource) (Detection, error) {
	repo, err := ParseGitURL(src.URL)
	if err != nil {
		return Detection{}, err
	}
	req := &godo.DetectRequest{SourceDir: src.Dir}
	req.Git, req.GitHub, req.GitLab = sourceOf(repo, src)
	if req.GitHub != nil {
		req.GitHub.DeployOnPush = false
	}
	if req.GitLab != nil {
		req.GitLab.DeployOnPush = false
	}
	res, _, err := apps.Detect(ctx, req)
	if err != nil {
		if acc := repoAccess(src.URL, err); acc != nil {
			return Detection{}, acc
		}
		if ctx.Err() != nil {
			return Detection{}, fmt.Errorf("detect %s: %w", src.URL, err)
		}
		return Detection{Repo: repo, Fallback: true,
			Note: fmt.Sprintf("App Platform could not detect the components of %s (%s); building one service from its Dockerfile.", src.URL, apiMessage(err))}, nil
	}
	if res == nil || res.Pending || len(res.Components) == 0 {
		return Detection{Repo: repo, Fallback: true,
			Note: fmt.Sprintf("App Platform found nothing it knows how to build in %s; building one service from its Dockerfile.", src.URL)}, nil
	}
	return Detection{Repo: repo, Components: res.Components}, nil
}

// apiMessage is DigitalOcean's message in err, or err's text.
func apiMessage(err error) string {
	var er *godo.ErrorResponse
	if errors.As(err, &er) && er.Message != "" {
		return er.Message
	}
	return err.Error()
}

// BuildGitSpec is the app spec for launching name from src with what
// Detect found: a static site for plain HTML, a service for a component
// with an HTTP port (its last, as detect recommends; App Platform's 8080
// when a Dockerfile names none), a worker for a buildpack component
// without one. deploy_on_push is off unless src asks for it. Several HTTP
// components get routes: the first "/", the others "/NAME".
func BuildGitSpec(name, region string, src GitSource, det Detection) *godo.AppSpec {
	spec := &godo.AppSpec{Name: name, Region: region}
	comps := det.Components
	if det.Fallback || len(comps) == 0 {
		comps = []*godo.DetectResponseComponent{{Strategy: godo.DetectResponseType_Dockerfile, Dockerfiles: []string{"Dockerfile"}}}
	}
	used := map[string]bool{}
	web := 0
	for _, c := range comps {
		cname := componentName(name, c.SourceDir, used)
		dir := c.SourceDir
		if dir == "" {
			dir = src.Dir
		}
		git, gh, gl := sourceOf(det.Repo, src)
		route := func() []*godo.AppRouteSpec {
			web++
			if web == 1 {
				return nil // set below once the count is known
			}
			return []*godo.AppRouteSpec{{Path: "/" + cname}}
		}
		switch {
		case c.Strategy == godo.DetectResponseType_HTML:
			spec.StaticSites = append(spec.StaticSites, &godo.AppStaticSiteSpec{Name: cname, Git: git, GitHub: gh, GitLab: gl,
				SourceDir: dir, BuildCommand: c.BuildCommand, Routes: route()})
		case c.Strategy == godo.DetectResponseType_Buildpack && len(c.HTTPPorts) == 0:
			spec.Workers = append(spec.Workers, &godo.AppWorkerSpec{Name: cname, Git: git, GitHub: gh, GitLab: gl,
				SourceDir: dir, EnvironmentSlug: c.EnvironmentSlug, BuildCommand: c.BuildCommand, RunCommand: c.RunCommand,
				InstanceSizeSlug: docloud.DefaultAppSize, InstanceCount: 1})
		default:
			port := int64(docloud.AppPlatformPort)
			if n := len(c.HTTPPorts); n > 0 {
				port = c.HTTPPorts[n-1]
			}
			svc := &godo.AppServiceSpec{Name: cname, Git: git, GitHub: gh, GitLab: gl, SourceDir: dir, HTTPPort: port,
				EnvironmentSlug: c.EnvironmentSlug, BuildCommand: c.BuildCommand, RunCommand: c.RunCommand,
				InstanceSizeSlug: docloud.DefaultAppSize, InstanceCount: 1, Routes: route()}
			if c.Strategy != godo.DetectResponseType_Buildpack {
				svc.DockerfilePath = "Dockerfile"
				if len(c.Dockerfiles) > 0 {
					svc.DockerfilePath = c.Dockerfiles[0]
				}
			}
			spec.Services = append(spec.Services, svc)
		}
	}
	if web > 1 {
		setFirstRoute(spec)
	}
	return spec
}

// setFirstRoute gives "/" to the HTTP component that has no route yet.
func setFirstRoute(spec *godo.AppSpec) {
	for _, s := range spec.Services {
		if s.Routes == nil {
			s.Routes = []*godo.AppRouteSpec{{Path: "/"}}
			return
		}
	}
	for _, s := range spec.StaticSites {
		if s.Routes == nil {
			s.Routes = []*godo.AppRouteSpec{{Path: "/"}}
			return
		}
	}
}

var notName = regexp.MustCompile(`[^a-z0-9-]+`)

// componentName is a valid, unused component name: the app's name for the
// repository root, else the directory's last element.
func componentName(app, dir string, used map[string]bool) string {
	base := app
	if d := strings.Trim(dir, "/"); d != "" {
		base = notName.ReplaceAllString(strings.ToLower(path.Base(d)), "-")
		base = strings.Trim(base, "-")
		if base == "" || base[0] < 'a' || base[0] > 'z' {
			base = "c-" + base
		}
	}
	if len(base) > 28 {
		base = strings.TrimRight(base[:28], "-")
	}
	name := base
	for i := 2; used[name]; i++ {
		name = fmt.Sprintf("%s-%d", base, i)
	}
	used[name] = true
	return name
}

package docloud

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/digitalocean/godo"
)

// FindOwnAppBy is FindOwnApp with another test of the spec: the app called
// name, created at or after after, whose spec ours accepts. A Git or spec
// launch has no one image to match; it matches the sources it sent.
func FindOwnAppBy(ctx context.Context, svc godo.AppsService, name string, after time.Time, ours func(*godo.AppSpec) bool) (*godo.App, error) {
	apps, err := AppsByID(ctx, svc)
	if err != nil {
		return nil, err
	}
	for _, app := range apps {
		if app.Spec == nil || app.Spec.Name != name {
			continue
		}
		if app.CreatedAt.Before(after) || !ours(app.Spec) {
			return nil, nil
		}
		return app, nil
	}
	return nil, nil
}

// SourcesOf names what each component of spec builds or runs, sorted, one
// a line: "service web github:acme/web api". Two specs with the same
// sources were sent by the same launch, whatever defaults App Platform
// filled in since (a branch left out becomes the repository's default, so
// branches are not compared).
func SourcesOf(spec *godo.AppSpec) string {
	var out []string
	add := func(kind, name, dir string, git *godo.GitSourceSpec, gh *godo.GitHubSourceSpec, gl *godo.GitLabSourceSpec, img *godo.ImageSourceSpec) {
		src := ""
		switch {
		case gh != nil:
			src = "github:" + strings.ToLower(gh.Repo)
		case gl != nil:
			src = "gitlab:" + strings.ToLower(gl.Repo)
		case git != nil:
			src = "git:" + strings.ToLower(git.RepoCloneURL)
		case img != nil:
			src = fmt.Sprintf("image:%s/%s/%s:%s@%s", img.RegistryType, img.Registry, img.Repository, img.Tag, img.Digest)
		}
		out = append(out, strings.Join([]string{kind, name, src, strings.Trim(dir, "/")}, " "))
	}
	for _, c := range spec.Services {
		add("service", c.Name, c.SourceDir, c.Git, c.GitHub, c.GitLab, c.Image)
	}
	for _, c := range spec.Workers {
		add("worker", c.Name, c.SourceDir, c.Git, c.GitHub, c.GitLab, c.Image)
	}
	for _, c := range spec.Jobs {
		add("job", c.Name, c.SourceDir, c.Git, c.GitHub, c.GitLab, c.Image)
	}
	for _, c := range spec.StaticSites {
		add("static site", c.Name, c.SourceDir, c.Git, c.GitHub, c.GitLab, nil)
	}
	for _, c := range spec.Functions {
		add("function", c.Name, c.SourceDir, c.Git, c.GitHub, c.GitLab, nil)
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// ComponentCount is how many components spec has.
func ComponentCount(spec *godo.AppSpec) int {
	if spec == nil {
		return 0
	}
	return len(spec.Services) + len(spec.Workers) + len(spec.Jobs) + len(spec.StaticSites) + len(spec.Functions)
}

package daytwo

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"dobot/docloud"

	"github.com/digitalocean/godo"
)

// Known is the newest deployment of a managed app that the bot knows of:
// one it started, or one it already reported.
type Known struct {
	DeploymentID string
	CreatedAt    time.Time
}

// Elsewhere is a deployment of a managed app that the bot did not start:
// a push to a deploy-on-push source, the control panel or doctl.
type Elsewhere struct {
	AppID, AppName string
	Deployment     *godo.Deployment
}

// ElsewhereFinder finds deployments started outside the bot within
// DigitalOcean's request budget: at most one GET /v2/apps (one page of 200
// apps) every Every, however often Find is called. A deployment that
// failed (so it is neither the app's active nor its in-progress one) costs
// one more call, GET /v2/apps/{id}/deployments, for that app only. While a
// found deployment runs, the caller follows it as it follows its own.
type ElsewhereFinder struct {
	Apps  godo.AppsService
	Every time.Duration    // default time.Minute
	Now   func() time.Time // default time.Now

	mu   sync.Mutex
	last time.Time // when the apps were last listed
}

func (f *ElsewhereFinder) now() time.Time {
	if f.Now == nil {
		return time.Now()
	}
	return f.Now()
}

// due reports whether a list may be made now, and if so takes the turn.
func (f *ElsewhereFinder) due() bool {
	every := f.Every
	if every <= 0 {
		every = time.Minute
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if !f.last.IsZero() && now.Sub(f.last) < every {
		return false
	}
	f.last = now
	return true
}

// Find lists the apps, when its turn has come (polled reports whether it
// did), and returns the deployments of managed apps (by app id) newer than
// the one the bot knows that ours does not claim, oldest first.
func (f *ElsewhereFinder) Find(ctx context.Context, managed map[string]Known, ours func(deploymentID string) bool) (found []Elsewhere, polled bool, err error) {
	if len(managed) == 0 || !f.due() {
		return nil, false, nil
	}
	var apps []*godo.App
	err = docloud.EachPage(200, func(opt *godo.ListOptions) (*godo.Response, error) {
		page, resp, err := f.Apps.List(ctx, opt)
		apps = append(apps, page...)
		return resp, err
	})
	if err != nil {
		return nil, true, fmt.Errorf("list apps: %w", err)
	}
	for _, app := range apps {
		known, ok := managed[app.ID]
		if !ok {
			continue
		}
		news, err := f.newer(ctx, app, known, ours)
		if err != nil {
			return found, true, err
		}
		found = append(found, news...)
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].Deployment.CreatedAt.Before(found[j].Deployment.CreatedAt) })
	return found, true, nil
}

// newer is app's deployments after known that ours does not claim. The
// list answer carries the in-progress and active deployments; when its
// last_deployment_created_at is newer than both, the newest deployment
// ended otherwise (failed or canceled) and is looked up.
func (f *ElsewhereFinder) newer(ctx context.Context, app *godo.App, known Known, ours func(string) bool) ([]Elsewhere, error) {
	var out []Elsewhere
	seen := map[string]bool{known.DeploymentID: true}
	newest := time.Time{}
	take := func(d *godo.Deployment) {
		if d == nil || seen[d.ID] {
			return
		}
		seen[d.ID] = true
		if d.CreatedAt.After(newest) {
			newest = d.CreatedAt
		}
		if d.CreatedAt.After(known.CreatedAt) && (ours == nil || !ours(d.ID)) {
			out = append(out, Elsewhere{AppID: app.ID, AppName: appName(app), Deployment: d})
		}
	}
	take(app.InProgressDeployment)
	take(app.ActiveDeployment)
	last := app.LastDeploymentCreatedAt
	if !last.After(known.CreatedAt) || !last.After(newest) {
		return out, nil
	}
	deps, _, err := f.Apps.ListDeployments(ctx, app.ID, &godo.ListOptions{Page: 1, PerPage: 5})
	if err != nil {
		return out, fmt.Errorf("list deployments of app %s: %w", app.ID, err)
	}
	for _, d := range deps {
		take(d)
	}
	return out, nil
}

func appName(app *godo.App) string {
	if app.Spec != nil {
		return app.Spec.Name
	}
	return app.ID
}

// DeploymentCause says in words why a deployment started, from its
// cause_details when DigitalOcean gives them: "push of abc1234 to
// acme/web by ana", "manual, by raj@example.com", "rollback", or its
// cause text.
func DeploymentCause(d *godo.Deployment) string {
	cd := d.CauseDetails
	if cd == nil {
		return d.Cause
	}
	if p := cd.GitPush; p != nil {
		repo := ""
		switch {
		case p.GitHub != nil:
			repo = p.GitHub.Repo
		case p.GitLab != nil:
			repo = p.GitLab.Repo
		case p.Bitbucket != nil:
			repo = p.Bitbucket.Repo
		}
		sha := p.CommitSHA
		if len(sha) > 7 {
			sha = sha[:7]
		}
		s := fmt.Sprintf("push of %s to %s", sha, repo)
		if p.Username != "" {
			s += " by " + p.Username
		}
		return s
	}
	if cd.DOCRPush != nil {
		return fmt.Sprintf("push of %s:%s to the registry", cd.DOCRPush.Repository, cd.DOCRPush.Tag)
	}
	switch cd.Type {
	case godo.DeploymentCauseDetailsType_ManualRollback, godo.DeploymentCauseDetailsType_AutoRollback:
		return "rollback"
	case godo.DeploymentCauseDetailsType_Manual:
		if a := cd.DigitalOceanUserAction; a != nil && a.User != nil && a.User.Email != "" {
			return "manual, by " + a.User.Email
		}
		return "manual"
	}
	return d.Cause
}

// DeploymentCommit is the commit a deployment builds, from its first
// component that names one, or "".
func DeploymentCommit(d *godo.Deployment) string {
	for _, s := range d.Services {
		if s.SourceCommitHash != "" {
			return s.SourceCommitHash
		}
	}
	for _, s := range d.Workers {
		if s.SourceCommitHash != "" {
			return s.SourceCommitHash
		}
	}
	for _, s := range d.StaticSites {
		if s.SourceCommitHash != "" {
			return s.SourceCommitHash
		}
	}
	if d.CauseDetails != nil && d.CauseDetails.GitPush != nil {
		return d.CauseDetails.GitPush.CommitSHA
	}
	return ""
}

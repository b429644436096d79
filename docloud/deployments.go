package docloud

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
)

// FirstDeployment is the deployment a freshly created or updated app is
// working on.
func FirstDeployment(app *godo.App) *godo.Deployment {
	// pending_deployment comes first: for a create or an update the API
	// guarantees it is the deployment that change started.
	for _, d := range []*godo.Deployment{app.PendingDeployment, app.InProgressDeployment, app.ActiveDeployment} {
		if d != nil && d.ID != "" {
			return d
		}
	}
	return nil
}

// CurrentDeployment is the deployment whose logs matter now: the one in
// progress, else the active one.
func CurrentDeployment(app *godo.App) *godo.Deployment {
	for _, d := range []*godo.Deployment{app.InProgressDeployment, app.ActiveDeployment, app.PendingDeployment} {
		if d != nil && d.ID != "" {
			return d
		}
	}
	return nil
}

// AppsByID returns every app on the account by id, 200 to a page.
func AppsByID(ctx context.Context, svc godo.AppsService) (map[string]*godo.App, error) {
	out := map[string]*godo.App{}
	err := EachPage(200, func(opt *godo.ListOptions) (*godo.Response, error) {
		apps, resp, err := svc.List(ctx, opt)
		for _, a := range apps {
			out[a.ID] = a
		}
		return resp, err
	})
	if err != nil {
		return nil, fmt.Errorf("list apps: %w", err)
	}
	return out, nil
}

// ImageText writes an App Platform image source back as a ref.
func ImageText(img *godo.ImageSourceSpec) string {
	tag := ":" + img.Tag
	if img.Digest != "" {
		tag = "@" + img.Digest
	} else if img.Tag == "" {
		tag = ":latest"
	}
	switch img.RegistryType {
	case godo.ImageSourceSpecRegistryType_Ghcr:
		return dobot.HostGHCR + "/" + img.Registry + "/" + img.Repository + tag
	case godo.ImageSourceSpecRegistryType_DOCR:
		return dobot.HostDOCR + "/" + img.Repository + tag
	}
	return img.Registry + "/" + img.Repository + tag
}

// PreviousDeployment is the newest deployment before the active one that
// once went live, or nil when there is none.
func PreviousDeployment(ctx context.Context, svc godo.AppsService, app *godo.App) (*godo.Deployment, error) {
	deps, _, err := svc.ListDeployments(ctx, app.ID, &godo.ListOptions{Page: 1, PerPage: 50})
	if err != nil {
		return nil, fmt.Errorf("list deployments of %s: %w", app.ID, err)
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].CreatedAt.After(deps[j].CreatedAt) })
	activeID := ""
	if app.ActiveDeployment != nil {
		activeID = app.ActiveDeployment.ID
	}
	for _, d := range deps {
		if d.ID == activeID {
			continue
		}
		switch d.Phase {
		case godo.DeploymentPhase_Superseded, godo.DeploymentPhase_Active:
			return d, nil
		}
	}
	return nil, nil
}

// DeploymentImage is the image d's first image service ran, or "".
func DeploymentImage(d *godo.Deployment) string {
	if d == nil || d.Spec == nil {
		return ""
	}
	for _, svc := range d.Spec.Services {
		if svc.Image != nil {
			return ImageText(svc.Image)
		}
	}
	return ""
}

// NewestCreated is when app's newest deployment was created.
func NewestCreated(app *godo.App) time.Time {
	var t time.Time
	for _, d := range []*godo.Deployment{app.ActiveDeployment, app.InProgressDeployment, app.PendingDeployment} {
		if d != nil && d.CreatedAt.After(t) {
			t = d.CreatedAt
		}
	}
	return t
}

// NewestDeployment is the newest deployment of app created after after, or
// nil.
func NewestDeployment(ctx context.Context, svc godo.AppsService, appID string, after time.Time) (*godo.Deployment, error) {
	deps, _, err := svc.ListDeployments(ctx, appID, &godo.ListOptions{Page: 1, PerPage: 20})
	if err != nil {
		return nil, fmt.Errorf("list deployments of %s: %w", appID, err)
	}
	var newest *godo.Deployment
	for _, d := range deps {
		if !d.CreatedAt.After(after) {
			continue
		}
		if newest == nil || d.CreatedAt.After(newest.CreatedAt) {
			newest = d
		}
	}
	return newest, nil
}

// FindOwnApp finds the app a launch created, for a launch resumed after a
// restart or a create whose answer was lost: the app called name, created
// at or after after, with the service name running want. Anything else with
// the name belongs to someone else, and FindOwnApp returns nil.
func FindOwnApp(ctx context.Context, svc godo.AppsService, name string, after time.Time, want *godo.ImageSourceSpec) (*godo.App, error) {
	apps, err := AppsByID(ctx, svc)
	if err != nil {
		return nil, err
	}
	for _, app := range apps {
		if app.Spec == nil || app.Spec.Name != name {
			continue
		}
		if app.CreatedAt.Before(after) || !RunsImage(app.Spec, name, want) {
			return nil, nil
		}
		return app, nil
	}
	return nil, nil
}

// RunsImage reports whether spec has the service called name running
// exactly want: the same registry, repository, tag and digest.
func RunsImage(spec *godo.AppSpec, name string, want *godo.ImageSourceSpec) bool {
	for _, svc := range spec.Services {
		if svc.Name == name && svc.Image != nil && svc.Image.RegistryType == want.RegistryType &&
			svc.Image.Registry == want.Registry && svc.Image.Repository == want.Repository &&
			svc.Image.Tag == want.Tag && svc.Image.Digest == want.Digest {
			return true
		}
	}
	return false
}

package daytwo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"dobot/docloud"

	"github.com/digitalocean/godo"
)

// ProjectError says DO_PROJECT names no project, or more than one.
type ProjectError struct {
	Want  string
	Known []string // the account's project names
	Many  bool     // several projects have that name
}

func (e *ProjectError) Error() string {
	if e.Many {
		return fmt.Sprintf("several DigitalOcean projects are called %q; give DO_PROJECT the project's id", e.Want)
	}
	return fmt.Sprintf("DigitalOcean has no project %q; projects: %s", e.Want, strings.Join(e.Known, ", "))
}

// ResolveProject finds the project DO_PROJECT names, by id or by name
// (case-insensitive), listing the account's projects.
func ResolveProject(ctx context.Context, projects godo.ProjectsService, nameOrID string) (*godo.Project, error) {
	want := strings.TrimSpace(nameOrID)
	var all []godo.Project
	err := docloud.EachPage(200, func(opt *godo.ListOptions) (*godo.Response, error) {
		page, resp, err := projects.List(ctx, opt)
		all = append(all, page...)
		return resp, err
	})
	if err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	var named []godo.Project
	var names []string
	for _, p := range all {
		if p.ID == want {
			return &p, nil
		}
		if strings.EqualFold(p.Name, want) {
			named = append(named, p)
		}
		names = append(names, p.Name)
	}
	switch len(named) {
	case 1:
		return &named[0], nil
	case 0:
		return nil, &ProjectError{Want: want, Known: names}
	}
	return nil, &ProjectError{Want: want, Many: true}
}

// ProjectSetting resolves the DO_PROJECT setting once, at start, so that a
// name that matches nothing stops the bot with a clear error instead of
// failing every launch. It returns nil when the setting is empty.
func ProjectSetting(ctx context.Context, projects godo.ProjectsService, setting string) (*godo.Project, error) {
	if setting == "" {
		return nil, nil
	}
	if projects == nil {
		return nil, errors.New("DO_PROJECT is set, but the bot has no DigitalOcean projects service")
	}
	p, err := ResolveProject(ctx, projects, setting)
	var pe *ProjectError
	if errors.As(err, &pe) {
		return nil, fmt.Errorf("DO_PROJECT: %w. Set DO_PROJECT to a project's name or id, or unset it to use the default project", err)
	}
	if err != nil {
		return nil, fmt.Errorf("DO_PROJECT: %w", err)
	}
	return p, nil
}

// AppURN names an app for AssignToProject, as godo's App.URN does.
func AppURN(appID string) string { return "do:app:" + appID }

// DropletURN names a droplet for AssignToProject.
func DropletURN(dropletID int) string { return fmt.Sprintf("do:droplet:%d", dropletID) }

// AssignToProject puts resources (URNs such as AppURN(id)) into project.
// A resource DigitalOcean reports as anything but assigned (not_found,
// service_down) is an error naming it.
func AssignToProject(ctx context.Context, projects godo.ProjectsService, projectID string, urns ...string) error {
	if len(urns) == 0 {
		return nil
	}
	args := make([]any, len(urns))
	for i, u := range urns {
		args[i] = u
	}
	res, _, err := projects.AssignResources(ctx, projectID, args...)
	if err != nil {
		return fmt.Errorf("assign %s to project %s: %w", strings.Join(urns, ", "), projectID, err)
	}
	for _, r := range res {
		if r.Status != "assigned" && r.Status != "already_assigned" && r.Status != "ok" {
			return fmt.Errorf("assign %s to project %s: DigitalOcean says %s", r.URN, projectID, r.Status)
		}
	}
	return nil
}

package dosim

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"dobot/internal/dosim/apps"
	"dobot/internal/dosim/wire"
)

// project is one project of the account, as DigitalOcean serves it.
type project struct {
	ID          string    `json:"id"`
	OwnerUUID   string    `json:"owner_uuid"`
	OwnerID     int       `json:"owner_id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Purpose     string    `json:"purpose"`
	Environment string    `json:"environment"`
	IsDefault   bool      `json:"is_default"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// projectState is the account's projects and what was assigned to them.
type projectState struct {
	projects []*project
	assigned []Assignment
}

// Assignment is one resource put into a project through
// POST /v2/projects/{id}/resources, as the simulator recorded it.
type Assignment struct {
	URN       string // do:app:<id> or do:droplet:<id>
	ProjectID string
	At        time.Time
}

const ownerID = 258992

// defaultProjects is the account's one project at the start: its default,
// where apps created without a project_id go.
func defaultProjects(now time.Time) []*project {
	return []*project{{ID: apps.DefaultProjectID, OwnerUUID: apps.OwnerUUID, OwnerID: ownerID, Name: "first-project",
		Description: "Update your project information under Settings", Purpose: "Operational / Developer tooling",
		Environment: "Development", IsDefault: true, CreatedAt: now, UpdatedAt: now}}
}

// AddProject gives the account another project called name and returns its
// id, as creating one in the control panel would.
func (s *Server) AddProject(name, environment string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	p := &project{ID: uuid.NewString(), OwnerUUID: apps.OwnerUUID, OwnerID: ownerID, Name: name,
		Purpose: "Web Application", Environment: environment, CreatedAt: now, UpdatedAt: now}
	s.projects = append(s.projects, p)
	return p.ID
}

// Assignments lists every resource assigned to a project through the API,
// oldest first.
func (s *Server) Assignments() []Assignment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Assignment(nil), s.assigned...)
}

func (s *Server) projectHandlers() map[string]wire.Handler {
	return map[string]wire.Handler{
		"projects_list":             s.listProjects,
		"projects_get":              s.getProject,
		"projects_assign_resources": s.assignResources,
		"projects_list_resources":   s.listProjectResources,
	}
}

func (s *Server) projectFor(c *wire.Call) *project { return s.findProject(c.Params["project_id"]) }

// findProject is the project with id ("default" for the default one), or
// nil. The caller holds s.mu.
func (s *Server) findProject(id string) *project {
	for _, p := range s.projects {
		if p.ID == id || id == "default" && p.IsDefault {
			return p
		}
	}
	return nil
}

func (s *Server) listProjects(c *wire.Call) wire.Reply {
	from, to, links, meta := c.Page(len(s.projects))
	return wire.OK(map[string]any{"projects": s.projects[from:to], "links": links, "meta": meta})
}

func (s *Server) getProject(c *wire.Call) wire.Reply {
	p := s.projectFor(c)
	if p == nil {
		return wire.NotFound()
	}
	return wire.OK(map[string]any{"project": p})
}

// resource is a project's resource as DigitalOcean serves it.
type resource struct {
	URN        string            `json:"urn"`
	AssignedAt time.Time         `json:"assigned_at"`
	Links      map[string]string `json:"links"`
	Status     string            `json:"status"`
}

// assignResources moves apps and droplets into a project. A URN the
// simulator has no such resource for is answered with status "not_found"
// and changes nothing; one that is not do:TYPE:ID is a 400. Apps take the
// project as their project_id.
func (s *Server) assignResources(c *wire.Call) wire.Reply {
	p := s.projectFor(c)
	if p == nil {
		return wire.NotFound()
	}
	var req struct {
		Resources []string `json:"resources"`
	}
	if e := wire.Decode(c.Body, &req); e != nil {
		return wire.Fail(e)
	}
	out := []resource{}
	for _, urn := range req.Resources {
		parts := strings.SplitN(urn, ":", 3)
		if len(parts) != 3 || parts[0] != "do" || parts[2] == "" {
			return wire.Err(http.StatusBadRequest, "bad_request", fmt.Sprintf("invalid urn %q: want do:TYPE:ID", urn))
		}
		r := resource{URN: urn, AssignedAt: c.Now, Status: "not_found", Links: map[string]string{}}
		if s.exists(parts[1], parts[2]) {
			r.Status = "assigned"
			r.Links["self"] = s.selfLink(c, parts[1], parts[2])
			s.assigned = append(s.assigned, Assignment{URN: urn, ProjectID: p.ID, At: c.Now})
			if parts[1] == "app" {
				s.apps.SetProject(parts[2], p.ID)
			}
		}
		out = append(out, r)
	}
	return wire.OK(map[string]any{"resources": out})
}

func (s *Server) exists(kind, id string) bool {
	switch kind {
	case "app":
		_, ok := s.apps.App(id, s.now())
		return ok
	case "droplet":
		n, err := strconv.Atoi(id)
		if err != nil {
			return false
		}
		_, ok := s.drops.Droplet(n, s.now())
		return ok
	}
	return false
}

func (s *Server) selfLink(c *wire.Call, kind, id string) string {
	if kind == "app" {
		return c.Base() + "/v2/apps/" + id
	}
	return c.Base() + "/v2/" + kind + "s/" + id
}

// listProjectResources lists a project's apps (by their project_id) and
// the droplets assigned to it.
func (s *Server) listProjectResources(c *wire.Call) wire.Reply {
	p := s.projectFor(c)
	if p == nil {
		return wire.NotFound()
	}
	var all []resource
	for _, a := range s.apps.Apps(c.Now) {
		if a.ProjectID == p.ID {
			all = append(all, resource{URN: "do:app:" + a.ID, AssignedAt: a.CreatedAt, Status: "ok",
				Links: map[string]string{"self": s.selfLink(c, "app", a.ID)}})
		}
	}
	latest := map[string]Assignment{}
	for _, as := range s.assigned {
		latest[as.URN] = as
	}
	for _, as := range s.assigned {
		kind := strings.SplitN(as.URN, ":", 3)[1]
		if kind == "droplet" && latest[as.URN] == as && as.ProjectID == p.ID {
			latest[as.URN] = Assignment{} // once
			all = append(all, resource{URN: as.URN, AssignedAt: as.At, Status: "ok",
				Links: map[string]string{"self": s.selfLink(c, kind, strings.SplitN(as.URN, ":", 3)[2])}})
		}
	}
	from, to, links, meta := c.Page(len(all))
	return wire.OK(map[string]any{"resources": append([]resource{}, all[from:to]...), "links": links, "meta": meta})
}

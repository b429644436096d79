// Package apps is the DigitalOcean simulator's App Platform: apps and
// their deployments, propose, rollbacks, logs, the instance size and region
// catalogue, detect, restart, domains and deployments started outside the
// API. Its State holds no lock: internal/dosim calls it with the
// simulator's lock held (log streams take that lock themselves).
package apps

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/digitalocean/godo"
	"github.com/google/uuid"

	"dobot/docloud"
	"dobot/internal/dosim/catalog"
	"dobot/internal/dosim/wire"
)

// Registry is what App Platform needs to know of the account's container
// registry to pull a DOCR image.
type Registry interface {
	Name() string         // the registry a DOCR image spec means, or ""
	Has(repo string) bool // whether it has the repository
}

// Options configures a State.
type Options struct {
	Delay    time.Duration // time in each deployment phase
	Clock    func() time.Time
	Registry Registry
	Lock     sync.Locker     // the simulator's lock, taken by log streams
	Done     <-chan struct{} // closed when the simulator closes: streams end
	// Project reports whether the account has a project with this id, for
	// an app created with a project_id.
	Project func(id string) bool
}

// State is the simulator's apps.
type State struct {
	apps       map[string]*app
	order      []string // app ids, oldest first, as DigitalOcean lists them
	failBuilds map[string]string
	liveBreak  int // lines before live streams break; -1 for never
	delay      time.Duration
	clock      func() time.Time
	registry   Registry
	lock       sync.Locker
	done       <-chan struct{}
	repos      map[string]Repo // sources.go, by RepoKey
	noGitHub   bool            // sources.go
	held       map[string]bool // domains.go: domains held PENDING
	project    func(string) bool
}

// New is an account without apps.
func New(o Options) *State {
	return &State{apps: map[string]*app{}, liveBreak: -1, delay: o.Delay, clock: o.Clock,
		registry: o.Registry, lock: o.Lock, done: o.Done, project: o.Project}
}

func (s *State) now() time.Time { return s.clock().UTC() }

// Handlers are the operations this package serves, by operationId.
func (s *State) Handlers() map[string]wire.Handler {
	return map[string]wire.Handler{
		"apps_list":                                 s.listApps,
		"apps_create":                               s.createApp,
		"apps_get":                                  s.getApp,
		"apps_update":                               s.updateApp,
		"apps_delete":                               s.deleteApp,
		"apps_list_deployments":                     s.listDeployments,
		"apps_create_deployment":                    s.createDeployment,
		"apps_get_deployment":                       s.getDeployment,
		"apps_cancel_deployment":                    s.cancelDeployment,
		"apps_validate_appSpec":                     s.proposeApp,
		"apps_list_instanceSizes":                   s.listInstanceSizes,
		"apps_get_instanceSize":                     s.getInstanceSize,
		"apps_list_regions":                         s.listRegions,
		"apps_get_logs":                             s.getLogs,
		"apps_get_logs_aggregate":                   s.getLogs,
		"apps_get_logs_active_deployment":           s.getLogs,
		"apps_get_logs_active_deployment_aggregate": s.getLogs,
		"apps_create_rollback":                      s.createRollback,
		"apps_validate_rollback":                    s.validateRollback,
		"apps_commit_rollback":                      s.commitRollback,
		"apps_revert_rollback":                      s.revertRollback,
		"apps_restart":                              s.restartApp,
		"apps_detect":                               s.detect, // not in the description: see DetectPath
	}
}

// FailBuild makes deployments created from now on fail in BUILDING when a
// component's image repository is imageRepository (or, for a Git source,
// its RepoKey, such as "github.com/acme/web"): the deployment ends in
// phase ERROR and the component's build step, and the "build" step above it,
// have status ERROR and reason {code: "BuildJobExitNonZero", message: reason}.
func (s *State) FailBuild(imageRepository, reason string) {
	if s.failBuilds == nil {
		s.failBuilds = map[string]string{}
	}
	s.failBuilds[imageRepository] = reason
}

// App is the app with id as the server would serve it now.
func (s *State) App(id string, now time.Time) (godo.App, bool) {
	a := s.apps[id]
	var out *godo.App
	if a != nil {
		out = a.render(now)
	}
	if out == nil {
		return godo.App{}, false
	}
	return served(out), true
}

// Apps is every app as the server would serve it now, oldest first.
func (s *State) Apps(now time.Time) []godo.App {
	var rendered []*godo.App
	for _, id := range s.order {
		rendered = append(rendered, s.apps[id].render(now))
	}
	out := make([]godo.App, len(rendered))
	for i, a := range rendered {
		out[i] = served(a)
	}
	return out
}

// served round-trips a through JSON, so that the caller gets exactly what a
// client decodes and shares nothing with the server's state.
func served(a *godo.App) godo.App {
	var out godo.App
	b, _ := json.Marshal(a)
	_ = json.Unmarshal(b, &out)
	return out
}

func (s *State) appByName(name string) *app {
	for _, a := range s.apps {
		if a.spec.Name == name {
			return a
		}
	}
	return nil
}

func nameTaken() wire.Reply {
	return wire.Err(http.StatusConflict, "conflict", "app name already in use")
}

// deploy starts a deployment of spec, superseding one still in progress.
func (s *State) deploy(a *app, spec *godo.AppSpec, cause string, now time.Time) *deployment {
	for _, d := range a.deployments {
		d.stop(now, godo.DeploymentPhase_Superseded)
	}
	a.syncDomains(spec, now, s.held)
	d := &deployment{id: uuid.NewString(), spec: spec, cause: cause, createdAt: now, delay: s.delay}
	d.commit, _ = s.checkSources(spec) // vetted already: only the commit is new
	for _, c := range components(spec) {
		for _, key := range []string{c.imageRepository, c.repo} {
			if reason, ok := s.failBuilds[key]; ok && key != "" {
				if d.failing == nil {
					d.failing = map[string]string{}
				}
				d.failing[c.name] = reason
			}
		}
	}
	for _, svc := range spec.Services {
		if len(d.failing) > 0 {
			break // the build fails first
		}
		if why := deployFailure(svc, s.registry.Name(), s.registry.Has); why != nil {
			if d.deployFailing == nil {
				d.deployFailing = map[string]stepReason{}
			}
			d.deployFailing[svc.Name] = *why
		}
	}
	a.deployments = append(a.deployments, d)
	return d
}

func (s *State) createApp(c *wire.Call) wire.Reply {
	var req godo.AppCreateRequest
	if e := wire.Decode(c.Body, &req); e != nil {
		return wire.Fail(e)
	}
	if e := s.vet(req.Spec); e != nil {
		return wire.Fail(e)
	}
	sealCredentials(req.Spec)
	if s.appByName(req.Spec.Name) != nil {
		return nameTaken()
	}
	if req.ProjectID != "" && s.project != nil && !s.project(req.ProjectID) {
		// The wording is the simulator's; DigitalOcean does not document it.
		return wire.Fail(wire.Invalid("project %s not found", req.ProjectID))
	}
	if e := sealSecrets(req.Spec, nil); e != nil {
		return wire.Fail(e)
	}
	if req.Spec.Region == "" {
		req.Spec.Region = catalog.DefaultRegion
	}
	a := &app{
		id:        uuid.NewString(),
		ownerUUID: OwnerUUID,
		projectID: req.ProjectID,
		hostname:  fmt.Sprintf("%s-%s.ondigitalocean.app", req.Spec.Name, suffix()),
		spec:      req.Spec,
		createdAt: c.Now,
		updatedAt: c.Now,
		delay:     s.delay,
	}
	if a.projectID == "" {
		a.projectID = DefaultProjectID
	}
	s.deploy(a, a.spec, "initial deployment", c.Now).details = manualCause(godo.DeploymentCauseDetailsDigitalOceanUserActionName_CreateDeployment)
	s.apps[a.id] = a
	s.order = append(s.order, a.id)
	return wire.OK(map[string]any{"app": a.renderChanged(c.Now)})
}

// The account every app belongs to (OwnerUUID), and its default project.
const (
	// OwnerUUID is the account every app belongs to.
	OwnerUUID = "0c7a7a5e-5b7e-4c1b-9a1e-2f3d4c5b6a79"
	// DefaultProjectID is the account's default project, where an app
	// created without a project_id goes.
	DefaultProjectID = "88b72d1a-b78a-4d9f-9090-b53c4399073f"
)

// suffix is the random part of an app's ondigitalocean.app hostname.
func suffix() string {
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 5)
	for i := range b {
		b[i] = letters[rand.IntN(len(letters))]
	}
	return string(b)
}

// renderChanged is the app as a create or update answers it: the
// description guarantees that pending_deployment is the deployment the
// change started ("For CreateApp and UpdateApp transactions this is
// guaranteed to reflect the associated deployment").
func (a *app) renderChanged(now time.Time) *godo.App {
	out := a.render(now)
	out.PendingDeployment = a.renderDeployment(len(a.deployments)-1, now)
	return out
}

func (s *State) getApp(c *wire.Call) wire.Reply {
	a := s.apps[c.Params["id"]]
	if a == nil {
		return wire.NotFound()
	}
	return wire.OK(map[string]any{"app": a.render(c.Now)})
}

func (s *State) updateApp(c *wire.Call) wire.Reply {
	a := s.apps[c.Params["id"]]
	if a == nil {
		return wire.NotFound()
	}
	var req godo.AppUpdateRequest
	if e := wire.Decode(c.Body, &req); e != nil {
		return wire.Fail(e)
	}
	if e := s.vet(req.Spec); e != nil {
		return wire.Fail(e)
	}
	if other := s.appByName(req.Spec.Name); other != nil && other != a {
		return nameTaken()
	}
	if a.pinned != "" {
		return pinnedReply(a)
	}
	if e := sealSecrets(req.Spec, a.spec); e != nil {
		return wire.Fail(e)
	}
	if req.Spec.Region == "" {
		req.Spec.Region = a.spec.Region
	}
	sealCredentials(req.Spec)
	a.spec, a.updatedAt = req.Spec, c.Now
	s.deploy(a, a.spec, "app spec updated", c.Now).details = manualCause(godo.DeploymentCauseDetailsDigitalOceanUserActionName_UpdateSpec)
	return wire.OK(map[string]any{"app": a.renderChanged(c.Now)})
}

func (s *State) deleteApp(c *wire.Call) wire.Reply {
	id := c.Params["id"]
	if s.apps[id] == nil {
		return wire.NotFound()
	}
	delete(s.apps, id)
	for i, x := range s.order {
		if x == id {
			s.order = append(s.order[:i:i], s.order[i+1:]...)
			break
		}
	}
	return wire.OK(map[string]any{"id": id})
}

func (s *State) listApps(c *wire.Call) wire.Reply {
	from, to, links, meta := c.Page(len(s.order))
	apps := []*godo.App{}
	for _, id := range s.order[from:to] {
		apps = append(apps, s.apps[id].render(c.Now))
	}
	return wire.OK(map[string]any{"apps": apps, "links": links, "meta": meta})
}

func (s *State) listDeployments(c *wire.Call) wire.Reply {
	a := s.apps[c.Params["app_id"]]
	if a == nil {
		return wire.NotFound()
	}
	from, to, links, meta := c.Page(len(a.deployments))
	deps := []*godo.Deployment{}
	// Newest first, as DigitalOcean lists them.
	for k := from; k < to; k++ {
		deps = append(deps, a.renderDeployment(len(a.deployments)-1-k, c.Now))
	}
	return wire.OK(map[string]any{"deployments": deps, "links": links, "meta": meta})
}

func (s *State) createDeployment(c *wire.Call) wire.Reply {
	a := s.apps[c.Params["app_id"]]
	if a == nil {
		return wire.NotFound()
	}
	var req godo.DeploymentCreateRequest
	if e := wire.Decode(c.Body, &req); e != nil {
		return wire.Fail(e)
	}
	if a.pinned != "" {
		return pinnedReply(a)
	}
	cause := "manual"
	if req.ForceBuild {
		cause = "manual: force rebuild"
	}
	s.deploy(a, a.spec, cause, c.Now).details = manualCause(godo.DeploymentCauseDetailsDigitalOceanUserActionName_CreateDeployment)
	return wire.OK(map[string]any{"deployment": a.renderDeployment(len(a.deployments)-1, c.Now)})
}

// appDeployment finds the app and deployment a route names.
func (s *State) appDeployment(c *wire.Call) (*app, int) {
	a := s.apps[c.Params["app_id"]]
	if a == nil {
		return nil, -1
	}
	return a, a.deployment(c.Params["deployment_id"])
}

func (s *State) getDeployment(c *wire.Call) wire.Reply {
	a, i := s.appDeployment(c)
	if i < 0 {
		return wire.NotFound()
	}
	return wire.OK(map[string]any{"deployment": a.renderDeployment(i, c.Now)})
}

func (s *State) cancelDeployment(c *wire.Call) wire.Reply {
	a, i := s.appDeployment(c)
	if i < 0 {
		return wire.NotFound()
	}
	if !a.deployments[i].stop(c.Now, godo.DeploymentPhase_Canceled) {
		p, _ := a.deployments[i].phase(c.Now)
		return wire.Err(http.StatusBadRequest, "invalid_argument",
			fmt.Sprintf("deployment is %s and can no longer be canceled", p))
	}
	return wire.OK(map[string]any{"deployment": a.renderDeployment(i, c.Now)})
}

func (s *State) proposeApp(c *wire.Call) wire.Reply {
	var req godo.AppProposeRequest
	if e := wire.Decode(c.Body, &req); e != nil {
		return wire.Fail(e)
	}
	if e := s.vet(req.Spec); e != nil {
		return wire.Fail(e)
	}
	if req.AppID != "" && s.apps[req.AppID] == nil {
		return wire.NotFound()
	}
	out := map[string]any{
		"app_name_available":   true,
		"app_is_static":        len(req.Spec.Services)+len(req.Spec.Workers)+len(req.Spec.Jobs) == 0,
		"existing_static_apps": "0",
		"max_free_static_apps": "3",
		"spec":                 req.Spec,
		"app_cost":             catalog.MonthlyCost(req.Spec),
	}
	if other := s.appByName(req.Spec.Name); other != nil && other.id != req.AppID {
		out["app_name_available"] = false
		out["app_name_suggestion"] = strings.TrimSuffix(req.Spec.Name[:min(len(req.Spec.Name), 28)], "-") + "-" + suffix()[:3]
	}
	return wire.OK(out)
}

func (s *State) listInstanceSizes(c *wire.Call) wire.Reply {
	return wire.OK(map[string]any{"instance_sizes": catalog.InstanceSizes, "discount_percent": 0})
}

func (s *State) getInstanceSize(c *wire.Call) wire.Reply {
	sz := catalog.InstanceSizeBySlug(c.Params["slug"])
	if sz == nil {
		return wire.NotFound()
	}
	return wire.OK(map[string]any{"instance_size": sz})
}

func (s *State) listRegions(c *wire.Call) wire.Reply {
	return wire.OK(map[string]any{"regions": catalog.Regions})
}

// sealSecrets does what App Platform does with SECRET variables: it keeps
// them encrypted and serves them as EV[1:…:…], never in the clear. An
// EV[…] value sent back in an update keeps the secret it stands for, and
// is refused when the app holds no such value (as when creating an app).
func sealSecrets(spec, current *godo.AppSpec) *wire.APIError {
	sealed := map[string]bool{}
	docloud.ForEachEnv(current, func(v *godo.AppVariableDefinition) {
		if strings.HasPrefix(v.Value, "EV[") {
			sealed[v.Value] = true
		}
	})
	var bad *wire.APIError
	docloud.ForEachEnv(spec, func(v *godo.AppVariableDefinition) {
		if !strings.EqualFold(string(v.Type), string(godo.AppVariableType_Secret)) {
			return
		}
		if strings.HasPrefix(v.Value, "EV[") {
			if !sealed[v.Value] && bad == nil {
				bad = invalidSpec("envs", "the encrypted value of %s was not made for this app; send the plain value", v.Key)
			}
			return
		}
		v.Value = "EV[1:" + randomText(32) + ":" + randomText(24) + "]"
	})
	return bad
}

// randomText is n random letters and digits.
func randomText(n int) string {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[rand.IntN(len(letters))]
	}
	return string(b)
}

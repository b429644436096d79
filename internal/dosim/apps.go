package dosim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/digitalocean/godo"
	"github.com/google/uuid"

	"dobot/docloud"
)

// App is the app with id as the server would serve it now.
func (s *Server) App(id string) (godo.App, bool) {
	s.mu.Lock()
	a := s.apps[id]
	var out *godo.App
	if a != nil {
		out = a.render(s.now())
	}
	s.mu.Unlock()
	if out == nil {
		return godo.App{}, false
	}
	return served(out), true
}

// Apps is every app as the server would serve it now, oldest first.
func (s *Server) Apps() []godo.App {
	s.mu.Lock()
	var rendered []*godo.App
	for _, id := range s.order {
		rendered = append(rendered, s.apps[id].render(s.now()))
	}
	s.mu.Unlock()
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

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}[a-z0-9]$`)

func invalidSpec(field, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, id: "invalid_argument",
		message: fmt.Sprintf("error validating app spec field %q: ", field) + fmt.Sprintf(format, args...)}
}

// checkSpec is DigitalOcean's own check of an app spec, beyond what the
// description can say.
func checkSpec(spec *godo.AppSpec) *apiError {
	if spec == nil {
		return &apiError{status: http.StatusBadRequest, id: "invalid_argument", message: "spec is required"}
	}
	if spec.Name == "" {
		return invalidSpec("name", "name is required")
	}
	if !nameRE.MatchString(spec.Name) {
		return invalidSpec("name", "%q must match %s", spec.Name, nameRE)
	}
	if spec.Region != "" && regionBySlug(spec.Region) == nil {
		return invalidSpec("region", "unknown region %q", spec.Region)
	}
	if len(spec.Services)+len(spec.Workers)+len(spec.Jobs)+len(spec.StaticSites)+len(spec.Functions) == 0 {
		return invalidSpec("services", "an app must have at least one component")
	}
	seen := map[string]bool{}
	for i, c := range spec.Services {
		field := fmt.Sprintf("services[%d]", i)
		if !nameRE.MatchString(c.Name) {
			return invalidSpec(field+".name", "%q must match %s", c.Name, nameRE)
		}
		if seen[c.Name] {
			return invalidSpec(field+".name", "component name %q is used more than once", c.Name)
		}
		seen[c.Name] = true
		sources := 0
		for _, set := range []bool{c.Image != nil, c.Git != nil, c.GitHub != nil, c.GitLab != nil, c.Bitbucket != nil} {
			if set {
				sources++
			}
		}
		if sources != 1 {
			return invalidSpec(field, "a service needs exactly one source (image, git, github, gitlab or bitbucket)")
		}
		if img := c.Image; img != nil {
			if img.Repository == "" {
				return invalidSpec(field+".image.repository", "repository is required")
			}
			if img.RegistryType == "" {
				return invalidSpec(field+".image.registry_type", "registry_type is required")
			}
			if img.Digest != "" && img.Tag != "" {
				// The description: "Cannot be specified if tag is provided."
				return invalidSpec(field+".image.digest", "digest cannot be specified if tag is provided")
			}
		}
		if c.InstanceSizeSlug != "" && instanceSizeBySlug(c.InstanceSizeSlug) == nil {
			return invalidSpec(field+".instance_size_slug", "unknown instance size %q", c.InstanceSizeSlug)
		}
		if e := checkInstanceCount(field, c.InstanceSizeSlug, c.InstanceCount); e != nil {
			return e
		}
	}
	for i, c := range spec.Workers {
		if e := checkInstanceCount(fmt.Sprintf("workers[%d]", i), c.InstanceSizeSlug, c.InstanceCount); e != nil {
			return e
		}
	}
	return nil
}

// checkInstanceCount refuses more than one instance of a size that is
// single_instance_only, as App Platform does: 400 invalid_argument naming the
// field. The exact wording of DigitalOcean's message is not documented; the
// shape (DigitalOcean's error body, status 400) is.
func checkInstanceCount(field, slug string, count int64) *apiError {
	if slug == "" {
		slug = defaultInstanceSize
	}
	if sz := instanceSizeBySlug(slug); sz != nil && sz.SingleInstanceOnly && count > 1 {
		return invalidSpec(field+".instance_count", "instance size %s allows only one instance; choose a size that allows more, or an instance_count of 1", slug)
	}
	return nil
}

// decode reads a JSON body into v; an empty body or null leaves v alone.
func decode(body []byte, v any) *apiError {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &apiError{status: http.StatusBadRequest, id: "bad_request", message: "unable to parse request body: " + err.Error()}
	}
	return nil
}

func fail(e *apiError) reply { return reply{status: e.status, err: e} }

func (s *Server) appByName(name string) *app {
	for _, a := range s.apps {
		if a.spec.Name == name {
			return a
		}
	}
	return nil
}

func nameTaken() reply {
	return errReply(http.StatusConflict, "conflict", "app name already in use")
}

// deploy starts a deployment of spec, superseding one still in progress.
func (s *Server) deploy(a *app, spec *godo.AppSpec, cause string, now time.Time) *deployment {
	for _, d := range a.deployments {
		d.stop(now, godo.DeploymentPhase_Superseded)
	}
	d := &deployment{id: uuid.NewString(), spec: spec, cause: cause, createdAt: now, delay: s.opts.PhaseDelay}
	for _, c := range components(spec) {
		if reason, ok := s.failBuilds[c.imageRepository]; ok && c.imageRepository != "" {
			if d.failing == nil {
				d.failing = map[string]string{}
			}
			d.failing[c.name] = reason
		}
	}
	for _, svc := range spec.Services {
		if len(d.failing) > 0 {
			break // the build fails first
		}
		if why := deployFailure(svc, s.registryName(), s.docrHas); why != nil {
			if d.deployFailing == nil {
				d.deployFailing = map[string]stepReason{}
			}
			d.deployFailing[svc.Name] = *why
		}
	}
	a.deployments = append(a.deployments, d)
	return d
}

func createApp(s *Server, c *call) reply {
	var req godo.AppCreateRequest
	if e := decode(c.body, &req); e != nil {
		return fail(e)
	}
	if e := checkSpec(req.Spec); e != nil {
		return fail(e)
	}
	sealCredentials(req.Spec)
	if s.appByName(req.Spec.Name) != nil {
		return nameTaken()
	}
	if e := sealSecrets(req.Spec, nil); e != nil {
		return fail(e)
	}
	if req.Spec.Region == "" {
		req.Spec.Region = defaultRegion
	}
	a := &app{
		id:        uuid.NewString(),
		ownerUUID: ownerUUID,
		projectID: req.ProjectID,
		hostname:  fmt.Sprintf("%s-%s.ondigitalocean.app", req.Spec.Name, suffix()),
		spec:      req.Spec,
		createdAt: c.now,
		updatedAt: c.now,
	}
	if a.projectID == "" {
		a.projectID = defaultProjectID
	}
	s.deploy(a, a.spec, "initial deployment", c.now).details = manualCause(godo.DeploymentCauseDetailsDigitalOceanUserActionName_CreateDeployment)
	s.apps[a.id] = a
	s.order = append(s.order, a.id)
	return ok(map[string]any{"app": a.renderChanged(c.now)})
}

// The account every app belongs to, and its default project.
const (
	ownerUUID        = "0c7a7a5e-5b7e-4c1b-9a1e-2f3d4c5b6a79"
	defaultProjectID = "88b72d1a-b78a-4d9f-9090-b53c4399073f"
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

func getApp(s *Server, c *call) reply {
	a := s.apps[c.params["id"]]
	if a == nil {
		return notFound()
	}
	return ok(map[string]any{"app": a.render(c.now)})
}

func updateApp(s *Server, c *call) reply {
	a := s.apps[c.params["id"]]
	if a == nil {
		return notFound()
	}
	var req godo.AppUpdateRequest
	if e := decode(c.body, &req); e != nil {
		return fail(e)
	}
	if e := checkSpec(req.Spec); e != nil {
		return fail(e)
	}
	if other := s.appByName(req.Spec.Name); other != nil && other != a {
		return nameTaken()
	}
	if a.pinned != "" {
		return pinnedReply(a)
	}
	if e := sealSecrets(req.Spec, a.spec); e != nil {
		return fail(e)
	}
	if req.Spec.Region == "" {
		req.Spec.Region = a.spec.Region
	}
	sealCredentials(req.Spec)
	a.spec, a.updatedAt = req.Spec, c.now
	s.deploy(a, a.spec, "app spec updated", c.now).details = manualCause(godo.DeploymentCauseDetailsDigitalOceanUserActionName_UpdateSpec)
	return ok(map[string]any{"app": a.renderChanged(c.now)})
}

func deleteApp(s *Server, c *call) reply {
	id := c.params["id"]
	if s.apps[id] == nil {
		return notFound()
	}
	delete(s.apps, id)
	for i, x := range s.order {
		if x == id {
			s.order = append(s.order[:i:i], s.order[i+1:]...)
			break
		}
	}
	return ok(map[string]any{"id": id})
}

// page cuts n items into the page the query asks for, and returns the
// links and meta DigitalOcean sends with it.
func (s *Server) page(c *call, n int) (from, to int, links, meta map[string]any) {
	q := c.r.URL.Query()
	pg, _ := strconv.Atoi(q.Get("page"))
	per, _ := strconv.Atoi(q.Get("per_page"))
	if pg < 1 {
		pg = 1
	}
	if per < 1 {
		per = 20
	}
	per = min(per, 200)
	last := max(1, (n+per-1)/per)
	from, to = min(n, (pg-1)*per), min(n, pg*per)
	// Links keep the query's filters, such as tag_name, as DigitalOcean's do.
	link := func(p int) string {
		v := c.r.URL.Query()
		v.Set("page", strconv.Itoa(p))
		v.Set("per_page", strconv.Itoa(per))
		return fmt.Sprintf("%s%s?%s", c.base(), c.r.URL.Path, v.Encode())
	}
	pages := map[string]any{}
	if pg > 1 {
		pages["first"], pages["prev"] = link(1), link(min(pg-1, last))
	}
	if pg < last {
		pages["next"], pages["last"] = link(pg+1), link(last)
	}
	return from, to, map[string]any{"pages": pages}, map[string]any{"total": n}
}

func listApps(s *Server, c *call) reply {
	from, to, links, meta := s.page(c, len(s.order))
	apps := []*godo.App{}
	for _, id := range s.order[from:to] {
		apps = append(apps, s.apps[id].render(c.now))
	}
	return ok(map[string]any{"apps": apps, "links": links, "meta": meta})
}

func listDeployments(s *Server, c *call) reply {
	a := s.apps[c.params["app_id"]]
	if a == nil {
		return notFound()
	}
	from, to, links, meta := s.page(c, len(a.deployments))
	deps := []*godo.Deployment{}
	// Newest first, as DigitalOcean lists them.
	for k := from; k < to; k++ {
		deps = append(deps, a.renderDeployment(len(a.deployments)-1-k, c.now))
	}
	return ok(map[string]any{"deployments": deps, "links": links, "meta": meta})
}

func createDeployment(s *Server, c *call) reply {
	a := s.apps[c.params["app_id"]]
	if a == nil {
		return notFound()
	}
	var req godo.DeploymentCreateRequest
	if e := decode(c.body, &req); e != nil {
		return fail(e)
	}
	if a.pinned != "" {
		return pinnedReply(a)
	}
	cause := "manual"
	if req.ForceBuild {
		cause = "manual: force rebuild"
	}
	s.deploy(a, a.spec, cause, c.now).details = manualCause(godo.DeploymentCauseDetailsDigitalOceanUserActionName_CreateDeployment)
	return ok(map[string]any{"deployment": a.renderDeployment(len(a.deployments)-1, c.now)})
}

// appDeployment finds the app and deployment a route names.
func (s *Server) appDeployment(c *call) (*app, int) {
	a := s.apps[c.params["app_id"]]
	if a == nil {
		return nil, -1
	}
	return a, a.deployment(c.params["deployment_id"])
}

func getDeployment(s *Server, c *call) reply {
	a, i := s.appDeployment(c)
	if i < 0 {
		return notFound()
	}
	return ok(map[string]any{"deployment": a.renderDeployment(i, c.now)})
}

func cancelDeployment(s *Server, c *call) reply {
	a, i := s.appDeployment(c)
	if i < 0 {
		return notFound()
	}
	if !a.deployments[i].stop(c.now, godo.DeploymentPhase_Canceled) {
		p, _ := a.deployments[i].phase(c.now)
		return errReply(http.StatusBadRequest, "invalid_argument",
			fmt.Sprintf("deployment is %s and can no longer be canceled", p))
	}
	return ok(map[string]any{"deployment": a.renderDeployment(i, c.now)})
}

func proposeApp(s *Server, c *call) reply {
	var req godo.AppProposeRequest
	if e := decode(c.body, &req); e != nil {
		return fail(e)
	}
	if e := checkSpec(req.Spec); e != nil {
		return fail(e)
	}
	if req.AppID != "" && s.apps[req.AppID] == nil {
		return notFound()
	}
	out := map[string]any{
		"app_name_available":   true,
		"app_is_static":        len(req.Spec.Services)+len(req.Spec.Workers)+len(req.Spec.Jobs) == 0,
		"existing_static_apps": "0",
		"max_free_static_apps": "3",
		"spec":                 req.Spec,
		"app_cost":             monthlyCost(req.Spec),
	}
	if other := s.appByName(req.Spec.Name); other != nil && other.id != req.AppID {
		out["app_name_available"] = false
		out["app_name_suggestion"] = strings.TrimSuffix(req.Spec.Name[:min(len(req.Spec.Name), 28)], "-") + "-" + suffix()[:3]
	}
	return ok(out)
}

func listInstanceSizes(_ *Server, _ *call) reply {
	return ok(map[string]any{"instance_sizes": instanceSizes, "discount_percent": 0})
}

func getInstanceSize(_ *Server, c *call) reply {
	sz := instanceSizeBySlug(c.params["slug"])
	if sz == nil {
		return notFound()
	}
	return ok(map[string]any{"instance_size": sz})
}

func listRegions(_ *Server, _ *call) reply {
	return ok(map[string]any{"regions": regions})
}

// sealSecrets does what App Platform does with SECRET variables: it keeps
// them encrypted and serves them as EV[1:…:…], never in the clear. An
// EV[…] value sent back in an update keeps the secret it stands for, and
// is refused when the app holds no such value (as when creating an app).
func sealSecrets(spec, current *godo.AppSpec) *apiError {
	sealed := map[string]bool{}
	docloud.ForEachEnv(current, func(v *godo.AppVariableDefinition) {
		if strings.HasPrefix(v.Value, "EV[") {
			sealed[v.Value] = true
		}
	})
	var bad *apiError
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

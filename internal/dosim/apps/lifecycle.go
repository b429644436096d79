package apps

import (
	"slices"
	"time"

	"dobot/internal/dosim/catalog"

	"github.com/digitalocean/godo"
)

// app is the server's record of one app. What clients see is rendered from
// it on every read, at the time on the clock.
type app struct {
	id          string
	ownerUUID   string
	projectID   string
	hostname    string // NAME-xxxxx.ondigitalocean.app, live once first ACTIVE
	spec        *godo.AppSpec
	createdAt   time.Time
	updatedAt   time.Time
	deployments []*deployment // oldest first
	// pinned is the id of the rollback deployment the app is pinned to
	// until the rollback is committed or reverted, and beforeRollback the
	// spec that a revert deploys again.
	pinned         string
	beforeRollback *godo.AppSpec
	domains        map[string]*domain // domains.go, by name
	delay          time.Duration      // the simulator's phase delay
}

// deployment is one deployment. Its phase is not stored: it follows from the
// time since createdAt, unless it was failed, canceled or superseded.
type deployment struct {
	id        string
	spec      *godo.AppSpec
	cause     string
	details   *godo.DeploymentCauseDetails
	cloneOf   string // the deployment a rollback went back to
	createdAt time.Time
	delay     time.Duration
	// failing maps the components whose build fails to the reason.
	failing map[string]string
	// deployFailing maps the services that cannot start to the reason: the
	// deployment goes through DEPLOYING and ends in ERROR (images.go).
	deployFailing map[string]stepReason
	// stoppedAt and stoppedAs record a cancel, or a newer deployment that
	// superseded this one before it finished.
	stoppedAt time.Time
	stoppedAs godo.DeploymentPhase
	// restart marks a restart (restart.go): no build stage, and only the
	// components in restarted (all when empty) are deployed again.
	restart   bool
	restarted []string
	commit    string // the commit built, for a spec with Git sources
}

// Stages of the pipeline, as offsets from a deployment's creation. A
// restart has no build stage: it waits in PENDING_DEPLOY instead.
func (d *deployment) buildAt() time.Time {
	if d.restart {
		return d.createdAt
	}
	return d.createdAt.Add(d.delay)
}
func (d *deployment) deployAt() time.Time { return d.buildAt().Add(d.delay) }
func (d *deployment) doneAt() time.Time   { return d.deployAt().Add(d.delay) }

// finishedAt is when the deployment reaches ACTIVE or ERROR by itself.
func (d *deployment) finishedAt() time.Time {
	if len(d.failing) > 0 {
		return d.deployAt()
	}
	return d.doneAt()
}

// phase is the deployment's own phase at now and when it began, before a
// newer deployment's going live supersedes it.
func (d *deployment) phase(now time.Time) (godo.DeploymentPhase, time.Time) {
	if !d.stoppedAt.IsZero() && !now.Before(d.stoppedAt) {
		return d.stoppedAs, d.stoppedAt
	}
	switch {
	case now.Before(d.buildAt()):
		return godo.DeploymentPhase_PendingBuild, d.createdAt
	case d.restart && now.Before(d.deployAt()):
		return godo.DeploymentPhase_PendingDeploy, d.createdAt
	case now.Before(d.deployAt()):
		return godo.DeploymentPhase_Building, d.buildAt()
	case len(d.failing) > 0:
		return godo.DeploymentPhase_Error, d.deployAt()
	case now.Before(d.doneAt()):
		return godo.DeploymentPhase_Deploying, d.deployAt()
	case len(d.deployFailing) > 0:
		return godo.DeploymentPhase_Error, d.doneAt()
	default:
		return godo.DeploymentPhase_Active, d.doneAt()
	}
}

func inProgress(p godo.DeploymentPhase) bool {
	switch p {
	case godo.DeploymentPhase_PendingBuild, godo.DeploymentPhase_Building,
		godo.DeploymentPhase_PendingDeploy, godo.DeploymentPhase_Deploying:
		return true
	}
	return false
}

// stop cancels or supersedes d at now if it is still in progress.
func (d *deployment) stop(now time.Time, as godo.DeploymentPhase) bool {
	if p, _ := d.phase(now); !inProgress(p) {
		return false
	}
	d.stoppedAt, d.stoppedAs = now, as
	return true
}

// phases works out every deployment's phase at now: a deployment that went
// ACTIVE is SUPERSEDED once a newer one goes ACTIVE. It also returns the
// index of the active deployment and of the one in progress, or -1.
func (a *app) phases(now time.Time) (phases []godo.DeploymentPhase, since []time.Time, active, progressing int) {
	active, progressing = -1, -1
	for i, d := range a.deployments {
		p, t := d.phase(now)
		if p == godo.DeploymentPhase_Active {
			if active >= 0 {
				phases[active], since[active] = godo.DeploymentPhase_Superseded, t
			}
			active = i
		}
		if inProgress(p) {
			progressing = i
		}
		phases, since = append(phases, p), append(since, t)
	}
	return phases, since, active, progressing
}

// render is the app as DigitalOcean would serve it at now.
func (a *app) render(now time.Time) *godo.App {
	phases, since, active, progressing := a.phases(now)
	out := &godo.App{
		ID:        a.id,
		OwnerUUID: a.ownerUUID,
		ProjectID: a.projectID,
		Spec:      a.spec,
		CreatedAt: a.createdAt,
		UpdatedAt: a.updatedAt,
		Region:    catalog.RegionBySlug(a.spec.Region),
		TierSlug:  "basic",
	}
	if n := len(a.deployments); n > 0 {
		out.LastDeploymentCreatedAt = a.deployments[n-1].createdAt
	}
	out.Domains = a.renderDomains(now, a.delay)
	if active >= 0 {
		out.ActiveDeployment = a.deployments[active].render(now, phases[active], since[active])
	}
	if progressing >= 0 {
		out.InProgressDeployment = a.deployments[progressing].render(now, phases[progressing], since[progressing])
	}
	if i := a.deployment(a.pinned); i >= 0 {
		out.PinnedDeployment = a.deployments[i].render(now, phases[i], since[i])
	}
	// The app has a URL from its first ACTIVE deployment on.
	for i, d := range a.deployments {
		if phases[i] == godo.DeploymentPhase_Active || phases[i] == godo.DeploymentPhase_Superseded {
			if first := d.doneAt(); out.LastDeploymentActiveAt.IsZero() || !first.Before(out.LastDeploymentActiveAt) {
				out.LastDeploymentActiveAt = first
			}
			url := "https://" + a.hostname
			out.DefaultIngress, out.LiveURL, out.LiveURLBase, out.LiveDomain = url, url, url, a.hostname
		}
	}
	return out
}

// renderDeployment renders deployment i of the app at now.
func (a *app) renderDeployment(i int, now time.Time) *godo.Deployment {
	phases, since, _, _ := a.phases(now)
	return a.deployments[i].render(now, phases[i], since[i])
}

func (a *app) deployment(id string) int {
	for i, d := range a.deployments {
		if d.id == id {
			return i
		}
	}
	return -1
}

func (d *deployment) render(now time.Time, phase godo.DeploymentPhase, since time.Time) *godo.Deployment {
	out := &godo.Deployment{
		ID:                 d.id,
		Spec:               d.spec,
		Cause:              d.cause,
		CauseDetails:       d.details,
		ClonedFrom:         d.cloneOf,
		CreatedAt:          d.createdAt,
		UpdatedAt:          since,
		PhaseLastUpdatedAt: since,
		Phase:              phase,
		TierSlug:           "basic",
		Progress:           d.progress(now),
	}
	for _, c := range components(d.spec) {
		commit := ""
		if c.repo != "" {
			commit = d.commit
		}
		switch c.kind {
		case "service":
			out.Services = append(out.Services, &godo.DeploymentService{Name: c.name, SourceCommitHash: commit})
		case "worker":
			out.Workers = append(out.Workers, &godo.DeploymentWorker{Name: c.name, SourceCommitHash: commit})
		case "job":
			out.Jobs = append(out.Jobs, &godo.DeploymentJob{Name: c.name, SourceCommitHash: commit})
		case "static site":
			out.StaticSites = append(out.StaticSites, &godo.DeploymentStaticSite{Name: c.name, SourceCommitHash: commit})
		}
	}
	return out
}

// component is one buildable part of an app spec: its kind, its name, and
// its image repository or the Git repository it builds from.
type component struct {
	kind, name, imageRepository, repo string
}

func components(spec *godo.AppSpec) []component {
	var out []component
	repo := func(img *godo.ImageSourceSpec) string {
		if img == nil {
			return ""
		}
		return img.Repository
	}
	for _, c := range spec.Services {
		out = append(out, component{"service", c.Name, repo(c.Image), gitRepo(c.Git, c.GitHub, c.GitLab)})
	}
	for _, c := range spec.Workers {
		out = append(out, component{"worker", c.Name, repo(c.Image), gitRepo(c.Git, c.GitHub, c.GitLab)})
	}
	for _, c := range spec.Jobs {
		out = append(out, component{"job", c.Name, repo(c.Image), gitRepo(c.Git, c.GitHub, c.GitLab)})
	}
	for _, c := range spec.StaticSites {
		out = append(out, component{"static site", c.Name, "", gitRepo(c.Git, c.GitHub, c.GitLab)})
	}
	return out
}

// deploys reports whether the deployment deploys component name: every
// component, except in a restart of named components.
func (d *deployment) deploys(name string) bool {
	return len(d.restarted) == 0 || slices.Contains(d.restarted, name)
}

// span is the time a leaf step of the progress tree runs in.
type span struct{ from, to time.Time }

// progress is the deployment's steps at now, in the shape DigitalOcean uses:
//
//	build:  initialize, components/<name> ("Building service")
//	deploy: initialize, components/<name>/{deploy ("Deploying service"), wait ("Waiting for service")}, finalize
//
// Counts are of leaf steps, as in DigitalOcean's own example.
func (d *deployment) progress(now time.Time) *godo.DeploymentProgress {
	b, p, q := d.buildAt(), d.deployAt(), d.delay/4
	pr := &progressAt{d: d, now: now, stop: d.stoppedAt, failAt: p}
	if len(d.failing) > 0 && (pr.stop.IsZero() || p.Before(pr.stop)) {
		pr.stop = p
	} else if len(d.deployFailing) > 0 && (pr.stop.IsZero() || d.doneAt().Before(pr.stop)) {
		pr.stop, pr.failAt = d.doneAt(), d.doneAt()
	}
	comps := components(d.spec)
	var built, deployed []*godo.DeploymentProgressStep
	if !d.restart {
		for _, c := range comps {
			built = append(built, pr.leaf(c.name, c.name, "Building "+c.kind, span{b.Add(q), p}, d.failing[c.name]))
		}
		built = []*godo.DeploymentProgressStep{
			pr.leaf("initialize", "", "", span{b, b.Add(q)}, ""),
			parent("components", "", built),
		}
	}
	deployInit := pr.leaf("initialize", "", "", span{p, p.Add(q)}, "")
	for _, c := range comps {
		if !d.deploys(c.name) {
			continue
		}
		// A service that cannot start keeps App Platform waiting for it
		// until the deploy gives up.
		wait, why := span{p.Add(2 * q), p.Add(3 * q)}, ""
		if r, ok := d.deployFailing[c.name]; ok && len(d.failing) == 0 {
			wait, why = span{p.Add(2 * q), d.doneAt()}, r.message
		}
		deployed = append(deployed, parent(c.name, c.name, []*godo.DeploymentProgressStep{
			pr.leaf("deploy", c.name, "Deploying "+c.kind, span{p.Add(q), p.Add(2 * q)}, ""),
			pr.leaf("wait", c.name, "Waiting for "+c.kind, wait, why),
		}))
	}
	final := span{p.Add(3 * q), d.doneAt()}
	if len(d.deployFailing) > 0 && len(d.failing) == 0 {
		final = span{d.doneAt(), d.doneAt().Add(q)}
	}
	deploySteps := []*godo.DeploymentProgressStep{
		deployInit,
		parent("components", "", deployed),
		pr.leaf("finalize", "", "", final, ""),
	}
	if !d.restart {
		pr.counts.Steps = append(pr.counts.Steps, parent("build", "", built))
	}
	pr.counts.Steps = append(pr.counts.Steps, parent("deploy", "", deploySteps))
	return &pr.counts
}

// progressAt builds a deployment's progress tree at now, counting leaves
// as it goes. stop is when the deployment stopped (canceled, superseded or
// failed) and failAt when its failing step failed.
type progressAt struct {
	d            *deployment
	now          time.Time
	stop, failAt time.Time
	counts       godo.DeploymentProgress
}

// leaf is one leaf step running in sp; failReason, when set, is why it
// fails if the deployment failed there.
func (pr *progressAt) leaf(name, comp, msg string, sp span, failReason string) *godo.DeploymentProgressStep {
	st := &godo.DeploymentProgressStep{Name: name, ComponentName: comp, MessageBase: msg}
	stop, t := pr.stop, pr.now
	stopped := !stop.IsZero() && !t.Before(stop)
	if stopped {
		t = stop
	}
	switch {
	case failReason != "" && stopped && stop.Equal(pr.failAt):
		st.Status, st.StartedAt, st.EndedAt = godo.DeploymentProgressStepStatus_Error, sp.from, pr.failAt
		code := "BuildJobExitNonZero"
		if why, ok := pr.d.deployFailing[comp]; ok && pr.failAt.Equal(pr.d.doneAt()) {
			code = why.code
		}
		st.Reason = &godo.DeploymentProgressStepReason{Code: code, Message: failReason}
	case t.Before(sp.from) || (stopped && !sp.from.Before(stop)):
		st.Status = godo.DeploymentProgressStepStatus_Pending
	case !t.Before(sp.to):
		st.Status, st.StartedAt, st.EndedAt = godo.DeploymentProgressStepStatus_Success, sp.from, sp.to
	case stopped:
		st.Status, st.StartedAt, st.EndedAt = godo.DeploymentProgressStepStatus_Error, sp.from, stop
	default:
		st.Status, st.StartedAt = godo.DeploymentProgressStepStatus_Running, sp.from
	}
	pr.counts.TotalSteps++
	switch st.Status {
	case godo.DeploymentProgressStepStatus_Pending:
		pr.counts.PendingSteps++
	case godo.DeploymentProgressStepStatus_Running:
		pr.counts.RunningSteps++
	case godo.DeploymentProgressStepStatus_Success:
		pr.counts.SuccessSteps++
	case godo.DeploymentProgressStepStatus_Error:
		pr.counts.ErrorSteps++
	}
	return st
}

// parent sums up its children: ERROR if any failed, SUCCESS if all
// succeeded, PENDING if none started, else RUNNING. A failed child's reason
// is carried up, so the top-level "build" step says why the build failed.
func parent(name, comp string, children []*godo.DeploymentProgressStep) *godo.DeploymentProgressStep {
	st := &godo.DeploymentProgressStep{Name: name, ComponentName: comp, Steps: children}
	var pending, success, failed int
	for _, c := range children {
		switch c.Status {
		case godo.DeploymentProgressStepStatus_Pending:
			pending++
		case godo.DeploymentProgressStepStatus_Success:
			success++
		case godo.DeploymentProgressStepStatus_Error:
			failed++
			if st.Reason == nil {
				st.Reason = c.Reason
			}
		}
		if !c.StartedAt.IsZero() && (st.StartedAt.IsZero() || c.StartedAt.Before(st.StartedAt)) {
			st.StartedAt = c.StartedAt
		}
		if c.EndedAt.After(st.EndedAt) {
			st.EndedAt = c.EndedAt
		}
	}
	switch {
	case failed > 0:
		st.Status = godo.DeploymentProgressStepStatus_Error
	case success == len(children):
		st.Status = godo.DeploymentProgressStepStatus_Success
	case pending == len(children):
		st.Status = godo.DeploymentProgressStepStatus_Pending
	default:
		st.Status = godo.DeploymentProgressStepStatus_Running
		st.EndedAt = time.Time{}
	}
	return st
}

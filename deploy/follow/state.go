package follow

import (
	"context"
	"fmt"
	"strings"

	"github.com/digitalocean/godo"

	"dobot/chat"
	"dobot/docloud"
	"dobot/progress"
	"dobot/reply"
)

// State is what the person sees of a deployment.
type State struct {
	Phase        string // DigitalOcean's deployment phase, or "starting"
	Progress     *chat.Progress
	DeploymentID string
	URL          string
	Failure      string // failing step and reason
	FailedStep   string // top-level step that failed: "build" or "deploy"
	// Components is each component's progress, one a line, for a
	// deployment that builds from Git or runs several components.
	Components string
}

// Final reports whether the deployment has ended, live or not.
func (s State) Final() bool {
	switch godo.DeploymentPhase(s.Phase) {
	case godo.DeploymentPhase_Active, godo.DeploymentPhase_Error, godo.DeploymentPhase_Canceled, godo.DeploymentPhase_Superseded:
		return true
	}
	return s.Phase == "ERROR"
}

// waiting reports whether a phase only waits for the next one. Such phases
// get their thread reply, like every phase change, but no update of the
// head message: that keeps a two-minute launch within eight Slack requests.
func waiting(phase string) bool {
	return phase == string(godo.DeploymentPhase_PendingBuild) || phase == string(godo.DeploymentPhase_PendingDeploy)
}

func progressChanged(a, b State) bool {
	if (a.Progress == nil) != (b.Progress == nil) {
		return true
	}
	return a.Progress != nil && *a.Progress != *b.Progress
}

func orPending(url string) string {
	if url == "" {
		return "(its URL is not assigned yet; `/do status` will show it)"
	}
	return url
}

// Lookup finds deployment depID in app. When the app no longer shows it
// (it failed or was superseded) it asks DigitalOcean for it.
func Lookup(ctx context.Context, apps godo.AppsService, app *godo.App, depID string) (State, error) {
	if depID == "" {
		if d := docloud.FirstDeployment(app); d != nil {
			depID = d.ID
		} else {
			return State{Phase: string(godo.DeploymentPhase_PendingBuild)}, nil
		}
	}
	if d := app.ActiveDeployment; d != nil && d.ID == depID {
		return StateOf(d, app), nil
	}
	for _, d := range []*godo.Deployment{app.InProgressDeployment, app.PendingDeployment} {
		if d != nil && d.ID == depID {
			return StateOf(d, app), nil
		}
	}
	d, _, err := apps.GetDeployment(ctx, app.ID, depID)
	if err != nil {
		return State{}, fmt.Errorf("get deployment %s of app %s: %w", depID, app.ID, err)
	}
	return StateOf(d, app), nil
}

// StateOf is deployment d of app as the person sees it.
func StateOf(d *godo.Deployment, app *godo.App) State {
	st := State{Phase: string(d.Phase), DeploymentID: d.ID, FailedStep: failedStepName(d), Components: progress.Components(d)}
	if st.Phase == "" {
		st.Phase = string(godo.DeploymentPhase_PendingBuild)
	}
	if p := d.Progress; p != nil && p.TotalSteps > 0 {
		st.Progress = &chat.Progress{Done: int(p.SuccessSteps), Total: int(p.TotalSteps)}
	}
	switch godo.DeploymentPhase(st.Phase) {
	case godo.DeploymentPhase_Active:
		st.URL = app.LiveURL
	case godo.DeploymentPhase_Error:
		st.Failure = failureText(d)
	case godo.DeploymentPhase_Canceled:
		st.Failure = "the deployment was canceled"
	case godo.DeploymentPhase_Superseded:
		st.Failure = "a newer deployment replaced this one"
	}
	return st
}

// failureText names the failing step and DigitalOcean's reason for it.
func failureText(d *godo.Deployment) string {
	if d.Progress == nil {
		return "the deployment failed (DigitalOcean gave no step details)"
	}
	path, reason := failingStep(d.Progress.Steps, nil)
	if path == nil {
		return "the deployment failed (DigitalOcean gave no step details)"
	}
	text := fmt.Sprintf("step `%s` failed", reply.Escape(strings.Join(path, " › ")))
	if reason != nil && reason.Message != "" {
		text += ": " + reply.Escape(reason.Message)
		if reason.Code != "" {
			text += " (" + reply.Escape(reason.Code) + ")"
		}
	}
	return text
}

// failingStep returns the path to the deepest step in error, with the
// nearest reason given along that path.
func failingStep(steps []*godo.DeploymentProgressStep, prefix []string) ([]string, *godo.DeploymentProgressStepReason) {
	for _, s := range steps {
		if s == nil || s.Status != godo.DeploymentProgressStepStatus_Error {
			continue
		}
		name := s.Name
		if s.ComponentName != "" && s.ComponentName != s.Name {
			name = s.ComponentName
		}
		path := append(append([]string{}, prefix...), name)
		if sub, reason := failingStep(s.Steps, path); sub != nil {
			if reason == nil {
				reason = s.Reason
			}
			return sub, reason
		}
		return path, s.Reason
	}
	return nil, nil
}

// failedStepName is the top-level step of d in error, if any.
func failedStepName(d *godo.Deployment) string {
	if d.Progress == nil {
		return ""
	}
	if path, _ := failingStep(d.Progress.Steps, nil); len(path) > 0 {
		return path[0]
	}
	return ""
}

// phaseNames are the phases of a deployment or droplet as people read them.
// It is read only.
var phaseNames = map[string]string{
	"starting":       chat.IconWaiting + " Starting",
	"creating":       chat.IconWaiting + " Creating the app",
	"DROPLET_CREATE": chat.IconWaiting + " Creating the droplet",
	"UNKNOWN":        chat.IconUnknown + " Unknown",
	"PENDING_BUILD":  chat.IconWaiting + " Waiting to build",
	"BUILDING":       chat.IconBuild + " Building",
	"PENDING_DEPLOY": chat.IconWaiting + " Waiting to deploy",
	"DEPLOYING":      chat.IconLaunch + " Deploying",
	"ACTIVE":         chat.IconOK + " Live",
	"SUPERSEDED":     chat.IconForward + " Superseded",
	"ERROR":          chat.IconFailed + " Failed",
	"CANCELED":       chat.IconCanceled + " Canceled",
	// A droplet's phases (see docloud.DropletPhase).
	"DROPLET_NEW":    chat.IconWaiting + " Booting the droplet",
	"DROPLET_OFF":    chat.IconOff + " Powered off",
	"DROPLET_ACTIVE": chat.IconOK + " droplet active, container start not checked",
}

// PhaseName is a phase as people read it.
func PhaseName(p string) string {
	if n, ok := phaseNames[p]; ok {
		return n
	}
	return reply.Escape(p) // a phase this bot does not know, as DigitalOcean names it
}

// PhaseLine is st's phase with its steps done and, while it runs, each
// component's progress.
func PhaseLine(st State) string {
	line := PhaseName(st.Phase)
	if st.Progress != nil {
		line += fmt.Sprintf(" (%d/%d steps done)", st.Progress.Done, st.Progress.Total)
	}
	if st.Components != "" && !st.Final() {
		line += "\n" + st.Components
	}
	return line
}

package progress

import (
	"strings"

	"github.com/digitalocean/godo"

	"dobot/chat"
	"dobot/docloud/daytwo"
)

// Components is where each component of d is, one a line
// ("web: built", "api: deploying"), from its progress steps. It is "" for
// a deployment of one component that builds nothing from Git: its phase
// says it all.
func Components(d *godo.Deployment) string {
	names := deploymentComponents(d)
	if d.Progress == nil || len(names) == 0 || (len(names) == 1 && daytwo.DeploymentCommit(d) == "") {
		return ""
	}
	build, deploy := map[string]godo.DeploymentProgressStepStatus{}, map[string]godo.DeploymentProgressStepStatus{}
	for _, top := range d.Progress.Steps {
		switch top.Name {
		case "build":
			collectComponents(top.Steps, build)
		case "deploy":
			collectComponents(top.Steps, deploy)
		}
	}
	lines := make([]string, len(names))
	for i, n := range names {
		lines[i] = chat.Clean(n) + ": " + componentWord(build[n], deploy[n])
	}
	return strings.Join(lines, "\n")
}

// collectComponents records the status of every step that names its
// component, the outermost one winning.
func collectComponents(steps []*godo.DeploymentProgressStep, into map[string]godo.DeploymentProgressStepStatus) {
	for _, s := range steps {
		if s == nil {
			continue
		}
		if s.ComponentName != "" {
			if _, ok := into[s.ComponentName]; !ok {
				into[s.ComponentName] = s.Status
			}
			continue
		}
		collectComponents(s.Steps, into)
	}
}

// componentWord says where a component is from its build and deploy
// steps' statuses.
func componentWord(build, deploy godo.DeploymentProgressStepStatus) string {
	switch deploy {
	case godo.DeploymentProgressStepStatus_Success:
		return chat.IconOK + " deployed"
	case godo.DeploymentProgressStepStatus_Running:
		return chat.IconLaunch + " deploying"
	case godo.DeploymentProgressStepStatus_Error:
		return chat.IconFailed + " failed to deploy"
	}
	switch build {
	case godo.DeploymentProgressStepStatus_Success:
		return chat.IconOK + " built"
	case godo.DeploymentProgressStepStatus_Running:
		return chat.IconBuild + " building"
	case godo.DeploymentProgressStepStatus_Error:
		return chat.IconFailed + " build failed"
	}
	return chat.IconWaiting + " waiting"
}

// deploymentComponents names d's components in the order DigitalOcean
// lists them.
func deploymentComponents(d *godo.Deployment) []string {
	var out []string
	for _, s := range d.Services {
		out = append(out, s.Name)
	}
	for _, w := range d.Workers {
		out = append(out, w.Name)
	}
	for _, j := range d.Jobs {
		out = append(out, j.Name)
	}
	for _, s := range d.StaticSites {
		out = append(out, s.Name)
	}
	return out
}

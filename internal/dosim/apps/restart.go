package apps

import (
	"fmt"
	"slices"

	"github.com/digitalocean/godo"

	"dobot/internal/dosim/wire"
)

// restartApp serves POST /v2/apps/{app_id}/restart: a rolling restart of
// every component, or of those named, as a deployment with no build stage
// (PENDING_DEPLOY, DEPLOYING, ACTIVE) of the app's current spec. Its cause
// is "app restart" with the RESTART user action. An app with nothing live
// yet, or a component the spec does not have, is refused.
func (s *State) restartApp(c *wire.Call) wire.Reply {
	a := s.apps[c.Params["app_id"]]
	if a == nil {
		return wire.NotFound()
	}
	var req godo.AppRestartRequest
	if e := wire.Decode(c.Body, &req); e != nil {
		return wire.Fail(e)
	}
	if a.pinned != "" {
		return pinnedReply(a)
	}
	for _, name := range req.Components {
		if !hasComponent(a.spec, name) {
			return wire.Fail(wire.Invalid("component %q is not in the app's spec", name))
		}
	}
	_, _, active, _ := a.phases(c.Now)
	if active < 0 {
		return wire.Fail(wire.Invalid("app has no active deployment to restart"))
	}
	commit := a.deployments[active].commit
	d := s.deploy(a, a.spec, "app restart", c.Now)
	d.restart, d.restarted = true, slices.Clone(req.Components)
	d.failing, d.deployFailing = nil, nil // nothing is built or pulled anew
	d.commit = commit
	d.details = manualCause(godo.DeploymentCauseDetailsDigitalOceanUserActionName_Restart)
	if len(req.Components) > 0 {
		d.cause = fmt.Sprintf("app restart (%d components)", len(req.Components))
	}
	return wire.OK(map[string]any{"deployment": a.renderDeployment(len(a.deployments)-1, c.Now)})
}

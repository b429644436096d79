package apps

import (
	"fmt"
	"net/http"

	"dobot/internal/dosim/wire"

	"github.com/digitalocean/godo"
)

// godo has no methods for these routes: the bot calls them with
// client.NewRequest and client.Do.

// rollbackRequest is the body of the rollback and validate routes.
type rollbackRequest struct {
	DeploymentID string `json:"deployment_id"`
	SkipPin      bool   `json:"skip_pin"`
}

// condition is a reason a rollback is refused (error) or a caveat (warning).
type condition struct {
	Code       string   `json:"code"`
	Message    string   `json:"message"`
	Components []string `json:"components,omitempty"`
}

// rollbackValidation is what the validate route answers.
type rollbackValidation struct {
	Valid    bool        `json:"valid"`
	Error    *condition  `json:"error,omitempty"`
	Warnings []condition `json:"warnings"`
}

func manualCause(action godo.DeploymentCauseDetailsDigitalOceanUserActionName) *godo.DeploymentCauseDetails {
	return &godo.DeploymentCauseDetails{
		Type:                   godo.DeploymentCauseDetailsType_Manual,
		DigitalOceanUserAction: &godo.DeploymentCauseDetailsDigitalOceanUserAction{Name: action},
	}
}

func pinnedReply(a *app) wire.Reply {
	return wire.Err(http.StatusConflict, "conflict",
		fmt.Sprintf("app is pinned to rollback deployment %s: commit or revert the rollback first", a.pinned))
}

// checkRollback decides whether the app can go back to deployment id: it
// must be one of the app's earlier deployments that went live (ACTIVE or
// SUPERSEDED, not one superseded before it finished), not the live one, and
// no other rollback may be pending. It returns the deployment's index too.
func checkRollback(a *app, id string, c *wire.Call) (rollbackValidation, int) {
	v := rollbackValidation{Warnings: []condition{}}
	i := a.deployment(id)
	phases, _, active, _ := a.phases(c.Now)
	switch {
	case a.pinned != "":
		v.Error = &condition{Code: "app_pinned", Message: fmt.Sprintf("app is pinned to rollback deployment %s", a.pinned)}
	case i < 0:
		v.Error = &condition{Code: "incompatible_result", Message: fmt.Sprintf("deployment %q is not a deployment of this app", id)}
	case i == active:
		v.Error = &condition{Code: "incompatible_phase", Message: "deployment is the app's active deployment"}
	case phases[i] != godo.DeploymentPhase_Active && phases[i] != godo.DeploymentPhase_Superseded:
		v.Error = &condition{Code: "incompatible_phase", Message: fmt.Sprintf("deployment is %s; only a deployment that was ACTIVE can be rolled back to", phases[i])}
	default:
		if own, _ := a.deployments[i].phase(c.Now); own != godo.DeploymentPhase_Active {
			v.Error = &condition{Code: "incompatible_result", Message: "deployment was superseded before it became active"}
		}
	}
	if v.Error != nil {
		return v, i
	}
	v.Valid = true
	// DigitalOcean warns that an image referenced by tag may no longer be
	// the image the deployment ran.
	var byTag []string
	for _, svc := range a.deployments[i].spec.Services {
		if svc.Image != nil && svc.Image.Digest == "" {
			byTag = append(byTag, svc.Name)
		}
	}
	for _, w := range a.deployments[i].spec.Workers {
		if w.Image != nil && w.Image.Digest == "" {
			byTag = append(byTag, w.Name)
		}
	}
	if len(byTag) > 0 {
		v.Warnings = append(v.Warnings, condition{Code: "image_source_missing_digest",
			Message: "components with an image source without a digest will be deployed from the tag's current image", Components: byTag})
	}
	return v, i
}

func rollbackTarget(s *State, c *wire.Call) (*app, rollbackRequest, *wire.APIError) {
	a := s.apps[c.Params["app_id"]]
	if a == nil {
		e := wire.NotFound().Err
		return nil, rollbackRequest{}, e
	}
	var req rollbackRequest
	if e := wire.Decode(c.Body, &req); e != nil {
		return nil, req, e
	}
	if req.DeploymentID == "" {
		return nil, req, &wire.APIError{Status: http.StatusBadRequest, ID: "invalid_argument", Message: "deployment_id is required"}
	}
	return a, req, nil
}

func (s *State) validateRollback(c *wire.Call) wire.Reply {
	a, req, e := rollbackTarget(s, c)
	if e != nil {
		return wire.Fail(e)
	}
	v, _ := checkRollback(a, req.DeploymentID, c)
	return wire.OK(v)
}

// createRollback deploys an earlier deployment's spec again. The app's spec
// becomes that spec, and unless skip_pin is set the app is pinned to the
// new deployment until the rollback is committed or reverted.
func (s *State) createRollback(c *wire.Call) wire.Reply {
	a, req, e := rollbackTarget(s, c)
	if e != nil {
		return wire.Fail(e)
	}
	v, i := checkRollback(a, req.DeploymentID, c)
	if !v.Valid {
		return wire.Err(http.StatusBadRequest, "invalid_argument", "rollback is not valid: "+v.Error.Message)
	}
	old := a.deployments[i]
	prior := a.spec
	a.spec, a.updatedAt = old.spec, c.Now
	d := s.deploy(a, old.spec, "manual rollback", c.Now)
	d.failing = nil // a rollback reuses the builds of the deployment it goes back to
	d.cloneOf, d.commit = old.id, old.commit
	d.details = &godo.DeploymentCauseDetails{
		Type: godo.DeploymentCauseDetailsType_ManualRollback,
		DigitalOceanUserAction: &godo.DeploymentCauseDetailsDigitalOceanUserAction{
			Name: godo.DeploymentCauseDetailsDigitalOceanUserActionName_RollbackApp,
		},
	}
	if !req.SkipPin {
		a.pinned, a.beforeRollback = d.id, prior
	}
	return wire.OK(map[string]any{"deployment": a.renderDeployment(len(a.deployments)-1, c.Now)})
}

func noRollback() wire.Reply {
	return wire.Err(http.StatusBadRequest, "invalid_argument", "app has no rollback to commit or revert")
}

// commitRollback keeps the rollback and unpins the app; its body is empty.
func (s *State) commitRollback(c *wire.Call) wire.Reply {
	a := s.apps[c.Params["app_id"]]
	if a == nil {
		return wire.NotFound()
	}
	if a.pinned == "" {
		return noRollback()
	}
	a.pinned, a.beforeRollback = "", nil
	return wire.NoBody(http.StatusOK)
}

// revertRollback unpins the app and deploys the spec it had before the
// rollback again.
func (s *State) revertRollback(c *wire.Call) wire.Reply {
	a := s.apps[c.Params["app_id"]]
	if a == nil {
		return wire.NotFound()
	}
	if a.pinned == "" {
		return noRollback()
	}
	a.spec, a.updatedAt = a.beforeRollback, c.Now
	a.pinned, a.beforeRollback = "", nil
	d := s.deploy(a, a.spec, "revert rollback", c.Now)
	d.details = manualCause(godo.DeploymentCauseDetailsDigitalOceanUserActionName_RevertAppRollback)
	return wire.OK(map[string]any{"deployment": a.renderDeployment(len(a.deployments)-1, c.Now)})
}

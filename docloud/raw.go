package docloud

import (
	"context"
	"fmt"
	"net/http"

	"github.com/digitalocean/godo"
)

// Raw makes the App Platform calls godo has no method for (rollback and its
// check, cancelling a deployment), through godo's client so that they get
// the same auth, retries and error handling.
type Raw struct {
	Client *godo.Client
}

// Do sends method to path with body and decodes the answer into out.
func (r Raw) Do(ctx context.Context, method, path string, body, out any) error {
	if r.Client == nil {
		return fmt.Errorf("no DigitalOcean client for %s %s", method, path)
	}
	req, err := r.Client.NewRequest(ctx, method, path, body)
	if err != nil {
		return fmt.Errorf("build %s %s: %w", method, path, err)
	}
	_, err = r.Client.Do(ctx, req, out)
	return err
}

// RollbackCheck is App Platform's answer to "may this app roll back to
// that deployment?" (POST /v2/apps/{id}/rollback/validate).
type RollbackCheck struct {
	Valid bool `json:"valid"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Warnings []struct {
		Message string `json:"message"`
	} `json:"warnings"`
}

// Why is the reason a check is not valid, with DigitalOcean's code.
func (c RollbackCheck) Why() string {
	if c.Error == nil {
		return "no reason given"
	}
	why := c.Error.Message
	if c.Error.Code != "" {
		why += " (" + c.Error.Code + ")"
	}
	return why
}

// ValidateRollback asks whether appID may roll back to deploymentID.
func (r Raw) ValidateRollback(ctx context.Context, appID, deploymentID string) (RollbackCheck, error) {
	var check RollbackCheck
	err := r.Do(ctx, http.MethodPost, fmt.Sprintf("v2/apps/%s/rollback/validate", appID),
		map[string]any{"deployment_id": deploymentID}, &check)
	return check, err
}

// Rollback rolls appID back to deploymentID and returns the deployment that
// does it, nil when DigitalOcean started none. skip_pin commits the rollback at once, so the app is not left
// pinned with deploys on push disabled.
func (r Raw) Rollback(ctx context.Context, appID, deploymentID string) (*godo.Deployment, error) {
	var out struct {
		Deployment *godo.Deployment `json:"deployment"`
	}
	err := r.Do(ctx, http.MethodPost, fmt.Sprintf("v2/apps/%s/rollback", appID),
		map[string]any{"deployment_id": deploymentID, "skip_pin": true}, &out)
	return out.Deployment, err
}

// CancelDeployment cancels a deployment of appID.
func (r Raw) CancelDeployment(ctx context.Context, appID, deploymentID string) error {
	var out struct {
		Deployment *godo.Deployment `json:"deployment"`
	}
	if err := r.Do(ctx, http.MethodPost, fmt.Sprintf("v2/apps/%s/deployments/%s/cancel", appID, deploymentID), nil, &out); err != nil {
		return fmt.Errorf("cancel deployment %s: %w", deploymentID, err)
	}
	return nil
}

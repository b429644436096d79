package dotest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/digitalocean/godo"
)

// rollbackValidation is the validate route's answer as the bot decodes it.
type rollbackValidation struct {
	Valid bool `json:"valid"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Warnings []struct {
		Code       string   `json:"code"`
		Components []string `json:"components"`
	} `json:"warnings"`
}

// post calls a route godo has no method for, as the bot does.
func post(t *testing.T, c *godo.Client, path string, body, into any) (*godo.Response, error) {
	t.Helper()
	req, err := c.NewRequest(context.Background(), http.MethodPost, path, body)
	if err != nil {
		t.Fatal(err)
	}
	return c.Do(context.Background(), req, into)
}

func tagOf(spec *godo.AppSpec) string { return spec.Services[0].Image.Tag }

func TestRedeployAndRollback(t *testing.T) {
	srv, clock := start(t)
	c := client(t, srv, "do-test-token")
	ctx := context.Background()
	app := create(t, c, imageSpec("roll", "acme/web"))
	first := app.InProgressDeployment.ID
	clock.Advance(3 * delay)

	// A redeploy with a new tag: the new deployment carries the new image.
	spec := imageSpec("roll", "acme/web")
	spec.Services[0].Image.Tag = "1.2.4"
	prop, _, err := c.Apps.Propose(ctx, &godo.AppProposeRequest{Spec: spec, AppID: app.ID})
	if err != nil || !prop.AppNameAvailable || tagOf(prop.Spec) != "1.2.4" {
		t.Errorf("Propose(same app, new tag) = %+v, %v; want name available, tag 1.2.4", prop, err)
	}
	updated, _, err := c.Apps.Update(ctx, app.ID, &godo.AppUpdateRequest{Spec: spec})
	if err != nil || tagOf(updated.Spec) != "1.2.4" || tagOf(updated.InProgressDeployment.Spec) != "1.2.4" || tagOf(updated.ActiveDeployment.Spec) != "1.2.3" {
		t.Fatalf("Update(tag 1.2.4) = %v; want app and new deployment at 1.2.4, active still 1.2.3", err)
	}
	second := updated.InProgressDeployment.ID
	clock.Advance(3 * delay)
	redeploy, _, err := c.Apps.CreateDeployment(ctx, app.ID, &godo.DeploymentCreateRequest{ForceBuild: true})
	if err != nil || tagOf(redeploy.Spec) != "1.2.4" {
		t.Fatalf("CreateDeployment = %+v, %v; want tag 1.2.4", redeploy, err)
	}
	clock.Advance(3 * delay)
	live, _, _ := c.Apps.Get(ctx, app.ID)
	if live.ActiveDeployment.ID != redeploy.ID {
		t.Fatalf("active = %s; want the redeploy %s", live.ActiveDeployment.ID, redeploy.ID)
	}

	tests := []struct {
		name, id  string
		wantValid bool
		wantCode  string
	}{
		{"superseded first deployment", first, true, ""},
		{"superseded update", second, true, ""},
		{"the active deployment", redeploy.ID, false, "incompatible_phase"},
		{"no such deployment", "3aa4d20e-5527-4c00-b496-601fbd22520a", false, "incompatible_result"},
	}
	for _, tt := range tests {
		var v rollbackValidation
		_, err := post(t, c, fmt.Sprintf("v2/apps/%s/rollback/validate", app.ID), map[string]any{"deployment_id": tt.id}, &v)
		if err != nil || v.Valid != tt.wantValid || (v.Error == nil) != tt.wantValid || (v.Error != nil && v.Error.Code != tt.wantCode) {
			t.Errorf("validate rollback to %s = %+v, %v; want valid %v, code %q", tt.name, v, err, tt.wantValid, tt.wantCode)
		}
		if tt.wantValid && (len(v.Warnings) != 1 || v.Warnings[0].Code != "image_source_missing_digest") {
			t.Errorf("validate rollback to %s: warnings %+v; want image_source_missing_digest", tt.name, v.Warnings)
		}
	}

	var rolled struct{ Deployment *godo.Deployment }
	if _, err := post(t, c, fmt.Sprintf("v2/apps/%s/rollback", app.ID), map[string]any{"deployment_id": first, "skip_pin": false}, &rolled); err != nil {
		t.Fatalf("rollback: %v", err)
	}
	d := rolled.Deployment
	if d.ID == first || d.Cause != "manual rollback" || d.CauseDetails == nil || d.CauseDetails.Type != godo.DeploymentCauseDetailsType_ManualRollback ||
		d.ClonedFrom != first || tagOf(d.Spec) != "1.2.3" || d.Phase != godo.DeploymentPhase_PendingBuild {
		t.Fatalf("rollback deployment = %+v; want a new PENDING_BUILD deployment of 1.2.3, cause manual rollback", d)
	}
	got, _, _ := c.Apps.Get(ctx, app.ID)
	if got.PinnedDeployment == nil || got.PinnedDeployment.ID != d.ID || tagOf(got.Spec) != "1.2.3" {
		t.Errorf("app after rollback: pinned %v, tag %s; want pinned to the rollback, spec at 1.2.3", got.PinnedDeployment, tagOf(got.Spec))
	}
	var er *godo.ErrorResponse
	if _, _, err := c.Apps.CreateDeployment(ctx, app.ID); !errors.As(err, &er) || er.Response.StatusCode != http.StatusConflict {
		t.Errorf("CreateDeployment while pinned = %v; want 409", err)
	}
	var v rollbackValidation
	if _, err := post(t, c, fmt.Sprintf("v2/apps/%s/rollback/validate", app.ID), map[string]any{"deployment_id": second}, &v); err != nil || v.Valid || v.Error.Code != "app_pinned" {
		t.Errorf("validate while pinned = %+v, %v; want app_pinned", v, err)
	}
	for _, want := range []godo.DeploymentPhase{godo.DeploymentPhase_Building, godo.DeploymentPhase_Deploying, godo.DeploymentPhase_Active} {
		clock.Advance(delay)
		if dep, _, err := c.Apps.GetDeployment(ctx, app.ID, d.ID); err != nil || dep.Phase != want {
			t.Errorf("rollback deployment = %v, %v; want %s", dep.Phase, err, want)
		}
	}

	if resp, err := post(t, c, fmt.Sprintf("v2/apps/%s/rollback/commit", app.ID), nil, nil); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("commit rollback = %v; want 200", err)
	}
	if got, _, _ := c.Apps.Get(ctx, app.ID); got.PinnedDeployment != nil {
		t.Errorf("pinned after commit = %v; want none", got.PinnedDeployment)
	}
	if _, err := post(t, c, fmt.Sprintf("v2/apps/%s/rollback/revert", app.ID), nil, nil); !errors.As(err, &er) || er.Response.StatusCode != http.StatusBadRequest {
		t.Errorf("revert with no rollback = %v; want 400", err)
	}

	// Roll back again, then revert: the spec from before the rollback returns.
	if _, err := post(t, c, fmt.Sprintf("v2/apps/%s/rollback", app.ID), map[string]any{"deployment_id": second}, &rolled); err != nil {
		t.Fatalf("second rollback: %v", err)
	}
	var reverted struct{ Deployment *godo.Deployment }
	if _, err := post(t, c, fmt.Sprintf("v2/apps/%s/rollback/revert", app.ID), nil, &reverted); err != nil {
		t.Fatalf("revert: %v", err)
	}
	if tagOf(reverted.Deployment.Spec) != "1.2.3" || reverted.Deployment.CauseDetails.DigitalOceanUserAction.Name != godo.DeploymentCauseDetailsDigitalOceanUserActionName_RevertAppRollback {
		t.Errorf("revert deployment = %+v; want the pre-rollback spec (1.2.3)", reverted.Deployment)
	}
	if n := srv.Count("POST /v2/apps/{app_id}/rollback"); n != 2 {
		t.Errorf(`Count("POST /v2/apps/{app_id}/rollback") = %d; want 2`, n)
	}
	if v := srv.Violations(); len(v) > 0 {
		t.Errorf("violations on the valid path: %q", v)
	}
}

package dotest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/digitalocean/godo"
)

func dockerHub(name, path, tag string, port int64) *godo.AppSpec {
	ns, repo, _ := strings.Cut(path, "/")
	return &godo.AppSpec{Name: name, Region: "ams", Services: []*godo.AppServiceSpec{{
		Name:     "web",
		Image:    &godo.ImageSourceSpec{RegistryType: godo.ImageSourceSpecRegistryType_DockerHub, Registry: ns, Repository: repo, Tag: tag},
		HTTPPort: port,
	}}}
}

// TestImagesRunOnTheirPort: a deployment whose http_port is not the port
// the image listens on, or whose private image has no credentials, fails in
// DEPLOYING with the reason on the component's wait step, as App Platform's
// do.
func TestImagesRunOnTheirPort(t *testing.T) {
	private := dockerHub("private-creds", "acme/private", "1.0", 8080)
	private.Services[0].Image.RegistryCredentials = "acme-bot:token"
	tests := []struct {
		name     string
		spec     *godo.AppSpec
		wantCode string // "" for ACTIVE
		wantText string
	}{
		{"nginx on 80", dockerHub("nginx-80", "library/nginx", "1.27", 80), "", ""},
		{"nginx without http_port", dockerHub("nginx-default", "library/nginx", "1.27", 0), "DeployHealthChecksFailed", "Readiness probe failed"},
		{"nginx on 8080", dockerHub("nginx-8080", "library/nginx", "1.27", 8080), "DeployHealthChecksFailed", "Readiness probe failed"},
		{"PORT listener on any port", dockerHub("noports", "acme/noports", "1.0", 3000), "", ""},
		{"private without credentials", dockerHub("private", "acme/private", "1.0", 8080), "DeployImagePullFailed", "unauthorized"},
		{"private with credentials", private, "", ""},
		{"unknown image", dockerHub("unknown", "acme/nothing", "1", 8080), "DeployImagePullFailed", "not found"},
		{"arm64 only", dockerHub("arm", "acme/arm-only", "1.0", 80), "DeployImagePullFailed", "linux/amd64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, clock := start(t)
			c := client(t, srv, "do-test-token")
			app := create(t, c, tt.spec)
			clock.Advance(2*delay + delay/2)
			got, _, err := c.Apps.Get(context.Background(), app.ID)
			if err != nil || got.InProgressDeployment == nil || got.InProgressDeployment.Phase != godo.DeploymentPhase_Deploying {
				t.Fatalf("Get in the third phase = %v, %v; want DEPLOYING", got.InProgressDeployment, err)
			}
			clock.Advance(2 * delay)
			deps, _, err := c.Apps.ListDeployments(context.Background(), app.ID, nil)
			if err != nil || len(deps) != 1 {
				t.Fatalf("ListDeployments = %d, %v", len(deps), err)
			}
			d := deps[0]
			if tt.wantCode == "" {
				if d.Phase != godo.DeploymentPhase_Active {
					t.Fatalf("phase = %s; want ACTIVE", d.Phase)
				}
				return
			}
			if d.Phase != godo.DeploymentPhase_Error {
				t.Fatalf("phase = %s; want ERROR", d.Phase)
			}
			deploy := findStep(d.Progress.Steps, "deploy")
			wait := findStep(findStep(findStep(deploy.Steps, "components").Steps, "web").Steps, "wait")
			if deploy.Status != godo.DeploymentProgressStepStatus_Error || wait.Reason == nil ||
				wait.Reason.Code != tt.wantCode || !strings.Contains(wait.Reason.Message, tt.wantText) {
				t.Errorf("deploy/components/web/wait = %+v (reason %+v); want ERROR %s containing %q", wait, wait.Reason, tt.wantCode, tt.wantText)
			}
			if build := findStep(d.Progress.Steps, "build"); build.Status != godo.DeploymentProgressStepStatus_Success {
				t.Errorf("build step = %s; want SUCCESS", build.Status)
			}
		})
	}
}

func TestDigestWithTagIsRefused(t *testing.T) {
	srv, _ := start(t)
	c := client(t, srv, "do-test-token")
	spec := dockerHub("both", "library/nginx", "1.27", 80)
	spec.Services[0].Image.Digest = "sha256:" + strings.Repeat("a", 64)
	_, _, err := c.Apps.Create(context.Background(), &godo.AppCreateRequest{Spec: spec})
	if err == nil || !strings.Contains(err.Error(), "digest cannot be specified if tag is provided") {
		t.Fatalf("Create(tag and digest) error = %v; want the description's rule", err)
	}
}

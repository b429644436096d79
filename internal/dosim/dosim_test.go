package dosim_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/digitalocean/godo"
	"golang.org/x/oauth2"

	"dobot/internal/dosim"
)

func client(t *testing.T, srv *dosim.Server, token string) *godo.Client {
	t.Helper()
	hc := oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}))
	c, err := godo.New(hc, godo.SetBaseURL(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The simulator routes on its own, without the OpenAPI description: a
// create, a get by id and a deployment list reach their handlers, and the
// wrong token or an unknown path get DigitalOcean's answers.
func TestStartServesTheAPI(t *testing.T) {
	srv, err := dosim.Start(dosim.Options{Token: "sim-token"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	ctx := context.Background()
	c := client(t, srv, "sim-token")
	spec := &godo.AppSpec{Name: "web", Region: "fra", Services: []*godo.AppServiceSpec{{Name: "web",
		Image: &godo.ImageSourceSpec{RegistryType: godo.ImageSourceSpecRegistryType_DockerHub, Registry: "library", Repository: "nginx", Tag: "latest"}}}}
	app, _, err := c.Apps.Create(ctx, &godo.AppCreateRequest{Spec: spec})
	if err != nil {
		t.Fatalf("Apps.Create: %v", err)
	}
	if got, _, err := c.Apps.Get(ctx, app.ID); err != nil || got.ID != app.ID {
		t.Fatalf("Apps.Get(%s) = %v, %v; want the app", app.ID, got, err)
	}
	if ds, _, err := c.Apps.ListDeployments(ctx, app.ID, nil); err != nil || len(ds) != 1 {
		t.Fatalf("ListDeployments = %d, %v; want one deployment", len(ds), err)
	}

	_, res, err := client(t, srv, "other").Apps.List(ctx, nil)
	if err == nil || res.StatusCode != http.StatusUnauthorized {
		t.Errorf("Apps.List with the wrong token = %v, %v; want 401", res, err)
	}
	req, _ := http.NewRequest("GET", srv.URL()+"v2/apps/abc/nonsense", nil)
	req.Header.Set("Authorization", "Bearer sim-token")
	res2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res2.Body.Close()
	if res2.StatusCode != http.StatusNotFound {
		t.Errorf("GET /v2/apps/abc/nonsense = %d; want 404", res2.StatusCode)
	}
}

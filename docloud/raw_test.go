package docloud_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"dobot/docloud"
	"dobot/internal/dotest"
	"dobot/internal/testclock"
)

func TestRawValidateRollbackSaysWhy(t *testing.T) {
	clk := testclock.New(time.Now())
	_, client := newCloud(t, dotest.Options{Clock: clk.Now})
	app := createApp(t, client, clk, "web", "nginx")
	raw := docloud.Raw{Client: client}
	check, err := raw.ValidateRollback(context.Background(), app.ID, app.ActiveDeployment.ID)
	if err != nil {
		t.Fatal(err)
	}
	if check.Valid {
		t.Fatalf("ValidateRollback(active deployment) valid; want refused")
	}
	if want := "deployment is the app's active deployment (incompatible_phase)"; check.Why() != want {
		t.Errorf("Why() = %q; want %q", check.Why(), want)
	}
}

func TestRawKeepsDigitalOceansErrors(t *testing.T) {
	_, client := newCloud(t, dotest.Options{})
	err := docloud.Raw{Client: client}.CancelDeployment(context.Background(), "00000000-0000-4000-8000-000000000000", "00000000-0000-4000-8000-000000000001")
	var de *godo.ErrorResponse
	if !errors.As(err, &de) || de.Response.StatusCode != http.StatusNotFound {
		t.Errorf("CancelDeployment(unknown app) = %v; want DigitalOcean's 404", err)
	}
	if err := (docloud.Raw{}).Do(context.Background(), http.MethodGet, "v2/apps", nil, nil); err == nil {
		t.Error("Do without a client succeeded; want an error")
	}
}

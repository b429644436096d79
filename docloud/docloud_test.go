package docloud_test

import (
	"context"
	"testing"

	"github.com/digitalocean/godo"
	"golang.org/x/oauth2"

	"dobot/internal/dotest"
)

// newCloud starts a strict DigitalOcean test server and a godo client for it.
func newCloud(t *testing.T, opts dotest.Options) (*dotest.Server, *godo.Client) {
	t.Helper()
	if opts.Token == "" {
		opts.Token = "tok"
	}
	srv := dotest.New(t, opts)
	ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: opts.Token})
	client, err := godo.New(oauth2.NewClient(context.Background(), ts), godo.SetBaseURL(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	return srv, client
}

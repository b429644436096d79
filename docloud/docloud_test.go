package docloud_test

import (
	"testing"

	"github.com/digitalocean/godo"

	"dobot/internal/dotest"
)

// newCloud starts a strict DigitalOcean test server and a godo client for it.
func newCloud(t *testing.T, opts dotest.Options) (*dotest.Server, *godo.Client) {
	t.Helper()
	srv := dotest.New(t, opts)
	return srv, srv.Client(t, "")
}

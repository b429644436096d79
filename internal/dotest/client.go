package dotest

import (
	"context"
	"testing"

	"github.com/digitalocean/godo"
	"golang.org/x/oauth2"
)

// Client is a real godo client for s, authenticated with token ("" for
// the server's own), as the bot's would be.
func (s *Server) Client(tb testing.TB, token string, opts ...godo.ClientOpt) *godo.Client {
	tb.Helper()
	if token == "" {
		token = s.opts.Token
	}
	hc := oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}))
	c, err := godo.New(hc, append([]godo.ClientOpt{godo.SetBaseURL(s.URL())}, opts...)...)
	if err != nil {
		tb.Fatalf("dotest: godo.New: %v", err)
	}
	return c
}

package imagecheck_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"dobot/imagecheck"
	"dobot/internal/regtest"
)

const doToken = "dop_v1_imagecheck_test"

func startRegistry(t *testing.T) *regtest.Server {
	t.Helper()
	reg, err := regtest.Start(regtest.Options{DOToken: doToken})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Close)
	return reg
}

func TestCheck(t *testing.T) {
	reg := startRegistry(t)
	c := &imagecheck.Checker{Mirrors: regtest.ParseMirrors(reg.Mirrors()), DOToken: doToken}
	tests := []struct {
		ref       imagecheck.Ref
		wantPorts []int
	}{
		{imagecheck.Ref{Host: "docker.io", Path: "library/nginx", Tag: "latest"}, []int{80}},
		{imagecheck.Ref{Host: "docker.io", Path: "library/nginx", Tag: "1.27"}, []int{80}},
		{imagecheck.Ref{Host: "ghcr.io", Path: "nginxinc/nginx-unprivileged", Tag: "stable"}, []int{8080}},
		{imagecheck.Ref{Host: "docker.io", Path: "acme/multi", Tag: "1.0"}, []int{80, 443, 9090}},
		{imagecheck.Ref{Host: "docker.io", Path: "acme/noports", Tag: "1.0"}, nil},
		{imagecheck.Ref{Host: "registry.digitalocean.com", Path: "acme/hello", Tag: "1.0"}, []int{8080}},
	}
	for _, tt := range tests {
		t.Run(tt.ref.String(), func(t *testing.T) {
			img, err := c.Check(context.Background(), tt.ref)
			if err != nil {
				t.Fatalf("Check(%s) error %v", tt.ref, err)
			}
			if !reflect.DeepEqual(img.Ports, tt.wantPorts) {
				t.Errorf("Check(%s).Ports = %v; want %v", tt.ref, img.Ports, tt.wantPorts)
			}
			want := reg.Digest(tt.ref.Host + "/" + tt.ref.Path + ":" + tt.ref.Tag)
			if img.Digest != want || want == "" {
				t.Errorf("Check(%s).Digest = %q; want %q", tt.ref, img.Digest, want)
			}
			// The digest the tag resolved to names the same image.
			byDigest := tt.ref
			byDigest.Tag, byDigest.Digest = "", img.Digest
			again, err := c.Check(context.Background(), byDigest)
			if err != nil || again.Digest != img.Digest {
				t.Errorf("Check(%s) = %+v, %v; want the same image", byDigest, again, err)
			}
		})
	}
}

func TestCheckErrors(t *testing.T) {
	reg := startRegistry(t)
	mirrors := regtest.ParseMirrors(reg.Mirrors())
	anon := &imagecheck.Checker{Mirrors: mirrors}
	withCreds := &imagecheck.Checker{Mirrors: mirrors, DOToken: doToken,
		Credentials: map[string]imagecheck.Credential{"ghcr.io": {User: regtest.PrivateUser, Token: regtest.PrivateToken}}}
	wrongCreds := &imagecheck.Checker{Mirrors: mirrors, DOToken: "wrong",
		Credentials: map[string]imagecheck.Credential{"ghcr.io": {User: regtest.PrivateUser, Token: "wrong"}}}

	var notFound *imagecheck.NotFoundError
	var denied *imagecheck.DeniedError
	var platform *imagecheck.PlatformError
	tests := []struct {
		name string
		c    *imagecheck.Checker
		ref  imagecheck.Ref
		want any
	}{
		{"missing tag", anon, imagecheck.Ref{Host: "docker.io", Path: "library/nginx", Tag: "1.999"}, &notFound},
		{"missing repo on ghcr", anon, imagecheck.Ref{Host: "ghcr.io", Path: "acme/nothing", Tag: "1"}, &notFound},
		{"missing repo on docker hub looks private", anon, imagecheck.Ref{Host: "docker.io", Path: "acme/nothing", Tag: "1"}, &denied},
		{"private without credentials", anon, imagecheck.Ref{Host: "ghcr.io", Path: "acme/private", Tag: "1.0"}, &denied},
		{"private with wrong credentials", wrongCreds, imagecheck.Ref{Host: "ghcr.io", Path: "acme/private", Tag: "1.0"}, &denied},
		{"docr with wrong token", wrongCreds, imagecheck.Ref{Host: "registry.digitalocean.com", Path: "acme/hello", Tag: "1.0"}, &denied},
		{"arm64 only", anon, imagecheck.Ref{Host: "docker.io", Path: "acme/arm-only", Tag: "1.0"}, &platform},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.c.Check(context.Background(), tt.ref)
			if err == nil || !errors.As(err, tt.want) {
				t.Fatalf("Check(%s) error = %v (%T); want %T", tt.ref, err, err, tt.want)
			}
			if strings.Contains(err.Error(), regtest.PrivateToken) || strings.Contains(err.Error(), doToken) {
				t.Errorf("Check(%s) error %q shows a credential", tt.ref, err)
			}
		})
	}
	if denied == nil {
		t.Fatal("no DeniedError seen")
	}

	img, err := withCreds.Check(context.Background(), imagecheck.Ref{Host: "ghcr.io", Path: "acme/private", Tag: "1.0"})
	if err != nil || !reflect.DeepEqual(img.Ports, []int{8080}) {
		t.Errorf("Check(private, with credentials) = %+v, %v; want port 8080", img, err)
	}
	_, err = anon.Check(context.Background(), imagecheck.Ref{Host: "ghcr.io", Path: "acme/private", Tag: "1.0"})
	if !errors.As(err, &denied) || denied.WithCredentials {
		t.Errorf("Check(private, anonymous) = %v; want a DeniedError without credentials", err)
	}
}

func TestCheckTimeout(t *testing.T) {
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	t.Cleanup(hang.Close)
	u, _ := url.Parse(hang.URL)
	c := &imagecheck.Checker{Mirrors: map[string]*url.URL{"docker.io": u}, Timeout: 200 * time.Millisecond}
	_, err := c.Check(context.Background(), imagecheck.Ref{Host: "docker.io", Path: "library/nginx", Tag: "latest"})
	var un *imagecheck.UnavailableError
	if !errors.As(err, &un) {
		t.Fatalf("Check(hanging registry) error = %v; want UnavailableError", err)
	}
}

func TestCredentialHidesToken(t *testing.T) {
	c := imagecheck.Credential{User: "u", Token: "s3cret"}
	for _, s := range []string{c.String(), c.GoString()} {
		if strings.Contains(s, "s3cret") {
			t.Errorf("Credential printed as %q; want the token hidden", s)
		}
	}
	if c.Pair() != "u:s3cret" {
		t.Errorf("Pair() = %q", c.Pair())
	}
}

package docloud_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/docloud"
	"dobot/imagecheck"
)

// fakeImages is a registry that answers with its function fields.
type fakeImages struct {
	check func(imagecheck.Ref) (imagecheck.Image, error)
	creds map[string]imagecheck.Credential
}

var _ docloud.Images = (*fakeImages)(nil)

func (f *fakeImages) Check(_ context.Context, ref imagecheck.Ref) (imagecheck.Image, error) {
	return f.check(ref)
}

func (f *fakeImages) RegistryCredentials(host string) (imagecheck.Credential, bool) {
	c, ok := f.creds[host]
	return c, ok
}

func mustRef(t *testing.T, s string) dobot.ImageRef {
	t.Helper()
	ref, err := dobot.ParseImageRef(s)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

func TestCheckImagePort(t *testing.T) {
	const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	answer := func(ports ...int) func(imagecheck.Ref) (imagecheck.Image, error) {
		return func(imagecheck.Ref) (imagecheck.Image, error) {
			return imagecheck.Image{Digest: digest, Ports: ports}, nil
		}
	}
	tests := []struct {
		name     string
		images   docloud.Images
		given    int
		wantPort int
		wantFrom string
	}{
		{"given wins", &fakeImages{check: answer(80)}, 3000, 3000, "set with --port"},
		{"one exposed", &fakeImages{check: answer(80)}, 0, 80, "from the image"},
		{"several exposed", &fakeImages{check: answer(80, 443)}, 0, 80, "the lowest of the ports the image exposes: 80, 443; use --port to pick another"},
		{"none exposed", &fakeImages{check: answer()}, 0, 8080, "App Platform default; the image exposes none"},
		{"not checked", nil, 0, 8080, "App Platform default; the image was not checked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pf, err := docloud.CheckImage(context.Background(), tt.images, mustRef(t, "nginx:1.27"), tt.given, nil)
			if err != nil || pf.Port != tt.wantPort || pf.PortFrom != tt.wantFrom {
				t.Errorf("CheckImage = %d %q, %v; want %d %q", pf.Port, pf.PortFrom, err, tt.wantPort, tt.wantFrom)
			}
			if tt.images != nil && pf.Digest != digest {
				t.Errorf("CheckImage digest = %q; want %q", pf.Digest, digest)
			}
		})
	}
}

// A droplet words a default port as the bot's, not App Platform's, and
// leaves a port from --port or the image alone.
func TestPreflightForDroplet(t *testing.T) {
	tests := []struct {
		from, want string
		defaulted  bool
	}{
		{"set with --port", "set with --port", false},
		{"from the image", "from the image", false},
		{"App Platform default; the image exposes none", "the bot's default for droplets; the image exposes none", true},
		{"App Platform default; the image was not checked", "the bot's default for droplets; the image was not checked", true},
	}
	for _, tt := range tests {
		pf := docloud.Preflight{Port: 8080, PortFrom: tt.from}
		got := pf.ForDroplet()
		if got.PortFrom != tt.want || got.Port != 8080 {
			t.Errorf("ForDroplet(%q) = %d %q; want 8080 %q", tt.from, got.Port, got.PortFrom, tt.want)
		}
		if pf.Defaulted() != tt.defaulted || got.Defaulted() != tt.defaulted {
			t.Errorf("Defaulted(%q) = %v, after ForDroplet %v; want %v", tt.from, pf.Defaulted(), got.Defaulted(), tt.defaulted)
		}
	}
}

func TestCheckImageFailures(t *testing.T) {
	ctx := context.Background()
	ref := mustRef(t, "ghcr.io/acme/web:1")
	slow := &fakeImages{check: func(r imagecheck.Ref) (imagecheck.Image, error) {
		if r.Host != "ghcr.io" || r.Path != "acme/web" || r.Tag != "1" {
			t.Errorf("Check(%+v); want ghcr.io acme/web:1", r)
		}
		return imagecheck.Image{}, &imagecheck.UnavailableError{Ref: r, Err: errors.New("the registry did not answer in time")}
	}}
	pf, err := docloud.CheckImage(ctx, slow, ref, 0, nil)
	if err != nil || pf.Port != 8080 || pf.Warning != "Could not check ghcr.io/acme/web:1 before deploying: the registry did not answer in time. Going ahead without the check." {
		t.Errorf("CheckImage(unavailable) = %+v, %v; want a warning and port 8080", pf, err)
	}
	missing := &fakeImages{check: func(r imagecheck.Ref) (imagecheck.Image, error) {
		return imagecheck.Image{}, &imagecheck.NotFoundError{Ref: r}
	}}
	var nf *imagecheck.NotFoundError
	if _, err := docloud.CheckImage(ctx, missing, ref, 0, nil); !errors.As(err, &nf) {
		t.Errorf("CheckImage(missing) = %v; want the NotFoundError for the caller to word", err)
	}
}

func TestPinnedImageAndCredentials(t *testing.T) {
	const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	images := &fakeImages{creds: map[string]imagecheck.Credential{"ghcr.io": {User: "bot", Token: "t0k"}}}
	ref := mustRef(t, "ghcr.io/acme/web:1")
	spec := &godo.AppSpec{Services: []*godo.AppServiceSpec{{Name: "web", Image: docloud.PinnedImage(ref, digest)}}}
	img := spec.Services[0].Image
	if img.Tag != "" || img.Digest != digest || img.Registry != "acme" || img.RegistryType != godo.ImageSourceSpecRegistryType_Ghcr {
		t.Errorf("PinnedImage = %+v; want acme/web pinned to the digest, no tag", img)
	}
	docloud.Credentialed(images, spec, ref)
	if img.RegistryCredentials != "bot:t0k" {
		t.Errorf("Credentialed set %q; want the ghcr.io credentials", img.RegistryCredentials)
	}
	docr := mustRef(t, "registry.digitalocean.com/acme/web:1")
	if docloud.WithCredentials(images, docloud.ImageSpec(docr), docr.Host) {
		t.Error("WithCredentials set credentials for DOCR; want none (App Platform pulls from the account's own registry)")
	}
	if !strings.HasSuffix(docloud.ImageSpec(mustRef(t, "nginx")).Tag, "latest") {
		t.Error("ImageSpec(nginx) has no latest tag")
	}
}

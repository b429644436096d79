package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/docloud"
	"dobot/imagecheck"
)

// Images is the registry side of a launch: the pre-flight check of an image,
// and the credentials App Platform needs to pull a private one.
// *imagecheck.Checker implements it.
type Images interface {
	Check(ctx context.Context, ref imagecheck.Ref) (imagecheck.Image, error)
	RegistryCredentials(host string) (imagecheck.Credential, bool)
}

var _ Images = (*imagecheck.Checker)(nil)

// appPlatformPort is the port App Platform sends traffic and health checks
// to, and sets $PORT to, when a spec gives no http_port.
const appPlatformPort = 8080

// Preflight is what the pre-flight check decided about an image. It is
// stored with the operation's arguments (it holds no secret).
type Preflight struct {
	Port     int    `json:",omitempty"`
	PortFrom string `json:",omitempty"` // why this port, for the card
	Digest   string `json:",omitempty"` // what the tag resolved to
	Warning  string `json:",omitempty"` // the check could not be made
	// Exposed are the image's TCP ports, as the check read them.
	Exposed []int `json:",omitempty"`
}

// exposes reports whether the checked image exposes port.
func (p Preflight) exposes(port int) bool {
	for _, e := range p.Exposed {
		if e == port {
			return true
		}
	}
	return false
}

// portText is the card's line for the port: "80 (from the image)".
func (p Preflight) portText() string {
	if p.Port == 0 {
		return ""
	}
	return fmt.Sprintf("%d (%s)", p.Port, p.PortFrom)
}

// checkRef maps an dobot.ImageRef to the form the checker takes.
func checkRef(ref dobot.ImageRef) imagecheck.Ref {
	return imagecheck.Ref{Host: ref.Host, Path: ref.Namespace + "/" + ref.Repository, Tag: ref.Tag, Digest: ref.Digest}
}

// preflight reads ref from its registry before anything is created or any
// approval is asked, and settles the port: port when given (--port), else
// the image's exposed TCP port (the lowest of several), else App Platform's
// 8080. A registry that does not answer in time gives a warning, not an
// error, and the launch carries on with 8080.
func (b *Bot) preflight(ctx context.Context, ref dobot.ImageRef, port int) (Preflight, error) {
	var pf Preflight
	var img imagecheck.Image
	checked := false
	if b.images != nil { // nil only in tests of other things
		var err error
		img, err = b.images.Check(ctx, checkRef(ref))
		if err != nil {
			var un *imagecheck.UnavailableError
			if !errors.As(err, &un) {
				return pf, preflightError(ref, err)
			}
			b.log.Warn("pre-flight image check", "image", ref.String(), "err", err)
			pf.Warning = fmt.Sprintf("Could not check %s before deploying: %s. Going ahead without the check.", ref, Escape(un.Err.Error()))
		} else {
			checked = true
			pf.Digest, pf.Exposed = img.Digest, img.Ports
		}
	}
	switch {
	case port != 0:
		pf.Port, pf.PortFrom = port, "set with --port"
	case !checked:
		pf.Port, pf.PortFrom = appPlatformPort, "App Platform default; the image was not checked"
	case len(img.Ports) == 1:
		pf.Port, pf.PortFrom = img.Ports[0], "from the image"
	case len(img.Ports) > 1:
		names := make([]string, len(img.Ports))
		for i, p := range img.Ports {
			names[i] = fmt.Sprint(p)
		}
		pf.Port, pf.PortFrom = img.Ports[0], "the lowest of the ports the image exposes: "+strings.Join(names, ", ")+"; use --port to pick another"
	default:
		pf.Port, pf.PortFrom = appPlatformPort, "App Platform default; the image exposes none, and App Platform sends PORT=8080"
	}
	return pf, nil
}

// preflightError turns a failed check into what the person should do.
func preflightError(ref dobot.ImageRef, err error) error {
	var notFound *imagecheck.NotFoundError
	var denied *imagecheck.DeniedError
	var platform *imagecheck.PlatformError
	switch {
	case errors.As(err, &notFound):
		what := "tag " + ref.Tag
		if ref.Digest != "" {
			what = "digest " + ref.Digest
		}
		return userErrorf("%s was not found: its registry has no such repository or no %s. Check the name and the tag; nothing was created.", ref, what)
	case errors.As(err, &denied) && ref.Host == dobot.HostDOCR:
		return userErrorf("registry.digitalocean.com refused to show %s to the bot's DigitalOcean token: the image does not exist, or the token lacks registry read access. Push the image, or give DO_API_TOKEN the registry scope; nothing was created.", ref)
	case errors.As(err, &denied) && denied.WithCredentials:
		return userErrorf("%s refused the credentials in BOT_REGISTRY_CREDENTIALS for %s: check the user and token, and that the token may read the image; nothing was created.", ref.Host, ref)
	case errors.As(err, &denied):
		hint := "a GitHub token with read:packages"
		maybe := ""
		if ref.Host == dobot.HostDockerHub {
			hint, maybe = "a Docker Hub access token with read access", " (Docker Hub answers the same for a repository that does not exist, so check the name too)"
		}
		return userErrorf("%s is private: its registry wants credentials%s. Add BOT_REGISTRY_CREDENTIALS=%s=USER:TOKEN (%s) to the bot's settings and restart it; nothing was created.",
			ref, maybe, ref.Host, hint)
	case errors.As(err, &platform):
		return userErrorf("%s has no linux/amd64 image (it has %s), and DigitalOcean runs linux/amd64 only. Build it with `docker buildx build --platform linux/amd64`; nothing was created.",
			ref, strings.Join(platform.Platforms, ", "))
	}
	return fmt.Errorf("check image %s: %w", ref, err)
}

// pinnedImage is the App Platform image source for ref with the digest the
// pre-flight check resolved: the digest replaces the tag (the description
// says digest "cannot be specified if tag is provided"), so App Platform
// runs exactly the image that was checked, and a tag moved later changes
// nothing until the next redeploy --image.
func pinnedImage(ref dobot.ImageRef, digest string) *godo.ImageSourceSpec {
	spec := docloud.ImageSpec(ref)
	if digest != "" {
		spec.Tag, spec.Digest = "", digest
	}
	return spec
}

// withCredentials fills in registry_credentials for a private Docker Hub or
// GHCR image from the bot's settings, at the moment the request is built:
// they are never part of what is stored with an operation. DOCR needs none,
// since App Platform pulls from the account's own registry. It reports
// whether it set them.
func (b *Bot) withCredentials(img *godo.ImageSourceSpec, host string) bool {
	if b.images == nil || img == nil || host == dobot.HostDOCR {
		return false
	}
	cr, ok := b.images.RegistryCredentials(host)
	if ok {
		img.RegistryCredentials = cr.Pair()
	}
	return ok
}

// credentialed fills in the credentials of spec's services that run ref's
// registry, and returns spec.
func (b *Bot) credentialed(spec *godo.AppSpec, ref dobot.ImageRef) *godo.AppSpec {
	for _, svc := range spec.Services {
		if svc.Image != nil {
			b.withCredentials(svc.Image, ref.Host)
		}
	}
	return spec
}

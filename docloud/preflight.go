package docloud

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
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

// AppPlatformPort is the port App Platform sends traffic and health checks
// to, and sets $PORT to, when a spec gives no http_port.
const AppPlatformPort = 8080

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

// Exposes reports whether the checked image exposes port.
func (p Preflight) Exposes(port int) bool {
	for _, e := range p.Exposed {
		if e == port {
			return true
		}
	}
	return false
}

// The reasons choosePort gives for a port that neither --port nor the
// image named. App Platform's is DECISIONS.md's wording; a droplet launch
// words it for itself (ForDroplet), since App Platform plays no part there.
const (
	appPlatformDefault = "App Platform default"
	dropletDefault     = "the bot's default for droplets"
)

// Defaulted reports whether the port is the default: neither --port nor
// the image named one.
func (p Preflight) Defaulted() bool {
	return strings.HasPrefix(p.PortFrom, appPlatformDefault+";") || strings.HasPrefix(p.PortFrom, dropletDefault+";")
}

// ForDroplet is p worded for a --droplet launch: a default port is the
// bot's own (CloudInit's DefaultDropletPort), not App Platform's.
func (p Preflight) ForDroplet() Preflight {
	if rest, ok := strings.CutPrefix(p.PortFrom, appPlatformDefault+";"); ok {
		p.PortFrom = dropletDefault + ";" + rest
	}
	return p
}

// PortText is the card's line for the port: "80 (from the image)".
func (p Preflight) PortText() string {
	if p.Port == 0 {
		return ""
	}
	return fmt.Sprintf("%d (%s)", p.Port, p.PortFrom)
}

// CheckRef maps a dobot.ImageRef to the form the checker takes.
func CheckRef(ref dobot.ImageRef) imagecheck.Ref {
	return imagecheck.Ref{Host: ref.Host, Path: ref.Namespace + "/" + ref.Repository, Tag: ref.Tag, Digest: ref.Digest}
}

// CheckImage reads ref from its registry before anything is created or any
// approval is asked, and settles the port: port when given (--port), else
// the image's exposed TCP port (the lowest of several), else App Platform's
// 8080. A registry that does not answer in time gives a warning (plain
// text), not an error, and the launch carries on with 8080. Any other
// failure of the check is returned as imagecheck gave it, for the caller to
// word. A nil images skips the check.
func CheckImage(ctx context.Context, images Images, ref dobot.ImageRef, port int, log *slog.Logger) (Preflight, error) {
	var pf Preflight
	var img imagecheck.Image
	checked := false
	if images != nil {
		var err error
		img, err = images.Check(ctx, CheckRef(ref))
		if err != nil {
			var un *imagecheck.UnavailableError
			if !errors.As(err, &un) {
				return pf, err
			}
			if log != nil {
				log.Warn("pre-flight image check", "image", ref.String(), "err", err)
			}
			pf.Warning = fmt.Sprintf("Could not check %s before deploying: %s. Going ahead without the check.", ref, un.Err.Error())
		} else {
			checked = true
			pf.Digest, pf.Exposed = img.Digest, img.Ports
		}
	}
	pf.Port, pf.PortFrom = choosePort(port, checked, img.Ports)
	return pf, nil
}

// choosePort picks the container port and says where it came from.
func choosePort(given int, checked bool, exposed []int) (int, string) {
	switch {
	case given != 0:
		return given, "set with --port"
	case !checked:
		return AppPlatformPort, appPlatformDefault + "; the image was not checked"
	case len(exposed) == 1:
		return exposed[0], "from the image"
	case len(exposed) > 1:
		names := make([]string, len(exposed))
		for i, p := range exposed {
			names[i] = fmt.Sprint(p)
		}
		return exposed[0], "the lowest of the ports the image exposes: " + strings.Join(names, ", ") + "; use --port to pick another"
	}
	return AppPlatformPort, appPlatformDefault + "; the image exposes none"
}

// PinnedImage is the App Platform image source for ref with the digest the
// pre-flight check resolved: the digest replaces the tag (the description
// says digest "cannot be specified if tag is provided"), so App Platform
// runs exactly the image that was checked, and a tag moved later changes
// nothing until the next redeploy --image.
func PinnedImage(ref dobot.ImageRef, digest string) *godo.ImageSourceSpec {
	spec := ImageSpec(ref)
	if digest != "" {
		spec.Tag, spec.Digest = "", digest
	}
	return spec
}

// WithCredentials fills in registry_credentials for a private Docker Hub or
// GHCR image from the bot's settings, at the moment the request is built:
// they are never part of what is stored with an operation. DOCR needs none,
// since App Platform pulls from the account's own registry. It reports
// whether it set them.
func WithCredentials(images Images, img *godo.ImageSourceSpec, host string) bool {
	if images == nil || img == nil || host == dobot.HostDOCR {
		return false
	}
	cr, ok := images.RegistryCredentials(host)
	if ok {
		img.RegistryCredentials = cr.Pair()
	}
	return ok
}

// Credentialed fills in the credentials of spec's services that run ref's
// registry, and returns spec.
func Credentialed(images Images, spec *godo.AppSpec, ref dobot.ImageRef) *godo.AppSpec {
	for _, svc := range spec.Services {
		if svc.Image != nil {
			WithCredentials(images, svc.Image, ref.Host)
		}
	}
	return spec
}

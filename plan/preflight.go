package plan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/docloud"
	"dobot/imagecheck"
)

// Images is the registry side of a launch; see docloud.Images.
type Images = docloud.Images

// Preflight is what the pre-flight check decided about an image
// (docloud.Preflight), stored with the operation's arguments.
type Preflight = docloud.Preflight

// Preflight runs docloud's pre-flight check of ref, with its refusals worded
// for the person and its warning escaped for a card.
func (b *Planner) Preflight(ctx context.Context, ref dobot.ImageRef, port int) (Preflight, error) {
	pf, err := docloud.CheckImage(ctx, b.images, ref, port, b.log)
	if err != nil {
		return Preflight{}, preflightError(ref, err)
	}
	pf.Warning = Escape(pf.Warning)
	return Preflight(pf), nil
}

// portNote says where traffic reaches the container. A droplet always
// gets one, since it serves on its own port 80 whatever the container's
// port; App Platform only when the port is the default, which the app may
// not listen on. PORT is named only when the launch's --env leaves it to
// the platform.
func portNote(args LaunchArgs) string {
	port, setsPORT, advice := args.Check.Port, "", ""
	if !slices.ContainsFunc(args.Env, func(kv [2]string) bool { return kv[0] == "PORT" }) {
		setsPORT = fmt.Sprintf(" and sets PORT=%d", port)
	}
	if args.Check.Defaulted() {
		advice = "; if the app listens on another port, launch it with --port"
	}
	switch {
	case port == 0:
		return ""
	case args.Droplet:
		return fmt.Sprintf("the droplet forwards its port 80 to the container's port %d%s%s", port, setsPORT, advice)
	case args.Check.Defaulted():
		return fmt.Sprintf("App Platform sends traffic and health checks to port %d%s%s", port, setsPORT, advice)
	}
	return ""
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

// pinnedImage is docloud.PinnedImage, under the name the operation
// engine's resume uses.
func pinnedImage(ref dobot.ImageRef, digest string) *godo.ImageSourceSpec {
	return docloud.PinnedImage(ref, digest)
}

// credentialed fills in the credentials of spec's services that run ref's
// registry, from the bot's settings, and returns spec.
func (b *Planner) credentialed(spec *godo.AppSpec, ref dobot.ImageRef) *godo.AppSpec {
	return docloud.Credentialed(b.images, spec, ref)
}

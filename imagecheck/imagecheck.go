// Package imagecheck reads a container image's manifest and config from its
// registry with the registry v2 API, before anything is created with it: does
// the tag exist, may we pull it, does it run on linux/amd64 (the only
// platform App Platform and droplets run), which TCP ports does it expose,
// and which digest does the tag name right now.
package imagecheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// The registries App Platform pulls from, by the host an image ref names.
const (
	HostDockerHub = "docker.io"
	HostGHCR      = "ghcr.io"
	HostDOCR      = "registry.digitalocean.com"
)

// DefaultTimeout bounds one check: a registry slower than this does not hold
// up a launch.
const DefaultTimeout = 5 * time.Second

// Ref names one image: Host is one of the three hosts above, Path the
// repository path on it ("library/nginx"), and exactly one of Tag and Digest
// is set.
type Ref struct {
	Host, Path, Tag, Digest string
}

// String is the ref as a person would type it.
func (r Ref) String() string {
	s := r.Host + "/" + r.Path
	if r.Digest != "" {
		return s + "@" + r.Digest
	}
	return s + ":" + r.Tag
}

// Image is what a check found out.
type Image struct {
	// Digest is the manifest (or index) digest the tag resolved to.
	Digest string
	// Ports are the image's exposed TCP ports, lowest first.
	Ports []int
}

// Credential is a user name and an access token for a registry. Its String
// hides the token, so printing a Credential by mistake leaks nothing.
type Credential struct {
	User, Token string
}

// String names the user only.
func (c Credential) String() string { return c.User + ":•••" }

// GoString hides the token from %#v too.
func (c Credential) GoString() string {
	return "imagecheck.Credential{User:" + strconv.Quote(c.User) + ", Token:•••}"
}

// Pair is "USER:TOKEN", the form App Platform's registry_credentials takes.
func (c Credential) Pair() string { return c.User + ":" + c.Token }

// Checker checks images. The zero value checks public images on the real
// registries; it is safe for concurrent use.
type Checker struct {
	// Transport carries the requests; default http.DefaultTransport.
	Transport http.RoundTripper
	// Mirrors maps a registry host to another base URL ("http://127.0.0.1:5000").
	Mirrors map[string]*url.URL
	// Credentials are for private images on docker.io and ghcr.io.
	Credentials map[string]Credential
	// DOToken signs in to registry.digitalocean.com, as `doctl registry
	// login` does: the token is both user name and password.
	DOToken string
	// Timeout bounds one check; default DefaultTimeout.
	Timeout time.Duration
}

// RegistryCredentials returns the credentials for host, for App Platform's
// registry_credentials.
func (c *Checker) RegistryCredentials(host string) (Credential, bool) {
	cr, ok := c.Credentials[host]
	return cr, ok
}

// NotFoundError is a missing repository, tag or digest.
type NotFoundError struct{ Ref Ref }

func (e *NotFoundError) Error() string { return e.Ref.String() + " was not found in its registry" }

// DeniedError is a registry refusing to show the image (401 or 403): the
// image is private, or the credentials are wrong. Docker Hub answers 401
// for a repository that does not exist, too.
type DeniedError struct {
	Ref Ref
	// WithCredentials is whether the check sent credentials.
	WithCredentials bool
	Status          int
}

func (e *DeniedError) Error() string {
	if e.WithCredentials {
		return fmt.Sprintf("%s: the registry refused the configured credentials (HTTP %d)", e.Ref, e.Status)
	}
	return fmt.Sprintf("%s: the registry needs credentials (HTTP %d)", e.Ref, e.Status)
}

// PlatformError is an image that has no linux/amd64 variant.
type PlatformError struct {
	Ref       Ref
	Platforms []string // what it has, like "linux/arm64"
}

func (e *PlatformError) Error() string {
	return fmt.Sprintf("%s has no linux/amd64 image (it has %s)", e.Ref, strings.Join(e.Platforms, ", "))
}

// UnavailableError is a registry that did not answer in time, or answered
// with something other than an image: the check could not tell.
type UnavailableError struct {
	Ref Ref
	Err error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("could not check %s: %v", e.Ref, e.Err)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

var amd64 = v1.Platform{OS: "linux", Architecture: "amd64"}

// Check reads ref's manifest and config. Its errors are one of the four
// types above.
func (c *Checker) Check(ctx context.Context, ref Ref) (Image, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	nref, err := c.nameRef(ref)
	if err != nil {
		return Image{}, &UnavailableError{Ref: ref, Err: err}
	}
	auth, withCreds := c.auth(ref.Host)
	tr := c.Transport
	if tr == nil {
		tr = http.DefaultTransport
	}
	opts := []remote.Option{remote.WithContext(ctx), remote.WithTransport(tr), remote.WithAuth(auth),
		remote.WithPlatform(amd64), remote.WithUserAgent("dobot")}
	desc, err := remote.Get(nref, opts...)
	if err != nil {
		return Image{}, classify(ctx, ref, withCreds, err)
	}
	img := Image{Digest: desc.Digest.String()}
	var cfg *v1.ConfigFile
	switch {
	case desc.MediaType.IsIndex():
		idx, err := desc.ImageIndex()
		if err != nil {
			return Image{}, classify(ctx, ref, withCreds, err)
		}
		im, err := idx.IndexManifest()
		if err != nil {
			return Image{}, classify(ctx, ref, withCreds, err)
		}
		var child *v1.Descriptor
		var have []string
		for i, m := range im.Manifests {
			if m.Platform == nil {
				continue
			}
			if m.Platform.OS == "linux" && m.Platform.Architecture == "amd64" {
				child = &im.Manifests[i]
				break
			}
			if m.Platform.OS != "unknown" { // attestation manifests
				have = append(have, platformName(*m.Platform))
			}
		}
		if child == nil {
			return Image{}, &PlatformError{Ref: ref, Platforms: have}
		}
		one, err := idx.Image(child.Digest)
		if err != nil {
			return Image{}, classify(ctx, ref, withCreds, err)
		}
		if cfg, err = one.ConfigFile(); err != nil {
			return Image{}, classify(ctx, ref, withCreds, err)
		}
	case desc.MediaType.IsImage():
		one, err := desc.Image()
		if err != nil {
			return Image{}, classify(ctx, ref, withCreds, err)
		}
		if cfg, err = one.ConfigFile(); err != nil {
			return Image{}, classify(ctx, ref, withCreds, err)
		}
		// A single-platform image says its platform in its config.
		if (cfg.OS != "" && cfg.OS != "linux") || (cfg.Architecture != "" && cfg.Architecture != "amd64") {
			return Image{}, &PlatformError{Ref: ref, Platforms: []string{cfg.OS + "/" + cfg.Architecture}}
		}
	default:
		return Image{}, &UnavailableError{Ref: ref, Err: fmt.Errorf("%s is a %s, not an image", ref, desc.MediaType)}
	}
	img.Ports = tcpPorts(cfg.Config.ExposedPorts)
	return img, nil
}

func platformName(p v1.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// tcpPorts reads a config's ExposedPorts ("80/tcp", "53/udp", "8080"; no
// protocol means TCP), lowest first.
func tcpPorts(exposed map[string]struct{}) []int {
	var ports []int
	for k := range exposed {
		num, proto, _ := strings.Cut(k, "/")
		if proto != "" && !strings.EqualFold(proto, "tcp") {
			continue
		}
		if n, err := strconv.Atoi(num); err == nil && n > 0 && n < 65536 && !slices.Contains(ports, n) {
			ports = append(ports, n)
		}
	}
	slices.Sort(ports)
	return ports
}

// nameRef is ref as go-containerregistry names it, on its mirror if it has
// one.
func (c *Checker) nameRef(ref Ref) (name.Reference, error) {
	registry := ref.Host
	if registry == HostDockerHub {
		registry = name.DefaultRegistry // index.docker.io, where the API lives
	}
	var opts []name.Option
	if m := c.Mirrors[ref.Host]; m != nil {
		registry = m.Host
		if m.Scheme == "http" {
			opts = append(opts, name.Insecure)
		}
	}
	repo := registry + "/" + ref.Path
	if ref.Digest != "" {
		return name.NewDigest(repo+"@"+ref.Digest, opts...)
	}
	return name.NewTag(repo+":"+ref.Tag, opts...)
}

// auth is how to sign in to host, and whether that sends credentials.
func (c *Checker) auth(host string) (authn.Authenticator, bool) {
	if host == HostDOCR && c.DOToken != "" {
		return &authn.Basic{Username: c.DOToken, Password: c.DOToken}, true
	}
	if cr, ok := c.Credentials[host]; ok {
		return &authn.Basic{Username: cr.User, Password: cr.Token}, true
	}
	return authn.Anonymous, false
}

// classify turns what go-containerregistry returned into one of the
// package's error types.
func classify(ctx context.Context, ref Ref, withCreds bool, err error) error {
	var terr *transport.Error
	if errors.As(err, &terr) {
		switch terr.StatusCode {
		case http.StatusNotFound:
			return &NotFoundError{Ref: ref}
		case http.StatusUnauthorized, http.StatusForbidden:
			return &DeniedError{Ref: ref, WithCredentials: withCreds, Status: terr.StatusCode}
		}
		for _, d := range terr.Errors {
			switch d.Code {
			case transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode:
				return &NotFoundError{Ref: ref}
			case transport.UnauthorizedErrorCode, transport.DeniedErrorCode:
				return &DeniedError{Ref: ref, WithCredentials: withCreds, Status: terr.StatusCode}
			}
		}
		return &UnavailableError{Ref: ref, Err: fmt.Errorf("registry answered HTTP %d", terr.StatusCode)}
	}
	if ctx.Err() != nil {
		return &UnavailableError{Ref: ref, Err: errors.New("the registry did not answer in time")}
	}
	var nerr net.Error
	if errors.As(err, &nerr) {
		return &UnavailableError{Ref: ref, Err: errors.New("the registry could not be reached")}
	}
	// Anything else (a malformed manifest, say): keep the cause, which
	// names no credentials, since the Authorization header is never in it.
	return &UnavailableError{Ref: ref, Err: err}
}

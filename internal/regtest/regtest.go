// Package regtest is a container registry for tests and for the console's
// simulator: go-containerregistry's in-memory registry, one per registry
// host (docker.io, ghcr.io, registry.digitalocean.com), filled with the
// Catalogue, behind the sign-in rules of the real registries. Point the
// bot's BOT_REGISTRY_MIRRORS at Mirrors.
//
// It imports no testing package, so the bot's binary may carry it.
package regtest

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The registry hosts the server stands in for.
const (
	HostDockerHub = "docker.io"
	HostGHCR      = "ghcr.io"
	HostDOCR      = "registry.digitalocean.com"
)

// The one user whose credentials open the private images.
const (
	PrivateUser  = "acme-bot"
	PrivateToken = "regtest-private-token"
)

// Entry is one repository of the catalogue.
type Entry struct {
	Host string // one of the hosts above
	Path string // "library/nginx"
	Tags []string
	// Exposed are the config's ExposedPorts keys, like "80/tcp".
	Exposed []string
	// Listen is the port the container's server listens on; 0 means it
	// listens on $PORT, which App Platform sets to the http_port (8080
	// unless the spec says otherwise).
	Listen int
	// Platforms are the image's platforms; one means a single-platform
	// image, more an index. Default linux/amd64 and linux/arm64.
	Platforms []string
	// Private images need PrivateUser's credentials (DOCR: the DigitalOcean
	// token, for every image).
	Private bool
}

// Catalogue is what the registry serves: the images the README's examples
// use, with their real ports, and one image for each thing a pre-flight
// check must catch. There is no nginx:1.999, for the typo'd tag.
var Catalogue = []Entry{
	{Host: HostDockerHub, Path: "library/nginx", Tags: []string{"latest", "1.27", "1.26", "stable"}, Exposed: []string{"80/tcp"}, Listen: 80},
	{Host: HostDockerHub, Path: "library/httpd", Tags: []string{"latest", "2.4"}, Exposed: []string{"80/tcp"}, Listen: 80},
	{Host: HostDockerHub, Path: "traefik/whoami", Tags: []string{"latest", "v1.10"}, Exposed: []string{"80/tcp"}, Listen: 80},
	{Host: HostGHCR, Path: "nginxinc/nginx-unprivileged", Tags: []string{"stable", "mainline", "1.27"}, Exposed: []string{"8080/tcp"}, Listen: 8080},
	// Several ports: the lowest TCP one serves HTTP.
	{Host: HostDockerHub, Path: "acme/multi", Tags: []string{"latest", "1.0"}, Exposed: []string{"9090/tcp", "443/tcp", "80/tcp", "53/udp"}, Listen: 80},
	// No ports: it listens on $PORT, like a twelve-factor app.
	{Host: HostDockerHub, Path: "acme/noports", Tags: []string{"latest", "1.0"}},
	{Host: HostDockerHub, Path: "acme/arm-only", Tags: []string{"latest", "1.0"}, Exposed: []string{"80/tcp"}, Listen: 80, Platforms: []string{"linux/arm64"}},
	{Host: HostDockerHub, Path: "acme/private", Tags: []string{"latest", "1.0"}, Exposed: []string{"8080/tcp"}, Listen: 8080, Private: true},
	{Host: HostGHCR, Path: "acme/private", Tags: []string{"latest", "1.0"}, Exposed: []string{"8080/tcp"}, Listen: 8080, Private: true},
	// Images the tests use for builds that fail and for redeploys.
	{Host: HostDockerHub, Path: "acme/broken", Tags: []string{"latest", "2"}, Exposed: []string{"8080/tcp"}, Listen: 8080},
	{Host: HostGHCR, Path: "acme/web", Tags: []string{"latest", "1.2.3", "1.2.4"}, Exposed: []string{"8080/tcp"}, Listen: 8080},
	{Host: HostGHCR, Path: "acme/api", Tags: []string{"latest", "2"}, Exposed: []string{"8080/tcp"}, Listen: 8080},
	// DOCR images are the account's own: tests Push them, as they push to
	// the DigitalOcean test server's registry; this one is for the
	// checker's own tests.
	{Host: HostDOCR, Path: "acme/hello", Tags: []string{"latest", "1.0"}, Exposed: []string{"8080/tcp"}, Listen: 8080, Private: true},
}

// Lookup finds the catalogue entry of host and path.
func Lookup(host, path string) (Entry, bool) {
	for _, e := range Catalogue {
		if e.Host == host && e.Path == path {
			return e, true
		}
	}
	return Entry{}, false
}

// Options configures a Server.
type Options struct {
	// DOToken is the DigitalOcean token registry.digitalocean.com accepts
	// (as user name and password, as `doctl registry login` uses it).
	DOToken string
}

// Server is three registries, one per host.
type Server struct {
	servers map[string]*httptest.Server
	inner   map[string]http.Handler
	mu      sync.Mutex
	// Digests maps "HOST/PATH:TAG" to the digest that tag names.
	digests map[string]string
}

// Digest is the digest HOST/PATH:TAG names, or "".
func (s *Server) Digest(hostPathTag string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.digests[hostPathTag]
}

// Push adds an image, one linux/amd64 manifest exposing the given ports
// ("8080/tcp"), as host/path:tag; for DOCR images, which tests push to the
// DigitalOcean test server's registry too.
func (s *Server) Push(host, path, tag string, exposed ...string) error {
	e := Entry{Host: host, Path: path, Tags: []string{tag}, Exposed: exposed, Platforms: []string{"linux/amd64"}}
	return s.push(s.inner[host], e)
}

// Start fills a registry for each host with the catalogue and starts
// serving. Close it when done.
func Start(opts Options) (*Server, error) {
	s := &Server{servers: map[string]*httptest.Server{}, inner: map[string]http.Handler{}, digests: map[string]string{}}
	quiet := registry.Logger(log.New(io.Discard, "", 0))
	for _, host := range []string{HostDockerHub, HostGHCR, HostDOCR} {
		inner := registry.New(quiet)
		s.inner[host] = inner
		for _, e := range Catalogue {
			if e.Host != host {
				continue
			}
			if err := s.push(inner, e); err != nil {
				s.Close()
				return nil, err
			}
		}
		g := &gate{inner: inner, host: host, doToken: opts.DOToken}
		s.servers[host] = httptest.NewServer(g)
	}
	return s, nil
}

// Mirrors is the BOT_REGISTRY_MIRRORS value that points the bot here.
func (s *Server) Mirrors() string {
	var parts []string
	for _, host := range []string{HostDockerHub, HostGHCR, HostDOCR} {
		parts = append(parts, host+"="+s.servers[host].URL)
	}
	return strings.Join(parts, ",")
}

// URL is the base URL serving host.
func (s *Server) URL(host string) string { return s.servers[host].URL }

// Close stops every registry.
func (s *Server) Close() {
	for _, ts := range s.servers {
		ts.Close()
	}
}

// push puts e's tags into inner, through a listener of its own that closes
// once the images are in: the gate in front allows reads only.
func (s *Server) push(inner http.Handler, e Entry) error {
	ts := httptest.NewServer(inner)
	defer ts.Close()
	at := strings.TrimPrefix(ts.URL, "http://")
	{
		platforms := e.Platforms
		if len(platforms) == 0 {
			platforms = []string{"linux/amd64", "linux/arm64"}
		}
		var images []v1.Image
		for _, p := range platforms {
			img, err := image(e, p)
			if err != nil {
				return err
			}
			images = append(images, img)
		}
		for _, tag := range e.Tags {
			ref, err := name.NewTag(at+"/"+e.Path+":"+tag, name.Insecure)
			if err != nil {
				return fmt.Errorf("regtest: %s: %w", e.Path, err)
			}
			var digest v1.Hash
			if len(images) == 1 {
				if err := remote.Write(ref, images[0]); err != nil {
					return fmt.Errorf("regtest: push %s: %w", ref, err)
				}
				digest, _ = images[0].Digest()
			} else {
				idx := v1.ImageIndex(empty.Index)
				for i, img := range images {
					os, arch, _ := strings.Cut(platforms[i], "/")
					idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img,
						Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: os, Architecture: arch}}})
				}
				if err := remote.WriteIndex(ref, idx); err != nil {
					return fmt.Errorf("regtest: push %s: %w", ref, err)
				}
				digest, _ = idx.Digest()
			}
			s.mu.Lock()
			s.digests[e.Host+"/"+e.Path+":"+tag] = digest.String()
			s.mu.Unlock()
		}
	}
	return nil
}

// image builds e's image for one platform: one small layer and a config
// that carries the platform and the exposed ports.
func image(e Entry, platform string) (v1.Image, error) {
	os, arch, _ := strings.Cut(platform, "/")
	layer := static.NewLayer([]byte(e.Host+"/"+e.Path+" "+platform), types.DockerLayer)
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = os, arch
	if len(e.Exposed) > 0 {
		cf.Config.ExposedPorts = map[string]struct{}{}
		for _, p := range e.Exposed {
			cf.Config.ExposedPorts[p] = struct{}{}
		}
	}
	return mutate.ConfigFile(img, cf)
}

// gate is the sign-in of a real registry in front of the in-memory one:
//   - /v2/ without credentials answers 401 with a challenge, as Docker
//     Hub, GHCR and DOCR do, so a client that has credentials sends them;
//   - credentials that are not known get 401 everywhere;
//   - a private repository without them gets 401;
//   - only reads are allowed.
type gate struct {
	inner   http.Handler
	host    string
	doToken string
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		regError(w, http.StatusUnauthorized, "DENIED", "requested access to the resource is denied")
		return
	}
	signedIn := false
	if h := r.Header.Get("Authorization"); h != "" {
		if !g.known(h) {
			regError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required: incorrect username or password")
			return
		}
		signedIn = true
	}
	if r.URL.Path == "/v2/" || r.URL.Path == "/v2" {
		if !signedIn {
			regError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
			return
		}
		g.inner.ServeHTTP(w, r)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/v2/")
	if i := strings.Index(path, "/manifests/"); i >= 0 {
		path = path[:i]
	} else if i := strings.Index(path, "/blobs/"); i >= 0 {
		path = path[:i]
	} else if i := strings.Index(path, "/tags/"); i >= 0 {
		path = path[:i]
	}
	e, ok := Lookup(g.host, path)
	if (g.host == HostDOCR || (ok && e.Private)) && !signedIn {
		regError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		return
	}
	if !ok && g.host == HostDockerHub && !signedIn {
		// Docker Hub cannot tell an anonymous client whether a repository
		// is private or missing.
		regError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
		return
	}
	g.inner.ServeHTTP(w, r)
}

// known reports whether the Authorization header carries credentials this
// registry accepts.
func (g *gate) known(h string) bool {
	raw, ok := strings.CutPrefix(h, "Basic ")
	if !ok {
		return false
	}
	dec, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return false
	}
	user, pass, _ := strings.Cut(string(dec), ":")
	if g.host == HostDOCR {
		return g.doToken != "" && eq(user, g.doToken) && eq(pass, g.doToken)
	}
	return eq(user, PrivateUser) && eq(pass, PrivateToken)
}

func eq(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func regError(w http.ResponseWriter, status int, code, msg string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="regtest"`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"errors":[{"code":%q,"message":%q}]}`, code, msg)
}

// ParseMirrors is a helper for tests: Mirrors as a map of host to URL.
func ParseMirrors(s string) map[string]*url.URL {
	out := map[string]*url.URL{}
	for _, kv := range strings.Split(s, ",") {
		h, u, _ := strings.Cut(kv, "=")
		pu, err := url.Parse(u)
		if err == nil {
			out[h] = pu
		}
	}
	return out
}

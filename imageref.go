package dobot

import (
	"fmt"
	"regexp"
	"strings"
)

// Registries App Platform can pull from, by the host a ref names.
const (
	HostDockerHub = "docker.io"
	HostGHCR      = "ghcr.io"
	HostDOCR      = "registry.digitalocean.com"
)

var (
	// pathComponent is one slash-separated part of a repository path, as the
	// OCI distribution spec defines it.
	pathComponent = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)
	tagPattern    = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	digestPattern = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)
)

// ImageRef is a parsed container image reference.
type ImageRef struct {
	Host       string // docker.io, ghcr.io or registry.digitalocean.com
	Namespace  string // Docker Hub namespace, GHCR owner or DOCR registry name
	Repository string // the rest of the path
	Tag        string // "latest" when neither tag nor digest is given
	Digest     string // "sha256:…", exclusive with Tag
}

// ParseImageRef parses the ref forms App Platform accepts: Docker Hub
// ("nginx", "nginx:1.27", "library/nginx", "user/repo:tag"), GHCR
// ("ghcr.io/OWNER/REPO:TAG") and DOCR ("registry.digitalocean.com/REG/REPO:TAG"),
// each with "@sha256:<hex>" allowed in place of the tag.
func ParseImageRef(s string) (ImageRef, error) {
	bad := func(format string, a ...any) (ImageRef, error) {
		return ImageRef{}, UserErrorf("bad image ref %q: %s. Examples: nginx:1.27, ghcr.io/acme/web:1.2.3, registry.digitalocean.com/acme/web:1.2.3", s, fmt.Sprintf(format, a...))
	}
	if s == "" {
		return bad("it is empty")
	}
	if len(s) > 255 {
		return bad("it is longer than 255 characters")
	}
	var ref ImageRef
	rest := s
	if before, digest, ok := strings.Cut(rest, "@"); ok {
		if !digestPattern.MatchString(digest) {
			return bad("a digest must be sha256: followed by 64 lowercase hex digits")
		}
		ref.Digest, rest = digest, before
	}
	if i := strings.LastIndex(rest, ":"); i > strings.LastIndex(rest, "/") {
		tag := rest[i+1:]
		if !tagPattern.MatchString(tag) {
			return bad("the tag %q may hold letters, digits, '_', '.' and '-' only (at most 128)", tag)
		}
		if ref.Digest != "" {
			return bad("give a tag or a digest, not both")
		}
		ref.Tag, rest = tag, rest[:i]
	}
	if ref.Tag == "" && ref.Digest == "" {
		ref.Tag = "latest"
	}

	parts := strings.Split(rest, "/")
	ref.Host = HostDockerHub
	if first := parts[0]; len(parts) > 1 && (strings.ContainsAny(first, ".:") || first == "localhost") {
		switch first {
		case "docker.io", "index.docker.io", "registry-1.docker.io":
			ref.Host = HostDockerHub
		case HostGHCR, HostDOCR:
			ref.Host = first
		default:
			return bad("App Platform pulls only from Docker Hub, ghcr.io and registry.digitalocean.com, not %s", first)
		}
		parts = parts[1:]
	}
	for _, p := range parts {
		if !pathComponent.MatchString(p) {
			return bad("%q is not a valid repository name part (lowercase letters, digits and single separators . _ -)", p)
		}
	}
	switch ref.Host {
	case HostDockerHub:
		switch len(parts) {
		case 1:
			ref.Namespace, ref.Repository = "library", parts[0]
		case 2:
			ref.Namespace, ref.Repository = parts[0], parts[1]
		default:
			return bad("Docker Hub repositories have the form NAMESPACE/NAME")
		}
	case HostGHCR, HostDOCR:
		if len(parts) < 2 {
			return bad("%s refs have the form %s/OWNER/REPOSITORY", ref.Host, ref.Host)
		}
		ref.Namespace, ref.Repository = parts[0], strings.Join(parts[1:], "/")
	}
	return ref, nil
}

// String returns the ref in its full, canonical form.
func (r ImageRef) String() string {
	s := r.Host + "/" + r.Namespace + "/" + r.Repository
	if r.Digest != "" {
		return s + "@" + r.Digest
	}
	return s + ":" + r.Tag
}

// IsRepoPath reports whether path is a repository path as the OCI
// distribution spec defines it: slash-separated components of lowercase
// letters and digits joined by single separators.
func IsRepoPath(path string) bool {
	for _, part := range strings.Split(path, "/") {
		if !pathComponent.MatchString(part) {
			return false
		}
	}
	return true
}

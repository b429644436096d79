package docloud

import (
	"github.com/digitalocean/godo"

	"dobot"
)

// ImageSpec maps ref to App Platform's image source: Docker Hub sets
// registry to the namespace, GHCR to the owner, and DOCR leaves it empty
// because the registry is the account's own.
func ImageSpec(r dobot.ImageRef) *godo.ImageSourceSpec {
	spec := &godo.ImageSourceSpec{Repository: r.Repository, Tag: r.Tag, Digest: r.Digest}
	switch r.Host {
	case dobot.HostGHCR:
		spec.RegistryType, spec.Registry = godo.ImageSourceSpecRegistryType_Ghcr, r.Namespace
	case dobot.HostDOCR:
		spec.RegistryType = godo.ImageSourceSpecRegistryType_DOCR
	default:
		spec.RegistryType, spec.Registry = godo.ImageSourceSpecRegistryType_DockerHub, r.Namespace
	}
	return spec
}

package apps

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/digitalocean/godo"

	"dobot/internal/regtest"
)

// Why a deployment of an image fails after its build, as App Platform
// reports it on the component's "wait" step of the deploy stage. The
// wording follows DigitalOcean's own: its support article "My app
// deployment failed because of a health check" says App Platform checks
// the component on its http_port (8080 by default) and fails the deploy
// when nothing answers there; the step reason carries the Kubernetes
// readiness-probe text its deploy logs show. The codes are this server's
// choice: the public description lists no reason codes.
const (
	reasonHealthCheck = "DeployHealthChecksFailed"
	reasonPull        = "DeployImagePullFailed"
)

// stepReason is a failed step's reason.
type stepReason struct{ code, message string }

// imageHost is the registry host an image source pulls from, and the
// repository path there.
func imageHost(img *godo.ImageSourceSpec, registryName string) (host, path string) {
	switch img.RegistryType {
	case godo.ImageSourceSpecRegistryType_Ghcr:
		host = regtest.HostGHCR
	case godo.ImageSourceSpecRegistryType_DOCR:
		// The account's own registry: the spec names only the repository.
		return regtest.HostDOCR, registryName + "/" + img.Repository
	default:
		host = regtest.HostDockerHub
	}
	if img.Registry == "" {
		return host, img.Repository
	}
	return host, img.Registry + "/" + img.Repository
}

// deployFailure is why App Platform could not start svc, or nil: the image
// is not in the catalogue (the pull fails), is private and the spec has no
// registry_credentials, has no linux/amd64 variant, or listens on another
// port than the spec's http_port (default 8080), so the health check finds
// nothing there. An image that listens on $PORT passes on any http_port.
//
// A DOCR image outside the catalogue is known when the account's registry
// here has its repository (pushed with PushImage); it listens on $PORT.
func deployFailure(svc *godo.AppServiceSpec, registryName string, docrHas func(repo string) bool) *stepReason {
	img := svc.Image
	if img == nil {
		return nil
	}
	host, path := imageHost(img, registryName)
	ref := host + "/" + path
	if img.Digest != "" {
		ref += "@" + img.Digest
	} else {
		tag := img.Tag
		if tag == "" {
			tag = "latest"
		}
		ref += ":" + tag
	}
	pull := func(why string) *stepReason {
		return &stepReason{reasonPull, fmt.Sprintf("Failed to pull image %s: %s", ref, why)}
	}
	e, ok := regtest.Lookup(host, path)
	if !ok && host == regtest.HostDOCR && docrHas(img.Repository) {
		e, ok = regtest.Entry{Host: host, Path: path}, true
	}
	switch {
	case !ok:
		return pull("manifest unknown: repository or tag not found")
	case e.Private && host != regtest.HostDOCR && img.RegistryCredentials == "":
		return pull("unauthorized: authentication required (the spec has no registry_credentials)")
	case len(e.Platforms) > 0 && !contains(e.Platforms, "linux/amd64"):
		return pull("no matching manifest for linux/amd64 in the manifest list entries")
	}
	port := svc.HTTPPort
	if port == 0 {
		port = 8080
	}
	if e.Listen != 0 && int64(e.Listen) != port {
		return &stepReason{reasonHealthCheck, fmt.Sprintf(
			"Your deploy failed because your container failed health checks: Readiness probe failed: dial tcp 10.244.0.17:%d: connect: connection refused (the container listens on port %d; the spec's http_port is %d)",
			port, e.Listen, port)}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// sealCredentials stands in for App Platform's encryption of
// registry_credentials: "The value will be encrypted on first submission.
// On following submissions, the encrypted value should be used." The spec
// the server keeps and serves holds an opaque EV[…] value, never the
// token; a value already sealed is kept as it is.
func sealCredentials(spec *godo.AppSpec) {
	for _, svc := range spec.Services {
		if img := svc.Image; img != nil && img.RegistryCredentials != "" && !strings.HasPrefix(img.RegistryCredentials, "EV[") {
			sum := sha256.Sum256([]byte(img.RegistryCredentials))
			img.RegistryCredentials = "EV[1:" + hex.EncodeToString(sum[:12]) + "]"
		}
	}
}

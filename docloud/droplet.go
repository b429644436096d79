package docloud

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/digitalocean/godo"
)

// TagManaged marks every droplet the bot creates, so that its droplets can
// be found again if the store is lost (DECISIONS.md).
const TagManaged = "dobot"

// DefaultDropletPort is the container port a droplet maps when neither
// --port nor the image's pre-flight check gave one: App Platform's
// default, which it also sends as PORT.
const DefaultDropletPort = 8080

// pullCredentialLife is how long the read-only registry credentials in a
// droplet's user data work: long enough to boot and pull.
const pullCredentialLife = 3600

// PullCredentials asks DigitalOcean's registry for a Docker config.json
// with fresh, read-only credentials that expire within the hour, for a
// droplet to pull from registry.digitalocean.com. They are a secret: they
// belong in the droplet's user data only.
func PullCredentials(ctx context.Context, svc godo.RegistryService) ([]byte, error) {
	life := pullCredentialLife
	creds, _, err := svc.DockerCredentials(ctx, &godo.RegistryDockerCredentialsRequest{ReadWrite: false, ExpirySeconds: &life})
	if err != nil {
		return nil, err
	}
	return creds.DockerConfigJSON, nil
}

// dockerConfigPath is where docker reads registry credentials as root.
const dockerConfigPath = "/root/.docker/config.json"

// OwnerTag marks a droplet with the Slack user who launched it, so it can
// be found again if the store is lost.
func OwnerTag(user string) string { return "dobot-owner-" + strings.ToLower(user) }

// EnvFilePath is where a droplet keeps its container's environment: a
// root-only file, so that values never appear on a command line (where ps
// and /proc/*/cmdline show them to every user) or in cloud-init's logs of
// runcmd.
func EnvFilePath(name string) string { return "/etc/dobot/" + name + ".env" }

// Container is what a droplet runs: one container, named Name, from Image
// (a full reference, pinned to a digest when one is known), with Port
// mapped to port 80 and Env in its environment.
type Container struct {
	Name  string
	Image string
	Port  int // 0: DefaultDropletPort
	Env   [][2]string
	// DockerConfig, when not nil, is a Docker config.json with
	// short-lived read-only credentials for DigitalOcean's registry: it is
	// written for the pull and removed once the container has started.
	DockerConfig []byte
}

// CloudInit is the user data that runs c once Docker is up. Files go
// through write_files, base64-encoded and mode 0600 owned by root;
// runcmd's list form runs docker without a shell, so values need no
// quoting.
func CloudInit(c Container) string {
	port := c.Port
	if port == 0 {
		port = DefaultDropletPort
	}
	var b strings.Builder
	b.WriteString("#cloud-config\n# written by dobot\n")
	writeFiles(&b, c)
	cmd := []string{"docker", "run", "-d", "--restart", "unless-stopped", "--name", c.Name, "-p", fmt.Sprintf("80:%d", port)}
	if len(c.Env) > 0 {
		cmd = append(cmd, "--env-file", EnvFilePath(c.Name))
	}
	if !hasEnvKey(c.Env, "PORT") {
		// App Platform tells a container its port in PORT; a droplet must
		// too, or images that listen on $PORT pick their own default.
		cmd = append(cmd, "-e", fmt.Sprintf("PORT=%d", port))
	}
	cmd = append(cmd, c.Image)
	raw, _ := json.Marshal(cmd) // a JSON array is a YAML flow sequence
	b.WriteString("runcmd:\n  - " + string(raw) + "\n")
	if c.DockerConfig != nil {
		rm, _ := json.Marshal([]string{"rm", "-f", dockerConfigPath})
		b.WriteString("  - " + string(rm) + "\n")
	}
	return b.String()
}

// writeFiles writes the write_files section: the environment file and the
// registry credentials, when there are any.
func writeFiles(b *strings.Builder, c Container) {
	type file struct {
		path    string
		content []byte
	}
	var files []file
	if len(c.Env) > 0 {
		var env strings.Builder
		for _, kv := range c.Env {
			env.WriteString(kv[0] + "=" + kv[1] + "\n")
		}
		files = append(files, file{EnvFilePath(c.Name), []byte(env.String())})
	}
	if c.DockerConfig != nil {
		files = append(files, file{dockerConfigPath, c.DockerConfig})
	}
	if len(files) == 0 {
		return
	}
	b.WriteString("write_files:\n")
	for _, f := range files {
		fmt.Fprintf(b, "  - path: %s\n    owner: root:root\n    permissions: '0600'\n    encoding: b64\n    content: %s\n",
			f.path, base64.StdEncoding.EncodeToString(f.content))
	}
}

// hasEnvKey reports whether env sets key.
func hasEnvKey(env [][2]string, key string) bool {
	for _, kv := range env {
		if kv[0] == key {
			return true
		}
	}
	return false
}

// FindOwnDroplet finds the droplet called name that a launch by owner
// created at or after after, by the owner's tag: for a launch resumed after
// a restart, or a create whose answer was lost. It returns nil when there
// is none or DigitalOcean cannot say.
func FindOwnDroplet(ctx context.Context, droplets godo.DropletsService, owner, name string, after time.Time) *godo.Droplet {
	ds, _, err := droplets.ListByTag(ctx, OwnerTag(owner), &godo.ListOptions{Page: 1, PerPage: 200})
	if err != nil {
		return nil
	}
	for i, d := range ds {
		created, _ := time.Parse(time.RFC3339, d.Created)
		if d.Name == name && !created.Before(after) {
			return &ds[i]
		}
	}
	return nil
}

// Retryable reports whether a failed request may have been lost or
// throttled rather than refused.
func Retryable(err error) bool {
	var de *godo.ErrorResponse
	if errors.As(err, &de) && de.Response != nil {
		return de.Response.StatusCode == http.StatusTooManyRequests || de.Response.StatusCode >= 500
	}
	return true // no answer at all
}

// IsNotFound reports whether DigitalOcean answered 404.
func IsNotFound(err error) bool { return status(err) == http.StatusNotFound }

// IsConflict reports whether DigitalOcean answered 409 Conflict.
func IsConflict(err error) bool { return status(err) == http.StatusConflict }

func status(err error) int {
	var de *godo.ErrorResponse
	if errors.As(err, &de) && de.Response != nil {
		return de.Response.StatusCode
	}
	return 0
}

// DropletPhase names a droplet's status as a deployment phase, so that
// droplet launches share the launch card's phases.
func DropletPhase(status string) string {
	switch status {
	case "new":
		return "DROPLET_NEW"
	case "active":
		// The droplet runs; whether the container started, the API
		// cannot tell.
		return "DROPLET_ACTIVE"
	case "off":
		return "DROPLET_OFF"
	}
	return strings.ToUpper(status)
}

package commands_test

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dobot"
	"dobot/commands"
	"dobot/internal/dotest"
)

func dropletHarness(t *testing.T, image string) *harness {
	t.Helper()
	h := newHarnessWith(t, commands.Config{Region: "nyc3", DropletImage: image}, dotest.Options{Token: "tok", PhaseDelay: 20 * time.Millisecond}, nil)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	return h
}

// fields is every card field value the bot sent.
func (c *recordingChat) fieldText() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for _, s := range c.sent {
		b.WriteString(s.Msg.Title + "\n" + s.Msg.Text + "\n")
		for _, f := range s.Msg.Fields {
			b.WriteString(f.Label + ": " + f.Value + "\n")
		}
	}
	return b.String()
}

func (h *harness) waitDroplet(t *testing.T) dotest.DropletCreate {
	t.Helper()
	waitFor(t, "a droplet create", func() bool { return len(h.do.DropletCreates()) > 0 })
	return h.do.DropletCreates()[0]
}

// With DO_DROPLET_IMAGE unset the droplet runs on docker-24-04, which the
// card names; env values go in a root-only file read with --env-file, never
// on the command line; the port is mapped to 8080 when none is known.
func TestDropletDefaultImageEnvFileAndPort(t *testing.T) {
	h := dropletHarness(t, "")
	h.run("UDEP", "launch box --droplet --image nginx --env MODE=prod --env DB_PASSWORD=hunter2")
	c := h.waitDroplet(t)
	if c.Image != "docker-24-04" {
		t.Errorf("droplet image = %s; want docker-24-04", c.Image)
	}
	if strings.Contains(c.UserData, "hunter2") || strings.Contains(c.UserData, "MODE=prod") {
		t.Errorf("user data carries env values in the clear:\n%s", c.UserData)
	}
	envFile := base64.StdEncoding.EncodeToString([]byte("MODE=prod\nDB_PASSWORD=hunter2\n"))
	for _, want := range []string{"path: /etc/dobot/box.env", "permissions: '0600'", "owner: root:root", "encoding: b64", "content: " + envFile,
		`"--env-file","/etc/dobot/box.env"`, `"-p","80:80"`} {
		if !strings.Contains(c.UserData, want) {
			t.Errorf("user data lacks %s:\n%s", want, c.UserData)
		}
	}
	waitFor(t, "the droplet to be up", func() bool {
		return strings.Contains(h.chat.fieldText(), "droplet active, container start not checked")
	})
	if text := h.chat.fieldText(); !strings.Contains(text, "droplet image docker-24-04") || strings.Contains(text, " is live") {
		t.Errorf("cards = %s; want the image named and no claim that the container is live", text)
	}
}

// Without docker-24-04 the newest docker- application image is used, and
// the card says so.
func TestDropletNewestDockerImage(t *testing.T) {
	h := dropletHarness(t, "")
	h.do.RemoveImage("docker-24-04")
	h.run("UDEP", "launch box --droplet --image nginx")
	if c := h.waitDroplet(t); c.Image != "docker-20-04" {
		t.Errorf("droplet image = %s; want docker-20-04, the newest Docker image left", c.Image)
	}
	if !strings.Contains(h.chat.fieldText(), "newest Docker image") {
		t.Errorf("cards do not say the image was the newest Docker one: %s", h.chat.fieldText())
	}
}

// A DO_DROPLET_IMAGE that DigitalOcean does not list is refused before
// anything is created.
func TestDropletImageSettingNotFound(t *testing.T) {
	h := dropletHarness(t, "docker-18-04")
	out := h.run("UDEP", "launch box --droplet --image nginx")
	if !strings.Contains(out, "DO_DROPLET_IMAGE is docker-18-04") || !strings.Contains(out, "Nothing was created") {
		t.Errorf("launch = %q; want a refusal naming DO_DROPLET_IMAGE", out)
	}
	for _, r := range h.do.Requests() {
		if r.Method == "POST" {
			t.Errorf("refused launch sent POST %s", r.Path)
		}
	}
}

// A DOCR image is pulled with short-lived read-only credentials that live
// only in the droplet's user data: not in the database, the messages or the
// operation's arguments.
func TestDropletDOCRCredentials(t *testing.T) {
	h := dropletHarness(t, "")
	h.do.AddRegistry("acme", "nyc3")
	h.pushDOCR(t, "acme", "api", "2")
	h.run("UDEP", "launch box --droplet --image registry.digitalocean.com/acme/api:2")
	c := h.waitDroplet(t)
	var credReq *dotest.Request
	for _, r := range h.do.Requests() {
		if r.Route == "GET /v2/registry/docker-credentials" {
			credReq = &r
		}
	}
	if credReq == nil || !strings.Contains(credReq.Query, "expiry_seconds=") || strings.Contains(credReq.Query, "read_write=true") {
		t.Fatalf("docker credentials request = %+v; want read-only with an expiry", credReq)
	}
	for _, want := range []string{"path: /root/.docker/config.json", `["rm","-f","/root/.docker/config.json"]`} {
		if !strings.Contains(c.UserData, want) {
			t.Errorf("user data lacks %s:\n%s", want, c.UserData)
		}
	}
	secrets := h.do.DockerSecrets()
	if len(secrets) != 1 {
		t.Fatalf("docker secrets handed out = %d; want 1", len(secrets))
	}
	waitFor(t, "the droplet to be up", func() bool { return strings.Contains(h.chat.fieldText(), "droplet active") })
	if strings.Contains(h.chat.fieldText(), secrets[0]) {
		t.Errorf("a message carries the registry credentials")
	}
	h.stop() // the launch's last audit rows are written after "droplet active"
	h.db.Close()
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(h.dbPath), "*"))
	for _, f := range matches {
		raw, _ := os.ReadFile(f)
		auth := base64.StdEncoding.EncodeToString([]byte("dobot-read-3600:" + secrets[0]))
		if bytes.Contains(raw, []byte(secrets[0])) || bytes.Contains(raw, []byte(auth)) {
			t.Errorf("%s holds the registry credentials", f)
		}
	}
}

// When DigitalOcean will not give registry credentials, a DOCR droplet
// launch fails with a clear message and creates nothing.
func TestDropletDOCRCredentialsRefused(t *testing.T) {
	h := dropletHarness(t, "")
	h.do.AddRegistry("acme", "nyc3")
	h.pushDOCR(t, "acme", "api", "2")
	h.do.Fault("GET /v2/registry/docker-credentials", 403, 1)
	h.run("UDEP", "launch box --droplet --image registry.digitalocean.com/acme/api:2")
	waitFor(t, "the failure", func() bool { return strings.Contains(h.chat.fieldText(), "could not get read-only credentials") })
	if n := len(h.do.DropletCreates()); n != 0 {
		t.Errorf("%d droplets created without registry credentials", n)
	}
}

// A droplet's card names the container's port and where it came from in
// the droplet's own terms (App Platform plays no part), and says that the
// droplet serves it on its port 80: --port wins, else the image's port,
// else the bot's 8080, which the container is told in PORT.
func TestDropletPortWording(t *testing.T) {
	tests := []struct {
		cmd, publish, card, note string
	}{
		{"launch box --droplet --image nginx", `"-p","80:80","-e","PORT=80"`,
			"Runs on: Droplet (Docker), port 80 (from the image)",
			"Note: the droplet forwards its port 80 to the container's port 80 and sets PORT=80\n"},
		{"launch box --droplet --image acme/noports", `"-p","80:8080","-e","PORT=8080"`,
			"Runs on: Droplet (Docker), port 8080 (the bot's default for droplets; the image exposes none)",
			"Note: the droplet forwards its port 80 to the container's port 8080 and sets PORT=8080; if the app listens on another port, launch it with --port\n"},
		{"launch box --droplet --image acme/noports --port 3000", `"-p","80:3000","-e","PORT=3000"`,
			"Runs on: Droplet (Docker), port 3000 (set with --port)",
			"Note: the droplet forwards its port 80 to the container's port 3000 and sets PORT=3000\n"},
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			h := dropletHarness(t, "")
			h.run("UDEP", tt.cmd)
			if c := h.waitDroplet(t); !strings.Contains(c.UserData, tt.publish) {
				t.Errorf("user data lacks %s:\n%s", tt.publish, c.UserData)
			}
			waitFor(t, "the droplet's card", func() bool { return strings.Contains(h.chat.fieldText(), tt.card) })
			if text := h.chat.fieldText(); !strings.Contains(text, tt.note) || strings.Contains(text, "App Platform") {
				t.Errorf("cards = %s; want %q and no mention of App Platform", text, tt.note)
			}
		})
	}
}

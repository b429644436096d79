package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/digitalocean/godo"

	"dobot/internal/dotest"
	"dobot/internal/regtest"
	"dobot/store"
)

// createSpec is the spec of the bot's only POST /v2/apps.
func (w *world) createSpec() *godo.AppSpec {
	w.t.Helper()
	bodies := w.requestBodies("POST /v2/apps")
	if len(bodies) != 1 {
		w.t.Fatalf("POST /v2/apps sent %d times; want 1", len(bodies))
	}
	var req godo.AppCreateRequest
	if err := json.Unmarshal([]byte(bodies[0]), &req); err != nil {
		w.t.Fatal(err)
	}
	return req.Spec
}

// TestLaunchNginxUsesTheImagePort is the README's first example: nginx
// listens on 80, so a launch that leaves http_port to App Platform's 8080
// fails its health check. The pre-flight check reads port 80 from the
// image, sends it, shows it and the digest on the card, and stores the
// digest.
func TestLaunchNginxUsesTheImagePort(t *testing.T) {
	w := newWorld(t)
	head := w.launchLive("demo", "nginx")
	svc := w.createSpec().Services[0]
	digest := w.reg.Digest("docker.io/library/nginx:latest")
	if svc.HTTPPort != 80 || svc.Image.Digest != digest || svc.Image.Tag != "" {
		t.Errorf("create service = %+v (image %+v); want http_port 80 and the digest %s", svc, svc.Image, digest)
	}
	card := string(w.slack.Latest(channel, head.TS).Blocks)
	for _, want := range []string{"port 80 (from the image)", digest} {
		if !strings.Contains(card, want) {
			t.Errorf("launch card lacks %q: %s", want, card)
		}
	}
	w.run(viewer, "status demo")
	w.waitMessage("status naming the digest", func(m slacktestMessage) bool {
		return m.Method == "chat.postEphemeral" && strings.HasPrefix(m.Text, "demo: ") && strings.Contains(string(m.Blocks), digest)
	})

	w.stop(sigterm, stopBudget)
	db, err := store.Open(context.Background(), w.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if app, err := db.App(context.Background(), "demo"); err != nil || app.ImageDigest != digest {
		t.Errorf("stored app = %+v, %v; want digest %s", app, err, digest)
	}
}

// TestPortRule: several exposed ports give the lowest, named on the card;
// none gives 8080 in DECISIONS.md's words, with App Platform's PORT note;
// --port wins.
func TestPortRule(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		app, cmd string
		port     int64
		card     []string
	}{
		{"multi", "launch multi --image acme/multi:1.0", 80, []string{"the lowest of the ports the image exposes: 80, 443, 9090"}},
		{"plain", "launch plain --image acme/noports", 8080, []string{"port 8080 (App Platform default; the image exposes none)",
			"App Platform sends traffic and health checks to port 8080 and sets PORT=8080; if the app listens on another port, launch it with --port"}},
		{"chosen", "launch chosen --image acme/noports --port 3000", 3000, []string{"port 3000 (set with --port)"}},
	}
	for i, tt := range tests {
		w.run(deployer, tt.cmd)
		head := w.launchHead(tt.app)
		w.waitThread(head.TS, "is live at https://")
		var req godo.AppCreateRequest
		bodies := w.requestBodies("POST /v2/apps")
		if len(bodies) != i+1 || json.Unmarshal([]byte(bodies[i]), &req) != nil || req.Spec.Services[0].HTTPPort != tt.port {
			t.Errorf("%s: create body = %s; want http_port %d", tt.cmd, bodies[i], tt.port)
		}
		for _, want := range tt.card {
			if card := string(head.Blocks); !strings.Contains(card, want) {
				t.Errorf("%s: card lacks %q: %s", tt.cmd, want, card)
			}
		}
	}
}

// refused checks that a launch was refused before DigitalOcean or the
// channel heard of it.
func (w *world) refused(user, cmd, want string) {
	w.t.Helper()
	before, posts := len(w.do.Requests()), w.channelPosts()
	w.run(user, cmd)
	w.waitEphemeral(user, want)
	if made := commandRequests(w.do.Requests()[before:]); len(made) != 0 {
		w.t.Errorf("%s: %d DigitalOcean requests (%v); want none", cmd, len(made), made)
	}
	if n := w.channelPosts(); n != posts {
		w.t.Errorf("%s: %d channel posts; want none", cmd, n-posts)
	}
}

// commandRequests leaves out the reads the deployment watcher may still
// make for an app that just went live: they are not the command's.
func commandRequests(reqs []dotest.Request) []dotest.Request {
	var out []dotest.Request
	for _, r := range reqs {
		if r.Route != "GET /v2/apps/{id}" && r.Route != "GET /v2/apps" {
			out = append(out, r)
		}
	}
	return out
}

func (w *world) channelPosts() int {
	n := 0
	for _, m := range w.slack.Messages() {
		if m.Method == "chat.postMessage" && m.Channel == channel {
			n++
		}
	}
	return n
}

func TestPreflightRefusesBadImages(t *testing.T) {
	w := newWorld(t)
	w.refused(deployer, "launch typo --image nginx:1.999", "docker.io/library/nginx:1.999 was not found")
	w.refused(deployer, "launch arm --image acme/arm-only:1.0", "has no linux/amd64 image (it has linux/arm64)")
	w.refused(deployer, "launch secret --image ghcr.io/acme/private:1.0", "BOT_REGISTRY_CREDENTIALS=ghcr.io=USER:TOKEN")
	w.refused(deployer, "launch arm --droplet --image acme/arm-only:1.0", "linux/amd64")
	// No approval is asked for an image that cannot run.
	w.run(admin, "policy launch --app 'prod-*' --approval yes")
	w.waitEphemeral(admin, "Policy for launch on apps matching prod-* is now")
	w.refused(deployer, "launch prod-web --image nginx:1.999", "was not found")
	w.launchLive("web", "nginx")
	w.refused(deployer, "redeploy web --image nginx:1.999", "was not found")
	if n := w.do.Count("PUT /v2/apps/{id}"); n != 0 {
		t.Errorf("a redeploy of a missing tag updated the app %d times", n)
	}
}

// TestPrivateImageWithCredentials: the credentials reach App Platform in
// registry_credentials, on create and on a redeploy's update, and nowhere
// else: not the logs, Slack, or the database file.
func TestPrivateImageWithCredentials(t *testing.T) {
	secret := regtest.PrivateToken
	w := newWorld(t, withEnv("BOT_REGISTRY_CREDENTIALS=ghcr.io="+regtest.PrivateUser+":"+secret))
	w.launchLive("secret", "ghcr.io/acme/private:1.0")
	img := w.createSpec().Services[0].Image
	if img.RegistryCredentials != regtest.PrivateUser+":"+secret {
		t.Errorf("create image = %+v; want the credentials from BOT_REGISTRY_CREDENTIALS", img)
	}
	w.run(deployer, "redeploy secret --image ghcr.io/acme/private:latest")
	w.waitLiveReplies(2)
	put := w.requestBodies("PUT /v2/apps/{id}")
	if len(put) != 1 || !strings.Contains(put[0], `"registry_credentials":"`+regtest.PrivateUser+":"+secret+`"`) {
		t.Errorf("update bodies = %v; want the credentials", put)
	}

	w.stop(sigterm, stopBudget)
	for where, text := range map[string]string{"bot log": w.logs.String(), "database file": readFile(t, w.dbPath)} {
		if strings.Contains(text, secret) {
			t.Errorf("%s contains the registry token", where)
		}
	}
	for _, m := range w.slack.Messages() {
		if strings.Contains(m.Text, secret) || strings.Contains(string(m.Blocks), secret) {
			t.Errorf("Slack message %s contains the registry token", m.Method)
		}
	}
	if b, err := os.ReadFile(w.dbPath); err == nil && strings.Contains(string(b), secret) {
		t.Error("database file contains the registry token")
	}
}

// TestRegistryTimeoutDoesNotBlock: a registry that never answers costs a
// few seconds and a warning on the card; the launch goes ahead on 8080.
func TestRegistryTimeoutDoesNotBlock(t *testing.T) {
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hang.Close)
	w := newWorld(t)
	w.kill()
	w.env = append(w.env, "BOT_REGISTRY_MIRRORS=docker.io="+hang.URL)
	w.start()
	head := w.launchLive("quiet", "acme/noports")
	if card := string(w.slack.Latest(channel, head.TS).Blocks); !strings.Contains(card, "Could not check docker.io/acme/noports:latest") {
		t.Errorf("card lacks the warning: %s", card)
	}
	if svc := w.createSpec().Services[0]; svc.HTTPPort != 8080 || svc.Image.Tag != "latest" || svc.Image.Digest != "" {
		t.Errorf("create service = %+v (image %+v); want port 8080 and the tag, unpinned", svc, svc.Image)
	}
}

// readmeCommand finds the /do launch and /do redeploy examples in the
// README's inline code.
var readmeCommand = regexp.MustCompile("`(?:printf ')?/do ((?:launch|redeploy) [^`'\\\\]+)")

// TestREADMEExamplesGoLive runs every launch and redeploy example of the
// README, as written there, against the strict test servers: each reaches
// "is live". A redeploy example first gets its app from a plain launch.
func TestREADMEExamplesGoLive(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var examples []string
	for _, m := range readmeCommand.FindAllStringSubmatch(string(raw), -1) {
		cmd := strings.TrimSpace(m[1])
		if !seen[cmd] && !strings.Contains(cmd, "[") && !strings.Contains(cmd, "NAME") {
			seen[cmd] = true
			examples = append(examples, cmd)
		}
	}
	if len(examples) < 3 {
		t.Fatalf("found only %d examples in README.md: %v", len(examples), examples)
	}
	for _, cmd := range examples {
		t.Run(cmd, func(t *testing.T) {
			w := newWorld(t, withPhaseDelay(150*1e6))
			app := strings.Fields(cmd)[1]
			if strings.HasPrefix(cmd, "redeploy ") {
				w.launchLive(app, "nginx")
				w.run(deployer, cmd)
				w.waitLiveReplies(2)
				return
			}
			w.run(deployer, cmd)
			head := w.launchHead(app)
			w.waitThread(head.TS, "is live at https://")
		})
	}
}

// TestRedeployFollowsTheNewImagePort: an app moved to an image that does
// not listen on its http_port gets the new image's port, or App Platform's
// health check fails it.
func TestRedeployFollowsTheNewImagePort(t *testing.T) {
	w := newWorld(t)
	w.launchLive("web", "ghcr.io/acme/web:1.2.3")
	if p := w.createSpec().Services[0].HTTPPort; p != 8080 {
		t.Fatalf("launch http_port = %d; want 8080 from the image", p)
	}
	w.run(deployer, "redeploy web --image nginx:1.27")
	w.waitLiveReplies(2)
	put := w.requestBodies("PUT /v2/apps/{id}")
	if len(put) != 1 || !strings.Contains(put[0], `"http_port":80`) {
		t.Fatalf("update bodies = %v; want http_port 80", put)
	}
	card := w.waitMessage("redeploy card", func(m slacktestMessage) bool {
		return m.Method == "chat.postMessage" && m.ThreadTS == "" && strings.Contains(m.Text, "redeploy on web")
	})
	for _, want := range []string{w.reg.Digest("docker.io/library/nginx:1.27"), "80 (was 8080; from the image)"} {
		if !strings.Contains(string(card.Blocks), want) {
			t.Errorf("redeploy card lacks %q: %s", want, card.Blocks)
		}
	}
}

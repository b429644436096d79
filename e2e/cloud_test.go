package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"golang.org/x/oauth2"
)

// requestBodies returns the bodies of every request to route.
func (w *world) requestBodies(route string) []string {
	var out []string
	for _, r := range w.do.Requests() {
		if r.Route == route {
			out = append(out, string(r.Body))
		}
	}
	return out
}

// waitUntil waits until cond holds, checking every 20 ms for 30 s.
func (w *world) waitUntil(what string, cond func() bool) {
	w.t.Helper()
	// Generous: a condition met returns at once, and CI runs every package
	// at the same time on two cores under the race detector.
	deadline := time.Now().Add(90 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			w.t.Fatalf("waiting for %s: gave up\n%s", what, w.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitCount waits until route has been called n times.
func (w *world) waitCount(route string, n int) {
	w.t.Helper()
	w.waitUntil(fmt.Sprintf("%d calls of %s", n, route), func() bool { return w.do.Count(route) >= n })
}

func TestDropletLaunchStatusActionsAndTeardown(t *testing.T) {
	w := newWorld(t)
	w.run(deployer, "launch box --droplet --image ghcr.io/acme/api:2 --port 8080 --env MODE=prod --size s-1vcpu-1gb")
	head := w.launchHead("box")
	if !strings.Contains(unescapeJSON(head.Blocks), "$6.00/month") {
		t.Errorf("droplet launch card shows no cost from the price list: %s", head.Blocks)
	}
	w.waitThread(head.TS, "droplet active, container start not checked")
	creates := w.do.DropletCreates()
	if len(creates) != 1 {
		t.Fatalf("droplet creates = %d; want 1", len(creates))
	}
	c := creates[0]
	if c.Image != "docker-24-04" || c.Region != "nyc3" || c.Size != "s-1vcpu-1gb" {
		t.Errorf("droplet create = %+v; want the Docker image on Ubuntu 24.04 in nyc3, size s-1vcpu-1gb", c)
	}
	if strings.Join(c.Tags, ",") != "dobot,dobot-owner-"+strings.ToLower(deployer) {
		t.Errorf("droplet tags = %v; want dobot and the owner tag", c.Tags)
	}
	for _, want := range []string{"#cloud-config", `"docker","run"`, `"80:8080"`, `"--env-file","/etc/dobot/box.env"`, `"PORT=8080"`, "permissions: '0600'", `"ghcr.io/acme/api@sha256:`} {
		if !strings.Contains(c.UserData, want) {
			t.Errorf("user data lacks %s:\n%s", want, c.UserData)
		}
	}
	if strings.Contains(c.UserData, "MODE=prod") {
		t.Errorf("user data puts an env value on the command line:\n%s", c.UserData)
	}

	w.run(viewer, "status box")
	if st := w.waitEphemeral(viewer, "box"); !strings.Contains(unescapeJSON(st.Blocks), "203.0.113.") || !strings.Contains(unescapeJSON(st.Blocks), permalinkOf(head.TS)) {
		t.Errorf("droplet status = %s; want its address and the launch thread's link", st.Blocks)
	}
	w.run(deployer, "droplet reboot box")
	w.waitMessage("reboot completed", func(m slacktestMessage) bool { return strings.Contains(m.Text, "reboot of box completed") })
	w.run(deployer, "droplet power-off box")
	w.waitMessage("power off completed", func(m slacktestMessage) bool { return strings.Contains(m.Text, "power off of box completed") })

	w.run(deployer, "teardown box")
	card := w.approvalCard("teardown box")
	w.click(approver, card, "approve")
	w.waitThread(card.TS, "Deleted box")
	if n := w.do.Count("DELETE /v2/droplets/{droplet_id}"); n != 1 {
		t.Errorf("droplet DELETE sent %d times; want 1", n)
	}
}

func TestDropletLimitReached(t *testing.T) {
	w := newWorld(t)
	w.do.DropletLimit(0)
	w.run(deployer, "launch box --droplet --image nginx")
	head := w.launchHead("box")
	m := w.waitThread(head.TS, "Could not create droplet")
	if !strings.Contains(m.Text, "droplet limit") || !strings.Contains(m.Text, "request id") {
		t.Errorf("failure = %q; want DigitalOcean's droplet-limit message and request id", m.Text)
	}
}

func TestRegistryLifecycleAndDOCRLaunch(t *testing.T) {
	w := newWorld(t)
	w.run(viewer, "registry")
	w.waitEphemeral(viewer, "no container registry")
	w.run(deployer, "registry create acme")
	w.waitEphemeral(deployer, "needs the admin role")
	w.run(admin, "registry create acme")
	w.waitMessage("registry created", func(m slacktestMessage) bool { return strings.Contains(m.Text, "Created registry acme in nyc3") })
	if body := w.requestBodies("POST /v2/registry"); len(body) != 1 || !strings.Contains(body[0], `"subscription_tier_slug":"starter"`) {
		t.Errorf("registry create bodies = %v; want one with the starter tier", body)
	}
	w.pushDOCR("acme", "web", "1.0", "8080/tcp")
	w.run(viewer, "registry repos")
	w.waitEphemeral(viewer, "`web`")
	w.run(viewer, "registry repos web")
	w.waitEphemeral(viewer, "`1.0`")

	// A missing tag is caught before anything is created.
	w.run(deployer, "launch web --image registry.digitalocean.com/acme/web:2.0")
	w.waitEphemeral(deployer, "no tag 2.0")
	if n := w.do.Count("POST /v2/apps"); n != 0 {
		t.Fatalf("a launch of a missing tag created %d apps", n)
	}
	w.launchLive("web", "registry.digitalocean.com/acme/web:1.0")
	var create godo.AppCreateRequest
	_ = json.Unmarshal([]byte(w.requestBodies("POST /v2/apps")[0]), &create)
	digest := w.reg.Digest("registry.digitalocean.com/acme/web:1.0")
	if img := create.Spec.Services[0].Image; img.RegistryType != "DOCR" || img.Registry != "" || img.Repository != "web" || img.Digest != digest || img.Tag != "" {
		t.Errorf("DOCR image spec = %+v; want DOCR, no registry, repository web, the digest of tag 1.0 (%s)", img, digest)
	}

	w.run(admin, "registry gc")
	w.waitMessage("gc finished", func(m slacktestMessage) bool { return strings.Contains(m.Text, "Garbage collection of acme finished") })

	w.run(admin, "registry delete --reason 'moving to ghcr'")
	card := w.approvalCard("delete the registry")
	w.click(approver, card, "approve")
	w.waitThread(card.TS, "Deleted registry acme")
	if n := w.do.Count("DELETE /v2/registries/{registry_name}"); n != 1 {
		t.Errorf("registry DELETE sent %d times; want 1", n)
	}
}

func TestRedeployRollbackAndDryRun(t *testing.T) {
	w := newWorld(t)
	w.launchLive("web", "nginx:1.26")

	w.run(deployer, "redeploy web --image nginx:1.27 --dry-run")
	w.waitEphemeral(deployer, "Dry run of redeploy web")
	if n := w.do.Count("PUT /v2/apps/{id}"); n != 0 {
		t.Fatalf("dry run updated the app %d times", n)
	}

	w.run(deployer, "redeploy web --image nginx:1.27")
	w.waitLiveReplies(2)
	put := w.requestBodies("PUT /v2/apps/{id}")
	if d := w.reg.Digest("docker.io/library/nginx:1.27"); len(put) != 1 || !strings.Contains(put[0], `"digest":"`+d+`"`) || !strings.Contains(put[0], `"http_port":80`) {
		t.Fatalf("update bodies = %v; want the spec with nginx:1.27's digest %s on port 80", put, d)
	}

	w.run(deployer, "redeploy web")
	w.waitLiveReplies(3)
	if b := w.requestBodies("POST /v2/apps/{app_id}/deployments"); len(b) != 1 || !strings.Contains(b[0], `"force_build":true`) {
		t.Errorf("forced redeploy bodies = %v; want one with force_build", b)
	}

	w.run(deployer, "rollback web")
	w.waitLiveReplies(4)
	if n := w.do.Count("POST /v2/apps/{app_id}/rollback/validate"); n != 1 {
		t.Errorf("rollback validated %d times; want 1", n)
	}
	rb := w.requestBodies("POST /v2/apps/{app_id}/rollback")
	if len(rb) != 1 || !strings.Contains(rb[0], `"skip_pin":true`) {
		t.Errorf("rollback bodies = %v; want one with skip_pin", rb)
	}
	// The rollback card names the exact image it goes back to.
	rollbackCard := w.waitMessage("rollback card", func(m slacktestMessage) bool {
		return m.ThreadTS == "" && strings.Contains(m.Text, "rollback") && strings.Contains(string(m.Blocks), "Back to image")
	})
	if !strings.Contains(string(rollbackCard.Blocks), "@sha256:") {
		t.Errorf("rollback card = %s; want the target image with its digest", rollbackCard.Blocks)
	}
}

// waitLiveReplies waits until n thread replies have said an app is live.
func (w *world) waitLiveReplies(n int) {
	w.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		live := 0
		for _, m := range w.slack.Messages() {
			if m.Method == "chat.postMessage" && m.ThreadTS != "" && strings.Contains(m.Text, "is live at") {
				live++
			}
		}
		if live >= n {
			return
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("%d live replies; want %d\nmessages:%s\n%s", live, n, dumpMessages(w.slack.Messages()), w.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRollbackNotPossible(t *testing.T) {
	w := newWorld(t)
	w.launchLive("web", "nginx")
	w.run(deployer, "rollback web")
	w.waitEphemeral(deployer, "nothing to roll back to")
	if n := w.do.Count("POST /v2/apps/{app_id}/rollback"); n != 0 {
		t.Errorf("impossible rollback sent %d rollbacks", n)
	}
}

func TestLogsSizesCostAndFailureLogs(t *testing.T) {
	w := newWorld(t)
	head := w.launchLive("web", "nginx")
	if !strings.Contains(unescapeJSON(w.slack.Latest(channel, head.TS).Blocks), "/month") {
		t.Errorf("launch card shows no monthly cost")
	}
	w.run(viewer, "logs web --type build --lines 20")
	w.waitEphemeral(viewer, "web build logs")
	w.run(viewer, "sizes")
	w.waitEphemeral(viewer, "apps-s-1vcpu-1gb")
	w.run(viewer, "sizes --droplet")
	w.waitEphemeral(viewer, "s-1vcpu-2gb")

	w.do.FailBuild("broken", "exit status 1: npm ERR! missing script: start")
	w.run(deployer, "launch bad --image acme/broken")
	bad := w.launchHead("bad")
	w.waitThread(bad.TS, "failed")
	w.waitMessage("failure log", func(m slacktestMessage) bool {
		return m.Method == "files.completeUploadExternal" && m.ThreadTS == bad.TS
	})
}

func TestExpiringEnvironments(t *testing.T) {
	w := newWorld(t)
	w.run(deployer, "launch demo --image nginx --ttl 12s")
	demo := w.launchHead("demo")
	w.waitThread(demo.TS, "is live")
	w.run(deployer, "launch keep --image nginx --ttl 12s")
	keep := w.launchHead("keep")
	w.waitThread(keep.TS, "is live")

	// Both get a reminder at once (their TTL is under fifteen minutes).
	reminder := w.waitThread(keep.TS, "expires at")
	if !strings.Contains(string(reminder.Blocks), "ttl_extend") || !strings.Contains(string(reminder.Blocks), "ttl_destroy") {
		t.Errorf("reminder has no Extend and Destroy-now buttons: %s", reminder.Blocks)
	}
	w.clickValue(deployer, reminder, "ttl_extend", "keep")
	w.waitThread(keep.TS, "extended keep")

	// Expiry survives a restart.
	w.stop(sigterm, stopBudget)
	w.start()
	w.waitThread(demo.TS, "Deleted demo")
	if n := w.do.Count("DELETE /v2/apps/{id}"); n != 1 {
		t.Errorf("DELETEs = %d; want only demo's", n)
	}
	w.run(viewer, "list")
	m := w.waitEphemeral(viewer, "Total:")
	if !strings.Contains(m.Text, "*keep*") || strings.Contains(m.Text, "*demo*") || !strings.Contains(m.Text, "expires in") {
		t.Errorf("list = %q; want keep with its expiry and not demo", m.Text)
	}
	w.stop(sigterm, stopBudget)
	rows := auditRows(t, w.dbPath, "ttl.expired")
	if len(rows) != 1 || !strings.HasPrefix(rows[0], "dobot ") {
		t.Errorf("expiry audit rows = %v; want one by the bot", rows)
	}
}

func TestAdoptBeforeTeardown(t *testing.T) {
	w := newWorld(t)
	// An app made outside the bot.
	ctx := context.Background()
	client, err := godo.New(oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: doToken})), godo.SetBaseURL(w.do.URL()))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = client.Apps.Create(ctx, &godo.AppCreateRequest{Spec: &godo.AppSpec{Name: "legacy", Region: "nyc", Services: []*godo.AppServiceSpec{{
		Name: "legacy", Image: &godo.ImageSourceSpec{RegistryType: "DOCKER_HUB", Registry: "library", Repository: "nginx", Tag: "1"}, HTTPPort: 80}}}})
	if err != nil {
		t.Fatal(err)
	}
	// A launch under a name someone else uses must not take that app over.
	w.run(deployer, "launch legacy --image nginx:1.27")
	head := w.launchHead("legacy")
	w.waitThread(head.TS, "app name already in use")
	w.run(admin, "teardown legacy")
	w.waitEphemeral(admin, "adopt")
	if n := w.do.Count("DELETE /v2/apps/{id}"); n != 0 {
		t.Fatalf("unmanaged app deleted")
	}
	w.run(admin, "adopt legacy")
	w.waitEphemeral(admin, "now manages legacy")
	w.run(viewer, "list")
	w.waitEphemeral(viewer, "adopted")
}

func TestDropletCreateRetriedWithoutDuplicates(t *testing.T) {
	w := newWorld(t)
	w.do.Fault("POST /v2/droplets", 503, 1)
	w.run(deployer, "launch box --droplet --image nginx")
	head := w.launchHead("box")
	w.waitThread(head.TS, "droplet active")
	if n := len(w.do.DropletCreates()); n != 1 {
		t.Errorf("%d droplets created; want 1", n)
	}
	if n := w.do.Count("POST /v2/droplets"); n != 2 {
		t.Errorf("droplet create sent %d times; want 2 (one refused, one accepted)", n)
	}
}

package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/digitalocean/godo"

	"dobot/store"
)

func TestLaunchReachesLiveURL(t *testing.T) {
	w := newWorld(t)
	w.run(deployer, "launch web --image ghcr.io/acme/web:1.2.3 --port 8080 --env MODE=prod")
	head := w.launchHead("web")
	if head.Channel != channel {
		t.Fatalf("launch message went to %s; want %s", head.Channel, channel)
	}
	live := w.waitThread(head.TS, "is live at https://")

	// The create request carried the spec the issue describes.
	var create godo.AppCreateRequest
	for _, r := range w.do.Requests() {
		if r.Method == "POST" && r.Path == "/v2/apps" {
			if err := json.Unmarshal(r.Body, &create); err != nil {
				t.Fatalf("decode create body: %v", err)
			}
		}
	}
	if n := w.do.Count("POST /v2/apps"); n != 1 {
		t.Fatalf("POST /v2/apps sent %d times; want 1", n)
	}
	spec := create.Spec
	if spec == nil || spec.Name != "web" || spec.Region != "nyc" || len(spec.Services) != 1 {
		t.Fatalf("create spec = %+v; want app web in nyc with one service", spec)
	}
	img := spec.Services[0].Image
	// Pinned: the digest the tag resolved to in the pre-flight check, in
	// place of the tag (the description allows one of them).
	digest := w.reg.Digest("ghcr.io/acme/web:1.2.3")
	if img == nil || img.RegistryType != "GHCR" || img.Registry != "acme" || img.Repository != "web" || img.Digest != digest || img.Tag != "" {
		t.Errorf("service image = %+v; want GHCR acme/web pinned to %s", img, digest)
	}
	if spec.Services[0].HTTPPort != 8080 || len(spec.Services[0].Envs) != 1 || spec.Services[0].Envs[0].Key != "MODE" {
		t.Errorf("service = %+v; want port 8080 and env MODE", spec.Services[0])
	}

	// The thread tells each phase before the final message, and the head
	// message ends up showing the live app.
	thread := w.slack.Thread(channel, head.TS)
	if len(thread) < 2 {
		t.Errorf("thread has %d replies; want phase replies before the final one", len(thread))
	}
	if last := thread[len(thread)-1]; last.TS != live.TS {
		t.Errorf("last thread reply is %q; want the live URL reply last", last.Text)
	}
	apps := w.do.Apps()
	if len(apps) != 1 || !strings.Contains(live.Text, apps[0].LiveURL) {
		t.Errorf("live reply %q does not carry the app's live URL (%v)", live.Text, apps)
	}
	latest := w.slack.Latest(channel, head.TS)
	if !strings.Contains(string(latest.Blocks), "is live") || !strings.Contains(string(latest.Blocks), apps[0].LiveURL) {
		t.Errorf("head message after launch = %s; want it to show the app live with its URL", latest.Blocks)
	}

	// The store knows the app, who launched it and where its thread is.
	w.stop(sigterm, stopBudget)
	db, err := store.Open(context.Background(), w.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	app, err := db.App(context.Background(), "web")
	if err != nil || app.ResourceID != apps[0].ID || app.Owner != deployer || app.ThreadTS != head.TS {
		t.Errorf("stored app = %+v, %v; want id %s owned by %s with thread %s", app, err, apps[0].ID, deployer, head.TS)
	}
	if n, err := db.VerifyAudit(context.Background()); err != nil || n < 3 {
		t.Errorf("VerifyAudit = %d, %v; want an intact trail with the command and DigitalOcean rows", n, err)
	}
}

func TestLaunchWithFailingBuildNamesStepAndReason(t *testing.T) {
	w := newWorld(t)
	w.do.FailBuild("broken", "exit status 1: npm ERR! missing script: start")
	w.run(deployer, "launch bad --image acme/broken:2")
	head := w.launchHead("bad")
	failed := w.waitThread(head.TS, "failed")
	if !strings.Contains(failed.Text, "npm ERR! missing script: start") || !strings.Contains(failed.Text, "build") {
		t.Errorf("failure reply = %q; want the failing build step and its reason", failed.Text)
	}
	latest := w.slack.Latest(channel, head.TS)
	if !strings.Contains(string(latest.Blocks), "failed") {
		t.Errorf("head message = %s; want it marked failed", latest.Blocks)
	}
	for _, m := range w.slack.Thread(channel, head.TS) {
		if strings.Contains(m.Text, "is live") {
			t.Errorf("failed launch said %q", m.Text)
		}
	}
}

func TestStatusAndTeardown(t *testing.T) {
	w := newWorld(t)
	head := w.launchLive("web", "nginx:1.27")
	appID := w.do.Apps()[0].ID

	// status NAME answers the asker privately, linking the launch thread.
	w.run(viewer, "status web")
	if st := w.waitEphemeral(viewer, "web: "); !strings.Contains(unescapeJSON(st.Blocks), permalinkOf(head.TS)) {
		t.Errorf("status answer = %s; want the launch thread's link", st.Blocks)
	}

	// status without a name lists every managed app in one line each.
	w.run(viewer, "status")
	w.waitEphemeral(viewer, "*web*")

	// A viewer may not tear down; a deployer's teardown waits for approval.
	before := len(w.do.Requests())
	w.run(viewer, "teardown web")
	w.waitEphemeral(viewer, "needs the deployer role")
	if len(w.do.Requests()) != before {
		t.Errorf("refused teardown made DigitalOcean calls: %v", w.do.Requests()[before:])
	}
	w.run(deployer, "teardown web --reason 'done testing'")
	card := w.approvalCard("teardown web")
	w.click(approver, card, "approve")
	w.waitThread(card.TS, "Deleted web")
	if n := w.do.Count("DELETE /v2/apps/{id}"); n != 1 {
		t.Errorf("DELETE /v2/apps/{id} sent %d times; want 1", n)
	}
	if _, ok := w.do.App(appID); ok {
		t.Errorf("app %s still exists on DigitalOcean after teardown", appID)
	}
	w.run(viewer, "status web")
	w.waitEphemeral(viewer, "manages no app named web")
}

package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/internal/dosim"
	"dobot/store"
)

// createSpecs are the specs of every create request DigitalOcean received.
func (w *world) createSpecs() []*godo.AppSpec {
	w.t.Helper()
	var out []*godo.AppSpec
	for _, r := range w.do.Requests() {
		if r.Method == "POST" && r.Path == "/v2/apps" {
			var create godo.AppCreateRequest
			if err := json.Unmarshal(r.Body, &create); err != nil {
				w.t.Fatalf("decode create body: %v", err)
			}
			out = append(out, create.Spec)
		}
	}
	return out
}

func TestLaunchFromPublicGitRepo(t *testing.T) {
	w := newWorld(t, withPhaseDelay(2*time.Second)) // long enough that no poll skips "Building"
	w.run(deployer, "launch shop --git https://github.com/acme/shop --branch main")
	head := w.launchHead("shop")
	w.waitThread(head.TS, "Building")
	w.waitThread(head.TS, "worker: ")
	w.waitThread(head.TS, "is live at https://")
	specs := w.createSpecs()
	if len(specs) != 1 || len(specs[0].Services) != 1 || len(specs[0].StaticSites) != 1 || len(specs[0].Workers) != 1 {
		t.Fatalf("create specs = %+v; want one with the three detected components", specs)
	}
	if gh := specs[0].Services[0].GitHub; gh == nil || gh.Repo != "acme/shop" || gh.Branch != "main" || gh.DeployOnPush {
		t.Errorf("service source = %+v; want github acme/shop on main, deploy_on_push off", gh)
	}
	if n := w.do.Count("POST /v2/apps/detect"); n != 1 {
		t.Errorf("detect called %d times; want 1", n)
	}
	blocks := unescapeJSON(w.slack.Latest(channel, head.TS).Blocks)
	for _, want := range []string{"https://github.com/acme/shop (branch main)", "api", "site", "worker"} {
		if !strings.Contains(blocks, want) {
			t.Errorf("launch card lacks %q: %s", want, blocks)
		}
	}

	// A private repository is refused with the way out, and nothing changes.
	w.run(deployer, "launch secret --git https://github.com/acme/private")
	w.waitEphemeral(deployer, "connect GitHub to DigitalOcean first")
	if n := w.do.Count("POST /v2/apps"); n != 1 {
		t.Errorf("POST /v2/apps sent %d times; want only the first launch's", n)
	}
}

func TestLaunchFromPastedSpec(t *testing.T) {
	w := newWorld(t)
	const secret = "pg-e2e-hunter2"
	w.run(deployer, "launch --spec\n```yaml\nname: shop\nservices:\n- name: web\n  image:\n    registry_type: DOCKER_HUB\n    registry: library\n    repository: nginx\n    tag: \"1.27\"\n  http_port: 80\n  envs:\n  - key: DB_URL\n    value: "+secret+"\n    type: SECRET\n- name: admin\n  image: {registry_type: DOCKER_HUB, registry: library, repository: nginx, tag: \"1.27\"}\n  http_port: 80\n  routes:\n  - path: /admin\n```")
	head := w.launchHead("shop")
	w.waitThread(head.TS, "admin: ")
	w.waitThread(head.TS, "is live at https://")
	specs := w.createSpecs()
	if len(specs) != 1 || len(specs[0].Services) != 2 || specs[0].Services[0].Envs[0].Value != secret {
		t.Fatalf("create specs = %+v; want the pasted spec, its secret sent", specs)
	}
	blocks := unescapeJSON(w.slack.Latest(channel, head.TS).Blocks)
	if !strings.Contains(blocks, "app spec (2 components)") {
		t.Errorf("launch card = %s; want the spec's components", blocks)
	}
	for _, m := range w.slack.Messages() {
		if strings.Contains(m.Text, secret) || strings.Contains(string(m.Blocks), secret) {
			t.Errorf("Slack message shows the secret: %s %s", m.Text, m.Blocks)
		}
	}
	w.stop(sigterm, stopBudget)
	db, err := store.Open(context.Background(), w.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	entries, err := db.Audit(context.Background(), dobot.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	masked := false
	for _, e := range entries {
		if strings.Contains(e.CommandText+e.Details+e.Error, secret) {
			t.Errorf("audit row keeps the secret: %+v", e)
		}
		masked = masked || strings.Contains(e.CommandText, "value: "+dobot.Masked)
	}
	if !masked {
		t.Errorf("no audit row shows the spec with its secret masked: %+v", entries)
	}
}

func TestPushTriggeredDeploymentReportedInItsThread(t *testing.T) {
	w := newWorld(t, withEnv("BOT_ELSEWHERE_INTERVAL=200ms"))
	w.run(deployer, "launch web --git https://github.com/acme/web")
	head := w.launchHead("web")
	w.waitThread(head.TS, "is live at https://")
	apps := w.do.Apps()
	if len(apps) != 1 {
		t.Fatalf("apps = %+v; want web", apps)
	}
	if _, err := w.do.StartDeployment(apps[0].ID, dosim.Push("https://github.com/acme/web", "c0ffee1234567890", "ana", "fix the header")); err != nil {
		t.Fatal(err)
	}
	w.waitThread(head.TS, "push of c0ffee1 to acme/web by ana")
	w.waitThread(head.TS, "started elsewhere is live")

	// A failing one, with its failing step's log in the thread.
	o := dosim.Push("https://github.com/acme/web", "badbadbad0001234", "raj", "break the build")
	o.FailAt, o.Reason = "build", "npm ERR! missing script: build"
	if _, err := w.do.StartDeployment(apps[0].ID, o); err != nil {
		t.Fatal(err)
	}
	w.waitThread(head.TS, "push of badbadb to acme/web by raj")
	w.waitThread(head.TS, "started elsewhere failed")
	w.waitMessage("the failing build's log", func(m slacktestMessage) bool {
		return m.Method == "files.completeUploadExternal" && m.ThreadTS == head.TS
	})
	var reports int
	for _, m := range w.slack.Thread(channel, head.TS) {
		if strings.Contains(m.Text, "started outside the bot") {
			reports++
		}
	}
	if reports != 2 {
		t.Errorf("%d reports of deployments started elsewhere; want 2 (each once)", reports)
	}
}

package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/digitalocean/godo"

	"dobot/internal/slacktest"
)

// dayTwoCard waits for the card of a day-two action on app ("scale").
func (w *world) dayTwoCard(action, app string) slacktest.Message {
	w.t.Helper()
	return w.waitMessage(action+" card for "+app, func(m slacktest.Message) bool {
		return m.Method == "chat.postMessage" && m.ThreadTS == "" && strings.Contains(m.Text, "is running "+action+" on "+app)
	})
}

// lastUpdate is the spec of the last PUT /v2/apps/{id}.
func (w *world) lastUpdate() *godo.AppSpec {
	w.t.Helper()
	bodies := w.requestBodies("PUT /v2/apps/{id}")
	if len(bodies) == 0 {
		w.t.Fatal("no app update was sent")
	}
	var req godo.AppUpdateRequest
	if err := json.Unmarshal([]byte(bodies[len(bodies)-1]), &req); err != nil {
		w.t.Fatal(err)
	}
	return req.Spec
}

func TestScaleShowsTheCostDiffAndSendsTheNewShape(t *testing.T) {
	w := newWorld(t, withEnv("DO_PROJECT=first-project"))
	w.launchLive("web", "nginx")
	w.run(deployer, "scale web --instances 2 --size apps-s-1vcpu-1gb")
	card := w.dayTwoCard("scale", "web")
	w.waitThread(card.TS, "is live at https://")
	blocks := unescapeJSON(card.Blocks)
	for _, want := range []string{"$5.00/month → $24.00/month", "apps-s-1vcpu-0.5gb × 1 → apps-s-1vcpu-1gb × 2", "services.web.instance_count: 2"} {
		if !strings.Contains(blocks, want) {
			t.Errorf("scale card lacks %q: %s", want, blocks)
		}
	}
	svc := w.lastUpdate().Services[0]
	if svc.InstanceCount != 2 || svc.InstanceSizeSlug != "apps-s-1vcpu-1gb" {
		t.Errorf("the update sent %d × %s; want 2 × apps-s-1vcpu-1gb", svc.InstanceCount, svc.InstanceSizeSlug)
	}
	// DO_PROJECT put the new app into that project.
	id := w.appID("web")
	var assigned bool
	for _, a := range w.do.Assignments() {
		assigned = assigned || a.URN == "do:app:"+id
	}
	if !assigned {
		t.Errorf("app %s was not assigned to DO_PROJECT's project: %+v", id, w.do.Assignments())
	}
	// The same size rules as launch.
	w.run(deployer, "scale web --instances 2 --size apps-s-1vcpu-1gb-fixed")
	w.waitEphemeral(deployer, "runs one instance only, so --instances 2 cannot work")

	// Under a policy asking for approval, the approval card shows the plan
	// first, and the approval runs it.
	w.run(admin, "policy scale --approval yes")
	w.waitEphemeral(admin, "scale")
	w.run(deployer, "scale web --instances 3")
	card = w.approvalCard("scale web")
	if blocks := unescapeJSON(card.Blocks); !strings.Contains(blocks, "services.web.instance_count: 2 → 3") || !strings.Contains(blocks, "cost: $24.00/month → $36.00/month") {
		t.Errorf("the approval card lacks the plan: %s", blocks)
	}
	w.click(approver, card, "approve")
	w.waitLiveReplies(3)
	if n := w.lastUpdate().Services[0].InstanceCount; n != 3 {
		t.Errorf("the approved scale sent %d instances; want 3", n)
	}

	// A restart replaces the instances without a rebuild, followed in its
	// thread like a redeploy.
	w.run(deployer, "restart web")
	restart := w.dayTwoCard("restart", "web")
	w.waitThread(restart.TS, "is live at https://")
	if n := w.do.Count("POST /v2/apps/{app_id}/restart"); n != 1 {
		t.Errorf("%d restart requests; want 1", n)
	}
	if n := w.do.Count("POST /v2/apps/{app_id}/deployments"); n != 0 {
		t.Errorf("restart created %d deployments; want none", n)
	}
}

func TestEnvSetOfASecretThenUnsetOfAnotherKeepsTheSecret(t *testing.T) {
	const secret = "e2e-env-secret-tok-77"
	w := newWorld(t)
	w.run(deployer, "launch web --image nginx --env MODE=plain")
	head := w.launchHead("web")
	w.waitThread(head.TS, "is live at https://")

	w.run(deployer, "env set web API_TOKEN="+secret)
	set := w.dayTwoCard("env", "web")
	w.waitThread(set.TS, "is live at https://")
	if v := findVar(w.lastUpdate(), "API_TOKEN"); v == nil || v.Value != secret || v.Type != godo.AppVariableType_Secret {
		t.Fatalf("env set sent API_TOKEN as %+v; want the value as SECRET", v)
	}
	app, _, err := w.outsideClient().Apps.Get(context.Background(), w.appID("web"))
	if err != nil {
		t.Fatal(err)
	}
	sealed := findVar(app.Spec, "API_TOKEN").Value
	if !strings.HasPrefix(sealed, "EV[") {
		t.Fatalf("DigitalOcean serves API_TOKEN as %q; want EV[…]", sealed)
	}

	w.run(deployer, "env unset web MODE")
	w.waitLiveReplies(3)
	spec := w.lastUpdate()
	if findVar(spec, "MODE") != nil {
		t.Error("env unset still sent MODE")
	}
	if v := findVar(spec, "API_TOKEN"); v == nil || v.Value != sealed || v.Type != godo.AppVariableType_Secret {
		t.Errorf("env unset sent API_TOKEN as %+v; want the EV value %q sent back unchanged", v, sealed)
	}
	w.run(viewer, "env web")
	list := w.waitEphemeral(viewer, "API_TOKEN")
	if !strings.Contains(list.Text+unescapeJSON(list.Blocks), "secret") {
		t.Errorf("env list does not say API_TOKEN is secret: %s", list.Blocks)
	}

	live := readFile(t, w.dbPath)
	if !strings.Contains(live, "API_TOKEN=•••") {
		t.Error("the stored command text does not mask API_TOKEN")
	}
	if err := w.stop(sigterm, stopBudget); err != nil {
		t.Fatalf("stop: %v", err)
	}
	for where, text := range map[string]string{"database (WAL included) while running": live, "database after stopping": readFile(t, w.dbPath),
		"Slack": w.slackTraffic(), "bot log": w.logs.String()} {
		if strings.Contains(text, secret) {
			t.Errorf("%s contains the secret", where)
		}
	}
}

func findVar(spec *godo.AppSpec, key string) *godo.AppVariableDefinition {
	var out *godo.AppVariableDefinition
	lists := [][]*godo.AppVariableDefinition{spec.Envs}
	for _, s := range spec.Services {
		lists = append(lists, s.Envs)
	}
	for _, l := range lists {
		for _, v := range l {
			if v.Key == key {
				out = v
			}
		}
	}
	return out
}

func TestADomainGoesFromPendingToActiveInItsThread(t *testing.T) {
	w := newWorld(t)
	w.launchLive("web", "nginx")
	w.do.HoldDomain("shop.example.com", true)
	w.run(deployer, "domains add web shop.example.com --primary")
	card := w.dayTwoCard("domains", "web")
	if blocks := unescapeJSON(card.Blocks); !strings.Contains(blocks, "+ domains.shop.example.com: added") {
		t.Errorf("domains card lacks the plan: %s", blocks)
	}
	pending := w.waitThread(card.TS, "shop.example.com (primary) is pending")
	for _, want := range []string{"Create a CNAME record shop.example.com → web-", "TXT record _acme-challenge.shop.example.com TXT "} {
		if !strings.Contains(pending.Text, want) {
			t.Errorf("pending line %q lacks %q", pending.Text, want)
		}
	}
	w.do.HoldDomain("shop.example.com", false)
	w.waitThread(card.TS, "shop.example.com (primary) is active, with its certificate")
	w.run(viewer, "domains web")
	w.waitEphemeral(viewer, "shop.example.com (primary) is active")
}

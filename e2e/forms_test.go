package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"dobot"
	"dobot/internal/slacktest"
)

// waitModal waits for user's top modal to be the one titled title.
func (w *world) waitModal(user, title string) slacktest.View {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	v, err := w.slack.WaitModal(ctx, user, func(v slacktest.View) bool { return v.Title == title })
	if err != nil {
		w.t.Fatalf("no modal %q for %s: %v\nbot log:\n%s", title, user, err, w.logs)
	}
	return v
}

// submit submits user's top modal with values and returns the bot's answer.
func (w *world) submit(user string, values map[string]string) slacktest.ViewAnswer {
	w.t.Helper()
	env, err := w.slack.SubmitView(user, values)
	if err != nil {
		w.t.Fatalf("submit: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	a, err := w.slack.WaitViewAnswer(ctx, env)
	if err != nil {
		w.t.Fatalf("no answer to the submission: %v\n%s", err, w.logs)
	}
	if a.Late || len(a.Problems) > 0 {
		w.t.Errorf("answer late (%v) or refused by Slack: %v", a.Late, a.Problems)
	}
	return a
}

// waitHome waits for user's Home tab to hold every one of wants (and none
// of nots) in its blocks.
func (w *world) waitHome(user string, wants []string, nots ...string) slacktest.View {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	v, err := w.slack.WaitHome(ctx, user, func(v slacktest.View) bool {
		text := unescapeJSON(v.Blocks)
		for _, s := range wants {
			if !strings.Contains(text, s) {
				return false
			}
		}
		for _, s := range nots {
			if strings.Contains(text, s) {
				return false
			}
		}
		return true
	})
	if err != nil {
		last, _ := w.slack.Home(user)
		w.t.Fatalf("%s's Home tab never showed %q without %q: %v\nlast: %s\nbot log:\n%s", user, wants, nots, err, unescapeJSON(last.Blocks), w.logs)
	}
	return v
}

func TestLaunchThroughTheModal(t *testing.T) {
	const secret = "modal-secret-e2e-9f3k"
	w := newWorld(t)

	w.run(deployer, "launch")
	w.waitModal(deployer, "Launch an app")
	// A mistake shows on its field; nothing starts.
	a := w.submit(deployer, map[string]string{"name": "web --instances 100", "image": "nginx", "secrets": "API_SECRET=" + secret})
	if a.Action != "errors" || !strings.Contains(a.Errors["name"], "bad app name") {
		t.Fatalf("answer = %s %v; want the bad name shown on the name field", a.Action, a.Errors)
	}
	if len(w.slack.ModalStack(deployer)) != 1 {
		t.Errorf("the form closed on a mistake")
	}
	a = w.submit(deployer, map[string]string{"name": "web", "image": "ghcr.io/acme/nothing:1"})
	if a.Action != "errors" || !strings.Contains(a.Errors["image"], "was not found") {
		t.Fatalf("answer = %s %v; want the missing image shown on the image field", a.Action, a.Errors)
	}

	a = w.submit(deployer, map[string]string{"name": "web", "image": "nginx", "env": "MODE=prod", "secrets": "API_SECRET=" + secret,
		"ttl": "2h", "reason": "modal demo"})
	if a.Action != "" || len(w.slack.ModalStack(deployer)) != 0 {
		t.Fatalf("answer = %q %v; want the form closed", a.Action, a.Errors)
	}
	head := w.launchHead("web")
	w.waitThread(head.TS, "is live at https://")
	if !strings.Contains(unescapeJSON(head.Blocks), "API_SECRET (secret)") {
		t.Errorf("launch card does not list API_SECRET as secret: %s", head.Blocks)
	}
	create := w.requestBodies("POST /v2/apps")
	if len(create) != 1 || !strings.Contains(create[0], `"key":"API_SECRET","value":"`+secret+`"`) || !strings.Contains(create[0], `"type":"SECRET"`) {
		t.Fatalf("DigitalOcean's create = %v; want API_SECRET sent as SECRET", create)
	}
	live := readFile(t, w.dbPath)
	if !strings.Contains(live, "API_SECRET=•••") {
		t.Errorf("the audit does not keep the form's command, secret masked")
	}
	if err := w.stop(sigterm, stopBudget); err != nil {
		t.Fatalf("stop: %v", err)
	}
	for where, text := range map[string]string{"database (WAL included)": live, "database after stopping": readFile(t, w.dbPath),
		"Slack": w.slackTraffic(), "bot log": w.logs.String()} {
		if strings.Contains(text, secret) {
			t.Errorf("%s contains the secret", where)
		}
	}
}

func TestHomeTabByRoleAndApproveFromIt(t *testing.T) {
	w := newWorld(t)
	w.run(admin, "policy teardown --approval yes")
	w.waitEphemeral(admin, "Policy for teardown is now")
	w.launchLive("web", "nginx")

	open := func(user string) {
		t.Helper()
		if _, err := w.slack.OpenHome(user); err != nil {
			t.Fatal(err)
		}
	}
	open(stranger)
	w.waitHome(stranger, []string{"no role", "/do grant @you deployer"}, "home_launch")
	open(deployer)
	w.waitHome(deployer, []string{"*web*", "https://", "Launch an app", "Spend this month", "Total:"})
	open(approver)
	w.waitHome(approver, []string{"Nothing is running"}, `"action_id":"approve"`)

	// A request republishes the approver's tab, with its buttons.
	w.run(deployer, "teardown web --reason done")
	card := w.approvalCard("teardown web")
	id := requestID(t, card)
	home := w.waitHome(approver, []string{"Request #" + id, `"action_id":"approve"`, `"action_id":"deny"`})
	w.waitHome(deployer, []string{"Your request #" + id})

	w.clickView(approver, home.ID, "approve")
	w.waitThread(card.TS, "approved request #"+id)
	w.waitHome(approver, []string{"Nothing is running"}, "Request #"+id)
	w.waitHome(deployer, []string{"You have no apps running"})
}

func TestDenyButtonAsksForAReasonInAModal(t *testing.T) {
	w := newWorld(t)
	w.run(admin, "policy launch --approval yes")
	w.waitEphemeral(admin, "Policy for launch is now")
	w.run(deployer, "launch web --image nginx")
	card := w.approvalCard("launch web")
	w.click(approver, card, "deny")
	w.waitModal(approver, "Deny request #"+requestID(t, card))
	if a := w.submit(approver, map[string]string{"reason": "not during the freeze"}); a.Action != "" {
		t.Fatalf("answer = %q %v; want the form closed", a.Action, a.Errors)
	}
	w.waitMessage("the card marked denied with the reason", func(m slacktest.Message) bool {
		return m.TS == card.TS && strings.Contains(unescapeJSON(m.Blocks), "not during the freeze")
	})
}

// The Home tab's Launch button opens the launch form; its launch reports
// in the person's direct messages with the bot, card and thread alike.
func TestLaunchFromTheHomeTab(t *testing.T) {
	w := newWorld(t)
	if _, err := w.slack.OpenHome(deployer); err != nil {
		t.Fatal(err)
	}
	home := w.waitHome(deployer, []string{"Launch an app"})
	w.clickView(deployer, home.ID, "home_launch")
	w.waitModal(deployer, "Launch an app")
	if a := w.submit(deployer, map[string]string{"name": "homeapp", "image": "nginx"}); a.Action != "" {
		t.Fatalf("answer = %q %v; want the form closed", a.Action, a.Errors)
	}
	dm := slacktest.DirectChannel(deployer)
	head := w.waitMessage("the launch card in the direct messages", func(m slacktest.Message) bool {
		return m.Method == "chat.postMessage" && m.Channel == dm && m.ThreadTS == "" && strings.Contains(m.Text, "launching homeapp")
	})
	w.waitThread(head.TS, "is live at https://")
	w.waitHome(deployer, []string{"*homeapp*", "https://"})
}

// An app spec pasted in the launch modal launches as `/do launch --spec`
// does; a spec App Platform refuses shows on the spec field, and nothing
// is created.
func TestLaunchFromASpecInTheModal(t *testing.T) {
	const secret = "modal-spec-secret-e2e-7c2q"
	spec := "name: shop\nservices:\n- name: web\n  image: {registry_type: DOCKER_HUB, registry: library, repository: nginx, tag: \"1.27\"}\n  http_port: 80\n" +
		"  envs:\n  - {key: DB_URL, value: " + secret + ", type: SECRET}\n" +
		"- name: admin\n  image: {registry_type: DOCKER_HUB, registry: library, repository: nginx, tag: \"1.27\"}\n  http_port: 80\n  routes:\n  - path: /admin\n"
	w := newWorld(t)
	w.run(deployer, "launch --form")
	w.waitModal(deployer, "Launch an app")

	bad := strings.Replace(spec, "name: admin", "name: web", 1) // two components named web
	a := w.submit(deployer, map[string]string{"spec": bad})
	if a.Action != "errors" || !strings.Contains(a.Errors["spec"], "App Platform refused the spec") {
		t.Fatalf("answer = %s %v; want propose's refusal on the spec field", a.Action, a.Errors)
	}
	a = w.submit(deployer, map[string]string{"spec": spec, "image": "nginx"})
	if a.Action != "errors" || !strings.Contains(a.Errors["image"], "Leave this empty") || !strings.Contains(a.Errors["spec"], "clear Image") {
		t.Fatalf("answer = %s %v; want the image field named", a.Action, a.Errors)
	}
	if len(w.slack.ModalStack(deployer)) != 1 {
		t.Errorf("the form closed on a mistake")
	}

	a = w.submit(deployer, map[string]string{"spec": spec, "reason": "spec from the modal"})
	if a.Action != "" || len(w.slack.ModalStack(deployer)) != 0 {
		t.Fatalf("answer = %q %v; want the form closed", a.Action, a.Errors)
	}
	head := w.launchHead("shop")
	w.waitThread(head.TS, "admin: ")
	w.waitThread(head.TS, "is live at https://")
	specs := w.createSpecs()
	if len(specs) != 1 || len(specs[0].Services) != 2 || specs[0].Services[0].Envs[0].Value != secret {
		t.Fatalf("create specs = %+v; want the pasted spec, its secret sent", specs)
	}
	if blocks := unescapeJSON(w.slack.Latest(channel, head.TS).Blocks); !strings.Contains(blocks, "app spec (2 components)") {
		t.Errorf("launch card = %s; want the spec's components", blocks)
	}
	live := readFile(t, w.dbPath)
	if !strings.Contains(live, "value: "+dobot.Masked) {
		t.Errorf("the audit does not keep the form's spec, secret masked")
	}
	if err := w.stop(sigterm, stopBudget); err != nil {
		t.Fatalf("stop: %v", err)
	}
	for where, text := range map[string]string{"database (WAL included)": live, "database after stopping": readFile(t, w.dbPath),
		"Slack": w.slackTraffic(), "bot log": w.logs.String()} {
		if strings.Contains(text, secret) {
			t.Errorf("%s contains the secret", where)
		}
	}
}

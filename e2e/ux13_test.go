package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"golang.org/x/oauth2"

	"dobot/internal/slacktest"
)

// ask runs cmd as user and returns the first private answer to it: the
// first ephemeral to user after the command's ack.
func (w *world) ask(user, cmd string) slacktest.Message {
	w.t.Helper()
	before := len(w.ephemeralsTo(user))
	w.run(user, cmd)
	var got slacktest.Message
	w.waitUntil("a private answer to /do "+cmd, func() bool {
		all := w.ephemeralsTo(user)
		if len(all) > before {
			got = all[before]
			return true
		}
		return false
	})
	return got
}

// text is a message's text and blocks, as a person reads them.
func text(m slacktest.Message) string { return m.Text + "\n" + unescapeJSON(m.Blocks) }

// button finds the action id and value of the first button whose action
// id starts with prefix in m.
func button(t *testing.T, m slacktest.Message, prefix string) (actionID, value string) {
	t.Helper()
	all := buttons(m, prefix)
	if len(all) == 0 {
		t.Fatalf("no %s… button in %s", prefix, m.Blocks)
	}
	return all[0][0], all[0][1]
}

// buttons lists the action ids and values of the buttons whose action id
// starts with prefix in m, in order.
func buttons(m slacktest.Message, prefix string) [][2]string {
	re := regexp.MustCompile(`"action_id":"(` + regexp.QuoteMeta(prefix) + `[^"]*)"[^}]*?"value":"([^"]*)"`)
	var out [][2]string
	for _, f := range re.FindAllStringSubmatch(string(m.Blocks), -1) {
		out = append(out, [2]string{f[1], f[2]})
	}
	return out
}

// pressOn presses the button actionID with value on the message m (a card
// or a private answer) as user, and waits for the ack.
func (w *world) pressOn(user string, m slacktest.Message, actionID, value string) {
	w.t.Helper()
	w.clickValue(user, m, actionID, value)
}

// outsideClient is someone using DigitalOcean's API directly.
func (w *world) outsideClient() *godo.Client {
	w.t.Helper()
	ctx := context.Background()
	c, err := godo.New(oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: doToken})), godo.SetBaseURL(w.do.URL()))
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// appID is the DigitalOcean id of the app the bot created as name.
func (w *world) appID(name string) string {
	w.t.Helper()
	apps, _, err := w.outsideClient().Apps.List(context.Background(), nil)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, a := range apps {
		if a.Spec != nil && a.Spec.Name == name {
			return a.ID
		}
	}
	w.t.Fatalf("no app %s on DigitalOcean", name)
	return ""
}

// A launch waiting for approval, then running, shows in list and status
// with its id and phase; /do ops lists it with the buttons the viewer may
// press, and its Approve button approves it; the requester is mentioned
// when it ends.
func TestOpsListsAndStatusShowLaunchesInFlight(t *testing.T) {
	w := newWorld(t, withPhaseDelay(2*time.Second))
	w.run(admin, "policy launch --app 'held*' --approval yes")
	w.waitEphemeral(admin, "is now")
	w.run(deployer, "launch held --image nginx")
	card := w.approvalCard("launch held")
	id := requestID(t, card)

	// The card is posted a moment before the request is recorded as waiting
	// for a decision ("being put up for approval").
	var got string
	w.waitUntil("list to show the request waiting", func() bool {
		got = text(w.ask(viewer, "list"))
		return !strings.Contains(got, "being put up for approval")
	})
	if !strings.Contains(got, "held") || !strings.Contains(got, "request #"+id) || !strings.Contains(got, "waiting for approval until") {
		t.Errorf("list while the launch waits = %q; want held, request #%s, waiting for approval", got, id)
	}
	if got := text(w.ask(viewer, "status held")); !strings.Contains(got, "request #"+id) || !strings.Contains(got, "waiting for approval") {
		t.Errorf("status held while it waits = %q; want request #%s waiting for approval", got, id)
	}
	viewerOps := w.ask(viewer, "ops")
	if got := text(viewerOps); !strings.Contains(got, "request #"+id) || !strings.Contains(got, "launch held") || hasButtons(viewerOps) {
		t.Errorf("ops as viewer = %q; want request #%s without buttons", got, id)
	}
	ops := w.ask(approver, "ops")
	if got := text(ops); !strings.Contains(got, "Waiting for approval (1)") || !strings.Contains(got, "Deny #"+id) {
		t.Errorf("ops as approver = %q; want the request with Approve and Deny", got)
	}
	action, value := button(t, ops, "ops_approve")
	w.pressOn(approver, ops, action, value)
	w.waitThread(card.TS, "approved request #"+id)
	w.waitCount("POST /v2/apps", 1)

	var running string
	w.waitUntil("list to show the running launch", func() bool {
		running = text(w.ask(viewer, "list"))
		return strings.Contains(running, "operation #"+id) || w.threadHas(card.TS, "is live at")
	})
	if !strings.Contains(running, "operation #"+id) {
		t.Errorf("list while launching = %q; want operation #%s", running, id)
	}
	final := w.waitThread(card.TS, "is live at https://")
	if !strings.Contains(final.Text, "<@"+deployer+">") {
		t.Errorf("final reply %q does not mention the requester", final.Text)
	}
}

// history lists an app's deployments newest first, the bot's and one made
// outside it, and its "Roll back to this" button rolls back.
func TestHistoryAndRollBackFromIt(t *testing.T) {
	w := newWorld(t)
	w.launchLive("web", "nginx:1.26")
	w.run(deployer, "redeploy web --image ghcr.io/nginxinc/nginx-unprivileged:1.27")
	w.waitLiveReplies(2)
	ctx := context.Background()
	id := w.appID("web")
	if _, _, err := w.outsideClient().Apps.CreateDeployment(ctx, id); err != nil {
		t.Fatal(err)
	}
	var hist slacktest.Message
	w.waitUntil("history to show the outside deployment live", func() bool {
		hist = w.ask(viewer, "history web")
		lines := strings.Split(hist.Text, "\n")
		if len(lines) < 2 {
			t.Fatalf("history web = %q", hist.Text)
		}
		return strings.Contains(lines[1], "live now")
	})
	lines := strings.Split(hist.Text, "\n")
	if len(lines) < 4 || !strings.Contains(lines[1], "outside the bot") || !strings.Contains(lines[2], "redeploy by <@"+deployer+">") ||
		!strings.Contains(lines[3], "launch by <@"+deployer+">") || !strings.Contains(lines[3], w.reg.Digest("docker.io/library/nginx:1.26")) {
		t.Fatalf("history = %q; want outside, redeploy, launch (with 1.26's digest), newest first", hist.Text)
	}
	if strings.Count(unescapeJSON(hist.Blocks), "Roll back to this") != 2 {
		t.Errorf("history buttons: %s; want two (not on the live one)", hist.Blocks)
	}
	// Roll back to the launch, on line 3.
	launched := w.deploymentOf(lines[3])
	var action, value string
	for _, b := range buttons(hist, "history_rollback") {
		if strings.HasSuffix(b[1], launched) {
			action, value = b[0], b[1]
		}
	}
	if action == "" {
		t.Fatalf("no button rolls back to the launch's deployment %s: %s", launched, hist.Blocks)
	}
	w.pressOn(viewer, hist, action, value)
	w.waitEphemeral(viewer, "Only a deployer, approver or admin may use the Roll back to this button")
	w.pressOn(deployer, hist, action, value)
	w.waitLiveReplies(3)
	if b := w.requestBodies("POST /v2/apps/{app_id}/rollback"); len(b) != 1 || !strings.Contains(b[0], launched) {
		t.Errorf("rollback bodies = %v; want one to %s", b, launched)
	}
	after := w.ask(viewer, "history web")
	if first := lineOf(after.Text, 1); !strings.Contains(first, "rollback by <@"+deployer+">") {
		t.Errorf("history after the rollback starts %q; want the rollback", first)
	}
	// status names the image the rollback put back, not the last one asked for.
	st := text(w.ask(viewer, "status web"))
	if !strings.Contains(st, w.reg.Digest("docker.io/library/nginx:1.26")) || strings.Contains(st, "unprivileged") {
		t.Errorf("status after rolling back to 1.26 = %q", st)
	}
}

// threadHas reports whether the thread of ts has a reply containing s.
func (w *world) threadHas(ts, s string) bool {
	for _, m := range w.slack.Messages() {
		if m.Method == "chat.postMessage" && m.ThreadTS == ts && strings.Contains(m.Text, s) {
			return true
		}
	}
	return false
}

// threadCount counts the messages in the thread of ts containing s.
func (w *world) threadCount(ts, s string) int {
	n := 0
	for _, m := range w.slack.Messages() {
		if m.ThreadTS == ts && strings.Contains(m.Text, s) {
			n++
		}
	}
	return n
}

// lineOf is line i of s, or "" when s has fewer lines.
func lineOf(s string, i int) string {
	lines := strings.Split(s, "\n")
	if i < len(lines) {
		return lines[i]
	}
	return ""
}

var deploymentInLine = regexp.MustCompile("deployment `([0-9a-f-]{36})`")

// deploymentOf is the deployment id a history line names.
func (w *world) deploymentOf(line string) string {
	w.t.Helper()
	m := deploymentInLine.FindStringSubmatch(line)
	if m == nil {
		w.t.Fatalf("history line %q names no deployment", line)
	}
	return m[1]
}

// Approvers are reminded once in the card's thread, at half time of a
// short request, across restarts before and after the reminder.
func TestApproversRemindedOnceAcrossRestarts(t *testing.T) {
	w := newWorld(t, withEnv("BOT_APPROVAL_TTL=12s"))
	w.launchLive("web", "nginx")
	w.run(deployer, "teardown web")
	card := w.approvalCard("teardown web")
	if err := w.stop(sigterm, stopBudget); err != nil {
		t.Fatalf("stop: %v", err)
	}
	w.start()
	reminder := w.waitThread(card.TS, "Reminder: request #"+requestID(t, card))
	if !strings.Contains(reminder.Text, "<@"+approver+">") || !strings.Contains(reminder.Text, "<@"+admin+">") {
		t.Errorf("reminder %q does not name the approvers", reminder.Text)
	}
	if err := w.stop(sigterm, stopBudget); err != nil {
		t.Fatalf("stop: %v", err)
	}
	w.start()
	w.waitThread(card.TS, "expired without a decision")
	if n := w.threadCount(card.TS, "Reminder: request #"); n != 1 {
		t.Errorf("%d reminders in the thread; want 1", n)
	}
}

// A launch whose deployment is canceled reads "canceled", not failed, and
// status afterwards shows the phase, not "Unknown".
func TestCanceledLaunchReadsCanceled(t *testing.T) {
	w := newWorld(t, withPhaseDelay(3*time.Second))
	w.run(deployer, "launch slow --image nginx")
	head := w.launchHead("slow")
	w.waitCount("POST /v2/apps", 1)
	id := operationIDPattern.FindStringSubmatch(head.Text + unescapeJSON(head.Blocks))[1]
	w.waitUntil("the deployment to be canceled", func() bool {
		return strings.Contains(text(w.ask(deployer, "cancel "+id)), "cancel the deployment")
	})
	w.waitThread(head.TS, "was canceled")
	latest := w.waitCard(head, "canceled")
	if got := text(latest); strings.Contains(got, "slow failed") || strings.Contains(got, "❌") {
		t.Errorf("canceled launch card = %q; want no failure", got)
	}
	st := text(w.ask(viewer, "status slow"))
	if strings.Contains(st, "Unknown") || !strings.Contains(st, "Canceled") {
		t.Errorf("status after the cancel = %q; want Canceled", st)
	}
}

// An app deleted outside the bot: every command says so and suggests
// forget, nothing asks for approval or claims a saving, list leaves it out
// of the total, and forget drops it.
func TestForgetAnAppDeletedOutsideTheBot(t *testing.T) {
	w := newWorld(t)
	w.launchLive("web", "nginx")
	if _, err := w.outsideClient().Apps.Delete(context.Background(), w.appID("web")); err != nil {
		t.Fatal(err)
	}
	posts := w.channelPosts()
	for _, cmd := range []string{"status web", "logs web", "redeploy web", "teardown web", "history web"} {
		got := text(w.ask(deployer, cmd))
		if !strings.Contains(got, "web was deleted outside the bot") || !strings.Contains(got, "/do forget web") {
			t.Errorf("%s = %q; want deleted outside the bot, with forget", cmd, got)
		}
	}
	if n := w.channelPosts(); n != posts {
		t.Errorf("commands on a deleted app posted %d channel messages (approval cards?)", n-posts)
	}
	if got := text(w.ask(viewer, "list")); !strings.Contains(got, "not counted") || !strings.Contains(got, "Total: $0.00/month") {
		t.Errorf("list = %q; want web left out of the total", got)
	}
	if got := text(w.ask(viewer, "forget web")); !strings.Contains(got, "needs the deployer role") {
		t.Errorf("viewer's forget = %q; want refused", got)
	}
	if got := text(w.ask(deployer, "forget web")); !strings.Contains(got, "forgot web") {
		t.Errorf("forget = %q", got)
	}
	if got := text(w.ask(viewer, "list")); !strings.Contains(got, "manages nothing") {
		t.Errorf("list after forget = %q", got)
	}
}

// A policy's cost limit asks for approval of a launch priced above it, and
// the card says which cost.
func TestPolicyApprovalAboveACost(t *testing.T) {
	w := newWorld(t)
	w.run(admin, "policy launch --approval-above 20")
	w.waitEphemeral(admin, "more than $20.00/month")
	w.run(deployer, "launch big --image nginx --size apps-s-1vcpu-1gb --instances 4")
	card := w.approvalCard("launch big")
	if got := text(card); !strings.Contains(got, "$48.00/month is above the $20.00/month limit of the launch policy") {
		t.Errorf("approval card = %q; want the cost that asked for approval", got)
	}
	if n := w.do.Count("POST /v2/apps"); n != 0 {
		t.Errorf("the costly launch created %d apps before approval", n)
	}
	w.launchLive("small", "nginx")
	// A redeploy that makes the app cost more than the redeploy policy's
	// limit waits for approval too.
	w.run(admin, "policy redeploy --approval-above 20")
	w.waitEphemeral(admin, "Policy for redeploy is now")
	w.run(deployer, "redeploy small --size apps-s-1vcpu-1gb --instances 4")
	card = w.approvalCard("redeploy small")
	if got := text(card); !strings.Contains(got, "$48.00/month is above the $20.00/month limit of the redeploy policy") {
		t.Errorf("redeploy approval card = %q; want the cost", got)
	}
	if n := w.do.Count("PUT /v2/apps/{id}"); n != 0 {
		t.Errorf("the costly redeploy updated the app %d times before approval", n)
	}
}

// Help is grouped by task, lists each command once, and shows sub-commands.
func TestHelpGroupedWithSubcommands(t *testing.T) {
	w := newWorld(t)
	got := w.ask(admin, "help").Text
	for _, want := range []string{"*Deploy*", "*Observe*", "*Approve*", "*Administer*", "Sub-commands: reboot, power-off, power-on"} {
		if !strings.Contains(got, want) {
			t.Errorf("help lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "• `/do droplet"); n != 1 {
		t.Errorf("help lists droplet %d times; want once", n)
	}
	reg := text(w.ask(admin, "help registry"))
	for _, sub := range []string{"registry create", "registry repos", "registry tags", "registry gc", "registry delete"} {
		if !strings.Contains(reg, "/do "+sub) {
			t.Errorf("help registry lacks %s", sub)
		}
	}
}

// The teardown card has no empty fields and is right for an app.
func TestTeardownCardHasNoEmptyFields(t *testing.T) {
	w := newWorld(t)
	w.launchLive("web", "nginx")
	w.run(deployer, "teardown web")
	card := w.approvalCard("teardown web")
	w.click(approver, card, "approve")
	w.waitThread(card.TS, "Deleted web")
	for _, m := range w.slack.Messages() {
		if m.TS == card.TS && strings.Contains(string(m.Blocks), `\n—"`) {
			t.Errorf("a version of the teardown card has an empty field: %s", m.Blocks)
		}
	}
	if got := text(w.slack.Latest(card.Channel, card.TS)); !strings.Contains(got, "*Image*\\nnginx") {
		t.Errorf("teardown card = %q; want the image", got)
	}
}

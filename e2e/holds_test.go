package e2e

import (
	"context"
	"strings"
	"testing"

	"dobot"
	"dobot/internal/slacktest"
	"dobot/store"
)

// auditDetails are the details of the audit rows of action.
func auditDetails(t *testing.T, path, action string) []string {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Audit(context.Background(), dobot.AuditFilter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, r.Details)
	}
	return out
}

// A lock stops a redeploy, with who holds it, since when and why, and holds
// a TTL expiry back (said once in the app's thread) until it is lifted.
func TestLockBlocksRedeployAndExpiry(t *testing.T) {
	w := newWorld(t)
	w.run(deployer, "launch demo --image nginx --ttl 10s")
	head := w.launchHead("demo")
	w.waitThread(head.TS, "is live at https://")

	w.run(approver, `lock demo --reason "post-mortem of incident 311"`)
	w.waitMessage("the lock announcement", func(m slacktest.Message) bool {
		return m.Method == "chat.postMessage" && m.Channel == channel && strings.Contains(m.Text, "<@"+approver+"> locked demo")
	})
	w.refused(deployer, "redeploy demo", "demo is locked by <@"+approver+"> since ")
	refusal := w.waitEphemeral(deployer, "post-mortem of incident 311")
	if !strings.Contains(refusal.Text, "/do unlock demo") || !strings.Contains(refusal.Text, " UTC") {
		t.Errorf("refusal = %q; want the way out and the time", refusal.Text)
	}
	w.run(viewer, "status demo")
	w.waitMessage("status showing the lock", func(m slacktest.Message) bool {
		return m.Method == "chat.postEphemeral" && m.User == viewer && strings.Contains(unescapeJSON(m.Blocks), "demo locked by <@"+approver+">")
	})

	// The TTL runs out while locked: one note in the thread, no delete.
	w.waitThread(head.TS, "reached the end of its TTL, but <@"+approver+"> holds it locked")
	w.run(viewer, "list")
	w.waitEphemeral(viewer, "locked by <@"+approver+">")
	if n := w.do.Count("DELETE /v2/apps/{id}"); n != 0 {
		t.Fatalf("a locked app was deleted (%d DELETEs)", n)
	}

	// The lock survives a restart.
	w.stop(sigterm, stopBudget)
	w.start()
	w.refused(deployer, "teardown demo", "demo is locked by <@"+approver+">")

	w.run(deployer, "unlock demo")
	w.waitEphemeral(deployer, "only they or an admin may unlock it")
	w.run(approver, "unlock demo")
	w.waitThread(head.TS, "Deleted demo")
	if n := w.threadCount(head.TS, "holds it locked"); n != 1 {
		t.Errorf("held-expiry note posted %d times; want once", n)
	}
}

// A freeze stops a redeploy; an admin's --break-glass runs it, and the
// audit row, the audit channel and the card's thread say so, mentioning
// the freeze's creator.
func TestFreezeBrokenWithBreakGlassIsAudited(t *testing.T) {
	const auditChannel = "CAUDIT1"
	w := newWorld(t, withEnv("BOT_AUDIT_CHANNEL="+auditChannel))
	w.launchLive("prod-web", "nginx")

	w.run(deployer, `freeze 1h --reason "release"`)
	w.waitEphemeral(deployer, "needs the admin role")
	w.run(admin, `freeze --app 'prod-*' 2h --reason "incident 311"`)
	w.waitMessage("the freeze announcement", func(m slacktest.Message) bool {
		return m.Channel == channel && strings.Contains(m.Text, "froze deploys on apps matching prod-* until")
	})
	w.refused(deployer, "redeploy prod-web --image nginx:1.27", "deploys to prod-web are frozen until")
	w.refused(deployer, `redeploy prod-web --break-glass "hotfix"`, "only an admin may use --break-glass")

	w.run(admin, `redeploy prod-web --image nginx:1.27 --break-glass "hotfix for incident 311"`)
	card := w.waitMessage("the redeploy card", func(m slacktest.Message) bool {
		return m.Method == "chat.postMessage" && m.ThreadTS == "" && m.Channel == channel && strings.Contains(m.Text+unescapeJSON(m.Blocks), "Redeploying prod-web")
	})
	note := w.waitThread(card.TS, "Break-glass: <@"+admin+"> runs redeploy prod-web despite the hold")
	if !strings.Contains(note.Text, "hotfix for incident 311") || !strings.Contains(note.Text, "frozen until") {
		t.Errorf("break-glass note = %q; want the reason and the freeze", note.Text)
	}
	w.waitThread(card.TS, "is live")
	w.waitMessage("the break-glass audit line", func(m slacktest.Message) bool {
		return m.Channel == auditChannel && strings.Contains(m.Text, "break-glass") && strings.Contains(m.Text, "hotfix for incident 311")
	})
	// The freeze survives a restart.
	w.stop(sigterm, stopBudget)
	w.start()
	w.refused(deployer, "rollback prod-web", "deploys to prod-web are frozen until")
	w.run(admin, "unfreeze --app 'prod-*'")
	w.waitMessage("the unfreeze announcement", func(m slacktest.Message) bool {
		return m.Channel == channel && strings.Contains(m.Text, "ended the freeze on apps matching prod-*")
	})
	w.stop(sigterm, stopBudget)
	rows := auditDetails(t, w.dbPath, "break-glass")
	if len(rows) != 1 || !strings.Contains(rows[0], "hotfix for incident 311") || !strings.Contains(rows[0], "freeze=prod-*") {
		t.Errorf("break-glass audit rows = %v; want one with the reason and the freeze", rows)
	}
}

// An approval is bound to the digest the tag named at request time: a tag
// pushed again before the click voids the request, nothing is created, and
// a new request asks again for the new digest.
func TestApprovalVoidedWhenTheTagIsPushedAgain(t *testing.T) {
	w := newWorld(t)
	w.run(admin, "policy launch --approval yes")
	w.waitEphemeral(admin, "Policy for launch")
	w.run(deployer, "launch web --image nginx:1.27")
	card := w.approvalCard("launch web")
	before := w.reg.Digest("docker.io/library/nginx:1.27")
	if err := w.reg.Push("docker.io", "library/nginx", "1.27", "80/tcp"); err != nil {
		t.Fatal(err)
	}
	after := w.reg.Digest("docker.io/library/nginx:1.27")
	if after == before || before == "" {
		t.Fatalf("digest before %q, after %q: the push did not move the tag", before, after)
	}
	w.click(approver, card, "approve")
	w.waitCard(card, "void")
	void := w.waitThread(card.TS, "but it is void: the tag nginx:1.27 was pushed again")
	if !strings.Contains(void.Text, after) || !strings.Contains(void.Text, before) || !strings.Contains(void.Text, "Nothing was sent") {
		t.Errorf("void reply = %q; want both digests and that nothing was sent", void.Text)
	}
	if n := w.do.Count("POST /v2/apps"); n != 0 {
		t.Fatalf("a void request created %d apps", n)
	}
	again := w.waitMessage("the new request", func(m slacktest.Message) bool {
		return m.Method == "chat.postMessage" && m.ThreadTS == "" && m.TS != card.TS && strings.Contains(m.Text, "asks to launch web") &&
			strings.Contains(string(m.Blocks), `"action_id":"approve"`)
	})
	if !strings.Contains(unescapeJSON(again.Blocks), after) {
		t.Errorf("new request does not show the new digest %s: %s", after, again.Blocks)
	}
	w.click(approver, again, "approve")
	w.waitThread(again.TS, "is live at https://")
	bodies := w.requestBodies("POST /v2/apps")
	if len(bodies) != 1 || !strings.Contains(bodies[0], after) {
		t.Errorf("create bodies = %v; want one naming %s", bodies, after)
	}
	w.stop(sigterm, stopBudget)
	if rows := auditRows(t, w.dbPath, "approval.void"); len(rows) != 1 {
		t.Errorf("void audit rows = %v; want one", rows)
	}
}

// watch sends an app's next cards to another channel, and says where.
func TestWatchRoutesAnAppsCards(t *testing.T) {
	const ops = "COPS1"
	w := newWorld(t)
	w.launchLive("web", "nginx")
	w.run(deployer, "watch web <#"+ops+"|web-ops>")
	w.waitEphemeral(deployer, "now go to <#"+ops+">")
	w.run(viewer, "watch web")
	w.waitEphemeral(viewer, "go to <#"+ops+"> (set by <@"+deployer+">")
	w.run(deployer, "redeploy web")
	w.waitEphemeral(deployer, "the card and progress of this redeploy are there")
	card := w.waitMessage("the routed redeploy card", func(m slacktest.Message) bool {
		return m.Method == "chat.postMessage" && m.ThreadTS == "" && m.Channel == ops && strings.Contains(m.Text+unescapeJSON(m.Blocks), "Redeploying web")
	})
	w.waitUntil("the redeploy's thread in "+ops, func() bool { return w.threadHas(card.TS, "is live") })
	for _, m := range w.slack.Messages() {
		if m.Channel == channel && m.ThreadTS == "" && m.Method == "chat.postMessage" && strings.Contains(m.Text+unescapeJSON(m.Blocks), "Redeploying") {
			t.Errorf("a redeploy card was posted in %s too: %q", channel, m.Text)
		}
	}
}

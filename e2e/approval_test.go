package e2e

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"dobot/internal/slacktest"
	"dobot/store"

	_ "modernc.org/sqlite"
)

var requestIDPattern = regexp.MustCompile(`Request #(\d+)`)

// approvalCard waits for the approval card of what ("teardown web", which
// the card words "tear down web").
func (w *world) approvalCard(what string) slacktest.Message {
	w.t.Helper()
	what = strings.Replace(what, "teardown ", "tear down ", 1)
	return w.waitMessage("approval card for "+what, func(m slacktest.Message) bool {
		return m.Method == "chat.postMessage" && m.ThreadTS == "" && strings.Contains(m.Text, "asks to "+what) &&
			strings.Contains(string(m.Blocks), `"action_id":"approve"`)
	})
}

// requestID reads the request id off a card.
func requestID(t *testing.T, card slacktest.Message) string {
	t.Helper()
	m := requestIDPattern.FindStringSubmatch(card.Text)
	if m == nil {
		t.Fatalf("card %q shows no request id", card.Text)
	}
	return m[1]
}

// click presses an approval card's button as user and waits for the ack.
func (w *world) click(user string, card slacktest.Message, action string) {
	w.t.Helper()
	w.clickValue(user, card, action, requestID(w.t, card))
}

// clickValue presses a button carrying value and waits for the ack.
func (w *world) clickValue(user string, card slacktest.Message, action, value string) {
	w.t.Helper()
	env, err := w.slack.ClickButton(user, card.Channel, card.TS, action, value)
	if err != nil {
		w.t.Fatalf("click %s: %v", action, err)
	}
	w.waitAck(env)
}

// clickView presses a button of a view (a Home tab) as user and waits for
// the ack.
func (w *world) clickView(user, viewID, action string) {
	w.t.Helper()
	env, err := w.slack.ClickViewButton(user, viewID, action, "")
	if err != nil {
		w.t.Fatalf("click %s: %v", action, err)
	}
	w.waitAck(env)
}

// waitAck waits for the bot to ack envelope env.
func (w *world) waitAck(env string) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := w.slack.WaitAck(ctx, env); err != nil {
		w.t.Fatalf("no ack for click: %v", err)
	}
}

// waitCard waits until the card's latest version contains text.
func (w *world) waitCard(card slacktest.Message, text string) slacktest.Message {
	w.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		latest := w.slack.Latest(card.Channel, card.TS)
		if strings.Contains(latest.Text+unescapeJSON(latest.Blocks), text) {
			return latest
		}
		time.Sleep(20 * time.Millisecond)
	}
	w.t.Fatalf("card never showed %q; latest: %+v\n%s", text, w.slack.Latest(card.Channel, card.TS), w.logs)
	return slacktest.Message{}
}

func hasButtons(m slacktest.Message) bool {
	return strings.Contains(string(m.Blocks), `"type":"button"`)
}

func TestApprovalByAnotherApproverRunsTeardownOnce(t *testing.T) {
	w := newWorld(t)
	w.launchLive("web", "nginx")
	w.run(deployer, `teardown web --reason "load test finished"`)
	card := w.approvalCard("teardown web")
	for _, want := range []string{"load test finished", "<@" + deployer + ">", "web"} {
		if !strings.Contains(unescapeJSON(card.Blocks), want) {
			t.Errorf("approval card does not show %q: %s", want, card.Blocks)
		}
	}
	w.waitEphemeral(deployer, "needs approval")
	if n := w.do.Count("DELETE /v2/apps/{id}"); n != 0 {
		t.Fatalf("teardown ran before approval (%d DELETEs)", n)
	}

	w.click(approver, card, "approve")
	w.waitThread(card.TS, "Deleted web")
	latest := w.waitCard(card, "Approved by <@"+approver+">")
	if hasButtons(latest) {
		t.Errorf("decided card still has buttons: %s", latest.Blocks)
	}
	if n := w.do.Count("DELETE /v2/apps/{id}"); n != 1 {
		t.Errorf("DELETE sent %d times; want 1", n)
	}
	// A replayed click changes nothing.
	w.click(approver, card, "approve")
	w.waitEphemeral(approver, "no longer waiting")
	if n := w.do.Count("DELETE /v2/apps/{id}"); n != 1 {
		t.Errorf("DELETE sent %d times after a replayed click; want 1", n)
	}
}

func TestSelfApprovalAndViewerClicksAreRefused(t *testing.T) {
	w := newWorld(t)
	w.seedRolesLive(map[string]string{})
	w.launchLive("web", "nginx")
	// An admin asking is still bound by the two-person rule.
	w.run(admin, "teardown web")
	card := w.approvalCard("teardown web")
	w.click(admin, card, "approve")
	w.waitEphemeral(admin, "someone else must decide")
	w.click(viewer, card, "approve")
	w.waitEphemeral(viewer, "Only an approver or admin")
	w.click(deployer, card, "deny")
	w.waitEphemeral(deployer, "Only an approver or admin")
	if n := w.do.Count("DELETE /v2/apps/{id}"); n != 0 {
		t.Errorf("refused clicks led to %d DELETEs", n)
	}
	if latest := w.slack.Latest(card.Channel, card.TS); !hasButtons(latest) {
		t.Errorf("card lost its buttons after refused clicks: %s", latest.Blocks)
	}
	w.stop(sigterm, stopBudget)
	rows := auditRows(t, w.dbPath, "approval.decision")
	refused := 0
	for _, r := range rows {
		if strings.Contains(r, "refused") {
			refused++
		}
	}
	if refused != 3 {
		t.Errorf("audit has %d refused decisions; want 3:\n%s", refused, strings.Join(rows, "\n"))
	}
}

func TestConcurrentApprovalsRunTheActionOnce(t *testing.T) {
	w := newWorld(t)
	w.launchLive("web", "nginx")
	w.run(deployer, "teardown web")
	card := w.approvalCard("teardown web")
	var wg sync.WaitGroup
	for _, user := range []string{approver, admin, approver, admin} {
		wg.Add(1)
		go func(user string) {
			defer wg.Done()
			if _, err := w.slack.ClickButton(user, card.Channel, card.TS, "approve", requestID(t, card)); err != nil {
				t.Errorf("click: %v", err)
			}
		}(user)
	}
	wg.Wait()
	w.waitThread(card.TS, "Deleted web")
	// Every click is decided once the three that lost say so; only a
	// winning click could have run the teardown again.
	w.waitUntil("three clicks refused as no longer waiting", func() bool {
		refused := 0
		for _, m := range w.slack.Messages() {
			if m.Method == "chat.postEphemeral" && strings.Contains(m.Text, "is no longer waiting") {
				refused++
			}
		}
		return refused >= 3
	})
	if n := w.do.Count("DELETE /v2/apps/{id}"); n != 1 {
		t.Errorf("DELETE sent %d times for four concurrent approvals; want 1", n)
	}
}

func TestDenyAndTextCommands(t *testing.T) {
	w := newWorld(t)
	w.launchLive("web", "nginx")
	w.run(deployer, "teardown web")
	card := w.approvalCard("teardown web")
	id := requestID(t, card)
	w.run(approver, "deny "+id+" not during the freeze")
	w.waitThread(card.TS, "not during the freeze")
	latest := w.waitCard(card, "Denied by <@"+approver+">")
	if hasButtons(latest) {
		t.Errorf("denied card still has buttons")
	}
	// Approving a denied request does nothing.
	w.run(admin, "approve "+id)
	w.waitEphemeral(admin, "no longer waiting")

	w.run(deployer, "teardown web")
	card2 := w.waitMessage("second card", func(m slacktestMessage) bool {
		return m.Method == "chat.postMessage" && m.ThreadTS == "" && m.TS != card.TS && strings.Contains(m.Text, "asks to tear down web")
	})
	w.run(admin, "approve "+requestID(t, card2))
	w.waitThread(card2.TS, "Deleted web")
	if n := w.do.Count("DELETE /v2/apps/{id}"); n != 1 {
		t.Errorf("DELETE sent %d times; want 1", n)
	}
}

func TestRequestsExpire(t *testing.T) {
	w := newWorld(t, withEnv("BOT_APPROVAL_TTL=1s"))
	w.launchLive("web", "nginx")
	w.run(deployer, "teardown web")
	card := w.approvalCard("teardown web")
	latest := w.waitCard(card, "expired")
	if hasButtons(latest) {
		t.Errorf("expired card still has buttons")
	}
	w.waitThread(card.TS, "expired without a decision")
	w.click(approver, card, "approve")
	w.waitEphemeral(approver, "no longer waiting")
	if n := w.do.Count("DELETE /v2/apps/{id}"); n != 0 {
		t.Errorf("expired request ran: %d DELETEs", n)
	}
}

func TestPolicyGlobRequiresApprovalForProdLaunches(t *testing.T) {
	w := newWorld(t)
	w.run(deployer, "policy launch --app prod-* --approval yes")
	w.waitEphemeral(deployer, "needs the admin role")
	w.run(admin, "policy launch --app 'prod-*' --approval yes")
	w.waitEphemeral(admin, "Policy for launch on apps matching prod-* is now")
	w.run(deployer, "launch prod-web --image nginx")
	card := w.approvalCard("launch prod-web")
	if w.do.Count("POST /v2/apps") != 0 {
		t.Fatal("prod launch created an app before approval")
	}
	w.click(approver, card, "approve")
	w.waitThread(card.TS, "is live at https://")
	// Other names still launch at once.
	w.launchLive("dev-web", "nginx")
	w.run(viewer, "policy")
	w.waitEphemeral(viewer, "prod-*")
}

func TestAuditCommandAndCLI(t *testing.T) {
	w := newWorld(t)
	w.launchLive("web", "nginx")
	w.run(viewer, "audit")
	w.waitEphemeral(viewer, "needs the approver role")
	w.run(approver, "audit --app web --since 1h")
	m := w.waitEphemeral(approver, "Audit, newest first")
	if !strings.Contains(m.Text, "do.create_app") || !strings.Contains(m.Text, "<@"+deployer+">") {
		t.Errorf("audit listing = %q; want the launch and its DigitalOcean call", m.Text)
	}
	w.run(approver, "audit --user <@"+deployer+"|dev> --action launch")
	w.waitEphemeral(approver, "launch *web*")
	w.stop(sigterm, stopBudget)

	out, err := exec.Command(botBinary, "audit", "verify").CombinedOutput()
	if err == nil {
		t.Errorf("audit verify without BOT_DB found a database:\n%s", out)
	}
	cmd := exec.Command(botBinary, "audit", "export", "--format", "csv", "--since", "1d")
	cmd.Env = []string{"BOT_DB=" + w.dbPath}
	out, err = cmd.CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "id,time,user_id") || !strings.Contains(string(out), "do.create_app") {
		t.Errorf("audit export = %v\n%s", err, out)
	}
	cmd = exec.Command(botBinary, "audit", "verify")
	cmd.Env = []string{"BOT_DB=" + w.dbPath}
	out, err = cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "intact") {
		t.Errorf("audit verify = %v\n%s", err, out)
	}
}

func TestAuditChannelMirrorsChangesAndDecisions(t *testing.T) {
	const auditChannel = "CAUDIT1"
	w := newWorld(t, withEnv("BOT_AUDIT_CHANNEL="+auditChannel))
	w.launchLive("web", "nginx")
	w.run(deployer, "teardown web")
	card := w.approvalCard("teardown web")
	w.click(approver, card, "approve")
	w.waitThread(card.TS, "Deleted web")
	for _, want := range []string{"do.create_app", "approval.request", "approved", "do.delete_app"} {
		w.waitMessage("audit line "+want, func(m slacktestMessage) bool {
			return m.Method == "chat.postMessage" && m.Channel == auditChannel && strings.Contains(m.Text, want)
		})
	}
	w.stop(sigterm, stopBudget)

	// The bot said where its generated audit key is, and never the key.
	keyFile := store.AuditKeyPath(w.dbPath)
	key, err := store.ReadAuditKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if logs := w.logs.String(); !strings.Contains(logs, keyFile) || strings.Contains(logs, string(key)) {
		t.Errorf("start-up log does not name the key file %s, or shows the key:\n%s", keyFile, logs)
	}

	// Every audit channel line carries its row's id and hash prefix, which
	// match the database: the channel is a copy of the chain.
	hashes := map[int64]string{}
	for _, line := range auditRows(t, w.dbPath, "") {
		var id int64
		var hash string
		fmt.Sscanf(line, "%d %s", &id, &hash)
		hashes[id] = hash
	}
	refPattern := regexp.MustCompile("^`#([0-9]+) · ([0-9a-f]{8})` ")
	var head string
	var headID int64
	for _, m := range w.slack.Messages() {
		if m.Method != "chat.postMessage" || m.Channel != auditChannel {
			continue
		}
		sub := refPattern.FindStringSubmatch(m.Text)
		if sub == nil {
			t.Errorf("audit channel line %q does not start with its row's #id · hash", m.Text)
			continue
		}
		var id int64
		fmt.Sscan(sub[1], &id)
		if !strings.HasPrefix(hashes[id], sub[2]) {
			t.Errorf("audit channel line %q: row %d's hash is %.8s", m.Text, id, hashes[id])
		}
		if id > headID {
			headID, head = id, sub[1]+":"+sub[2]
		}
	}
	verify := func() (string, error) {
		cmd := exec.Command(botBinary, "audit", "verify", "--head", head)
		cmd.Env = []string{"BOT_DB=" + w.dbPath}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := verify(); err != nil || !strings.Contains(out, "intact") {
		t.Fatalf("audit verify --head %s = %v\n%s", head, err, out)
	}

	// Cutting the trail back before the last line, and lowering the
	// sequence to hide it, is caught against the channel's copy.
	raw, err := sql.Open("sqlite", w.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, stmt := range []string{
		"DROP TRIGGER audit_no_delete",
		fmt.Sprintf("DELETE FROM audit WHERE id >= %d", headID),
		fmt.Sprintf("UPDATE sqlite_sequence SET seq = %d WHERE name = 'audit'", headID-1),
		`CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'audit rows are append-only: delete refused');
END`,
	} {
		if _, err := raw.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	raw.Close()
	out, err := verify()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(out, fmt.Sprintf("row %d: missing", headID)) {
		t.Errorf("audit verify --head %s after truncation = %v\n%s\nwant exit 1 naming row %d", head, err, out, headID)
	}
}

// auditRows reads audit rows of action from the database as text; with no
// action, every row as its id and hash.
func auditRows(t *testing.T, path, action string) []string {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out []string
	err = db.AuditAll(context.Background(), time.Time{}, func(e auditEntry) error {
		if action == "" {
			out = append(out, fmt.Sprintf("%d %s", e.ID, e.Hash))
		} else if e.Action == action {
			out = append(out, fmt.Sprintf("%s %s %s %s %s", e.UserID, e.Action, e.Decision, e.Outcome, e.Error))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// unescapeJSON undoes Go's HTML-safe escaping in JSON, so tests can look for
// Slack markup like <@U123> in blocks.
func unescapeJSON(b []byte) string {
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(b))
}

func TestAuditVerifyCatchesAnEditedRow(t *testing.T) {
	w := newWorld(t)
	w.launchLive("web", "nginx")
	w.stop(sigterm, stopBudget)
	verify := func() (string, error) {
		cmd := exec.Command(botBinary, "audit", "verify")
		cmd.Env = []string{"BOT_DB=" + w.dbPath}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := verify(); err != nil {
		t.Fatalf("audit verify on an untouched trail = %v\n%s", err, out)
	}
	// Someone with the file rewrites who launched the app.
	raw, err := sql.Open("sqlite", w.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"DROP TRIGGER audit_no_update",
		"UPDATE audit SET user_id = 'UINNOCENT' WHERE id = 2",
	} {
		if _, err := raw.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	raw.Close()
	out, err := verify()
	if err == nil {
		t.Fatalf("audit verify passed an edited trail:\n%s", out)
	}
	if !strings.Contains(out, "2") {
		t.Errorf("audit verify output %q does not name the edited row", out)
	}
}

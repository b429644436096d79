package commands_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"dobot"
	"dobot/commands"
)

// waitOp waits until operation id reaches a final state.
func (h *harness) waitOp(t *testing.T, id int64) dobot.Operation {
	t.Helper()
	var op dobot.Operation
	waitFor(t, fmt.Sprintf("operation %d to finish", id), func() bool {
		var err error
		op, err = h.db.Operation(context.Background(), id)
		return err == nil && op.State.Final()
	})
	return op
}

func TestSecretValuesLeaveTheStoreOnceSent(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.grant(t, "UAPP", dobot.RoleApprover)
	ctx := context.Background()

	h.run("UDEP", "launch web --image nginx --secret DB_URL=pg-secret-1 --env MODE=plain")
	op := h.waitOp(t, 1)
	if op.State != dobot.OpSucceeded {
		t.Fatalf("launch ended %s: %s", op.State, op.Error)
	}
	if strings.Contains(op.Args, "pg-secret-1") || strings.Contains(op.Args, "dobot-sealed") || !strings.Contains(op.Args, "DB_URL") {
		t.Errorf("launch args after the create = %s; want the key without its value", op.Args)
	}
	if !strings.Contains(op.CommandText, "DB_URL=•••") || strings.Contains(op.CommandText, "plain") {
		t.Errorf("stored command = %q; want every value masked", op.CommandText)
	}

	// Waiting for approval, the value is stored sealed, never in the clear.
	if err := h.db.SetPolicy(ctx, dobot.Policy{Action: commands.ActionLaunch, Role: dobot.RoleDeployer, NeedsApproval: true, UpdatedBy: "test"}); err != nil {
		t.Fatal(err)
	}
	h.run("UDEP", "launch api --image nginx --env API_TOKEN=tok-secret-2")
	waiting, err := h.db.Operation(ctx, 2)
	if err != nil || waiting.State != dobot.OpAwaitingApproval {
		t.Fatalf("request = %+v, %v; want it waiting", waiting, err)
	}
	if strings.Contains(waiting.Args, "tok-secret-2") || !strings.Contains(waiting.Args, "dobot-sealed") {
		t.Errorf("waiting args = %s; want the value sealed", waiting.Args)
	}
	h.run("UAPP", "deny 2 not now")
	if denied, _ := h.db.Operation(ctx, 2); strings.Contains(denied.Args, "dobot-sealed") {
		t.Errorf("denied args = %s; want the sealed value dropped", denied.Args)
	}

	// DigitalOcean got both secrets as SECRET; never a GENERAL secret.
	for _, r := range h.do.Requests() {
		if r.Route == "POST /v2/apps" && !strings.Contains(string(r.Body), `"key":"DB_URL","value":"pg-secret-1","scope":"RUN_TIME","type":"SECRET"`) {
			t.Errorf("create body = %s; want DB_URL as SECRET", r.Body)
		}
	}
	for _, s := range h.chat.all() {
		if strings.Contains(s, "pg-secret-1") || strings.Contains(s, "tok-secret-2") || strings.Contains(s, "plain") {
			t.Errorf("a message shows a value: %s", s)
		}
	}
}

// all is every message the bot sent, as text.
func (c *recordingChat) all() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, s := range c.sent {
		m := s.Msg
		text := m.Text + "\n" + m.Title + "\n" + m.Body + "\n" + m.Footer
		for _, f := range m.Fields {
			text += "\n" + f.Label + ": " + f.Value
		}
		out = append(out, text)
	}
	return out
}

func TestCommandTextOverTheLimitIsRefusedAndStoredCut(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	long := "launch web --image nginx --reason " + strings.Repeat("y", 100_000)
	reply := h.run("UDEP", long)
	if !strings.Contains(reply, "100034 characters") || !strings.Contains(reply, "limit is 4000") || len(reply) > 500 {
		t.Errorf("reply = %.300q (%d bytes); want the length and the limit, briefly", reply, len(reply))
	}
	if n := len(h.do.Requests()); n != 0 {
		t.Errorf("DigitalOcean got %d requests; want none", n)
	}
	rows, err := h.db.Audit(context.Background(), dobot.AuditFilter{Limit: 10})
	if err != nil || len(rows) != 1 {
		t.Fatalf("audit rows = %v, %v; want 1", rows, err)
	}
	if got := []rune(rows[0].CommandText); len(got) > 4100 || !strings.Contains(rows[0].CommandText, "…[cut: 100034 characters]") {
		t.Errorf("stored command has %d characters, ending %q; want at most 4000 and a marker", len(got), string(got[max(0, len(got)-40):]))
	}
}

func TestSealedSecretsDoNotSurviveARestart(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.grant(t, "UAPP", dobot.RoleApprover)
	ctx := context.Background()
	if err := h.db.SetPolicy(ctx, dobot.Policy{Action: commands.ActionLaunch, Role: dobot.RoleDeployer, NeedsApproval: true, UpdatedBy: "test"}); err != nil {
		t.Fatal(err)
	}
	h.run("UDEP", "launch api --image nginx --secret DB_URL=lost-secret-3")

	// A second bot over the same database with another key stands for a
	// bot whose BOT_AUDIT_KEY was replaced: the sealed value cannot be
	// opened, and nothing is sent without it.
	restarted, err := commands.New(commands.Config{Region: "nyc3"}, commands.Deps{Store: h.db, Cloud: h.cloud, Chat: h.chat, Watcher: h.watcher, SecretKey: h.db.DeriveKey("another purpose")})
	if err != nil {
		t.Fatal(err)
	}
	restarted.Handle(ctx, commands.Request{Ref: "r2", UserID: "UAPP", ChannelID: "C1", Text: "approve 1"})
	op := h.waitOp(t, 1)
	if op.State != dobot.OpFailed {
		t.Errorf("approved after a key change: state %s; want failed", op.State)
	}
	// The operation is finished before its final reply is posted.
	waitFor(t, "the reply saying why", func() bool { return strings.Contains(strings.Join(h.chat.all(), "\n"), "cannot be opened") })
	for _, r := range h.do.Requests() {
		if r.Route == "POST /v2/apps" {
			t.Errorf("created an app without its secret: %s", r.Body)
		}
	}
}

// A request waiting for approval keeps its secrets across a restart: the
// key is derived from the audit key, which outlives the process, and the
// value reaches DigitalOcean as SECRET once approved.
func TestSealedSecretsSurviveARestartWithTheSameKey(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.grant(t, "UAPP", dobot.RoleApprover)
	ctx := context.Background()
	if err := h.db.SetPolicy(ctx, dobot.Policy{Action: commands.ActionLaunch, Role: dobot.RoleDeployer, NeedsApproval: true, UpdatedBy: "test"}); err != nil {
		t.Fatal(err)
	}
	first, err := commands.New(commands.Config{Region: "nyc3"}, commands.Deps{Store: h.db, Cloud: h.cloud, Chat: h.chat, Watcher: h.watcher, SecretKey: h.db.DeriveKey("secret values v1")})
	if err != nil {
		t.Fatal(err)
	}
	first.Handle(ctx, commands.Request{Ref: "r1", UserID: "UDEP", ChannelID: "C1", Text: "launch api --image nginx --secret DB_URL=kept-secret-4"})
	restarted, err := commands.New(commands.Config{Region: "nyc3"}, commands.Deps{Store: h.db, Cloud: h.cloud, Chat: h.chat, Watcher: h.watcher, SecretKey: h.db.DeriveKey("secret values v1")})
	if err != nil {
		t.Fatal(err)
	}
	if err := restarted.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	// The test's context ends before cleanup; the store is closed only
	// after the launch this bot runs has stopped (cleanups run last first).
	t.Cleanup(restarted.Wait)
	restarted.Handle(ctx, commands.Request{Ref: "r2", UserID: "UAPP", ChannelID: "C1", Text: "approve 1"})
	waitFor(t, "the create", func() bool { return h.do.Count("POST /v2/apps") == 1 })
	for _, r := range h.do.Requests() {
		if r.Route == "POST /v2/apps" && (!strings.Contains(string(r.Body), "kept-secret-4") || !strings.Contains(string(r.Body), `"SECRET"`)) {
			t.Errorf("create body = %s; want the secret value, typed SECRET", r.Body)
		}
	}
}

func TestDryRunShowsNoValueOfTheLiveSpec(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.grant(t, "UOTHER", dobot.RoleDeployer)
	h.run("UDEP", "launch web --image nginx --env MODE=visible-value-4 --secret TOKEN_A=hidden-value-5")
	if op := h.waitOp(t, 1); op.State != dobot.OpSucceeded {
		t.Fatalf("launch ended %s: %s", op.State, op.Error)
	}
	got := h.run("UOTHER", "redeploy web --dry-run")
	if !strings.Contains(got, "Dry run of redeploy web") || !strings.Contains(got, `"key": "MODE"`) || !strings.Contains(got, `"type": "SECRET"`) {
		t.Fatalf("dry run = %q; want the spec with its keys and types", got)
	}
	for _, v := range []string{"visible-value-4", "hidden-value-5", "EV["} {
		if strings.Contains(got, v) {
			t.Errorf("dry run shows %q:\n%s", v, got)
		}
	}
}

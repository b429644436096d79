package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/commands"
)

// holdsHarness has a deployer UDEP, a second deployer UDEP2, an approver
// UAPP, an admin UADM and a viewer UVIEW.
func holdsHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	for u, r := range map[string]dobot.Role{"UDEP": dobot.RoleDeployer, "UDEP2": dobot.RoleDeployer, "UAPP": dobot.RoleApprover,
		"UADM": dobot.RoleAdmin, "UVIEW": dobot.RoleViewer} {
		h.grant(t, u, r)
	}
	return h
}

// live runs a launch of name as UDEP and waits for it to succeed.
func (h *harness) live(t *testing.T, name string) {
	t.Helper()
	h.run("UDEP", "launch "+name+" --image nginx")
	h.waitIdle(t, name)
	if _, err := h.db.App(context.Background(), name); err != nil {
		t.Fatalf("%s was not launched: %v\n%s", name, err, strings.Join(h.chat.all(), "\n"))
	}
}

// waitIdle waits until no operation holds name.
func (h *harness) waitIdle(t *testing.T, name string) {
	t.Helper()
	waitFor(t, name+" to be idle", func() bool {
		_, err := h.db.ActiveOperation(context.Background(), name)
		return err != nil
	})
}

// plain is every message sent, tokens as plain text (@U…, #C…).
// expireNow moves name's TTL expiry to a second ago.
func (h *harness) expireNow(t *testing.T, name string) {
	t.Helper()
	ctx := context.Background()
	app, err := h.db.App(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := h.db.UpdateAppExpiry(ctx, name, app.ExpiresAt, time.Now().Add(-time.Second), true); err != nil || !ok {
		t.Fatalf("expire %s now: %v %v", name, ok, err)
	}
}

func (h *harness) plain() string { return readable(strings.Join(h.chat.all(), "\n")) }

func (h *harness) answer(user, text string) string { return readable(h.run(user, text)) }

func TestLockBlocksEveryChangeAndSaysWhoWhenAndWhy(t *testing.T) {
	h := holdsHarness(t)
	h.live(t, "web")
	if got := h.answer("UVIEW", `lock web --reason "mine"`); !strings.Contains(got, "needs the deployer role") {
		t.Errorf("viewer's lock answered %q; want the deployer refusal", got)
	}
	h.run("UDEP2", `lock web --reason "incident 311 <!channel>"`)
	if got := h.answer("UDEP", `lock web --reason "me too"`); !strings.Contains(got, "already locked by @UDEP2") {
		t.Errorf("second lock answered %q; want who holds it", got)
	}
	before := len(h.do.Requests())
	for _, cmd := range []string{"redeploy web", "rollback web", "teardown web", "launch web --image nginx"} {
		raw := h.run("UDEP", cmd) // as Slack gets it: the reason escaped
		if !strings.Contains(raw, "incident 311 &lt;!channel&gt;") {
			t.Errorf("%s answered %q; want the reason escaped", cmd, raw)
		}
		got := readable(raw)
		for _, want := range []string{"web is locked by @UDEP2 since ", "/do unlock web", "Nothing was changed"} {
			if !strings.Contains(got, want) {
				t.Errorf("%s answered %q; want %q", cmd, got, want)
			}
		}
	}
	if n := len(h.do.Requests()) - before; n != 0 {
		t.Errorf("refused commands sent %d DigitalOcean requests; want none", n)
	}
	// Only the holder or an admin lifts it.
	if got := h.answer("UDEP", "unlock web"); !strings.Contains(got, "only they or an admin may unlock it") {
		t.Errorf("another deployer's unlock answered %q", got)
	}
	if got := h.answer("UVIEW", "unlock web"); !strings.Contains(got, "needs the deployer role") {
		t.Errorf("viewer's unlock answered %q", got)
	}
	h.run("UDEP2", "unlock web")
	if _, err := h.db.AppLock(context.Background(), "web"); err == nil {
		t.Fatal("the holder's unlock left the lock")
	}
	if !strings.Contains(h.plain(), "@UDEP2 unlocked web.") {
		t.Errorf("no unlock announcement:\n%s", h.plain())
	}
	h.run("UDEP", "redeploy web")
	h.waitIdle(t, "web")
	if n := h.do.Count("POST /v2/apps/{app_id}/deployments"); n != 1 {
		t.Errorf("redeploy after unlock created %d deployments; want 1", n)
	}

	// An admin lifts anyone's; the announcement names the holder.
	h.run("UDEP", `lock web --reason "again"`)
	h.run("UADM", "unlock web")
	if !strings.Contains(h.plain(), "@UADM unlocked web (locked by @UDEP since") {
		t.Errorf("admin unlock not announced with the holder:\n%s", h.plain())
	}
	rows, _ := h.db.Audit(context.Background(), dobot.AuditFilter{Target: "web", Action: "lock"})
	if len(rows) < 2 {
		t.Errorf("lock audit rows = %+v; want started and ok rows", rows)
	}
}

func TestLockOfAnUnlaunchedNameBlocksItsLaunchAndShowsInList(t *testing.T) {
	h := holdsHarness(t)
	h.live(t, "api")
	h.run("UDEP2", `lock web --reason "name reserved"`)
	h.run("UDEP2", `lock api --reason "db migration"`)
	if got := h.answer("UDEP", "launch web --image nginx"); !strings.Contains(got, "web is locked by @UDEP2") {
		t.Errorf("launch of a locked name answered %q", got)
	}
	list := h.answer("UVIEW", "list")
	for _, want := range []string{"api* (app)", "locked by @UDEP2 since", "db migration", "web locked by @UDEP2", "(not launched)"} {
		if !strings.Contains(list, want) {
			t.Errorf("list = %q; want %q", list, want)
		}
	}
	status := h.answer("UVIEW", "status")
	if !strings.Contains(status, "api locked by @UDEP2") {
		t.Errorf("status = %q; want the lock", status)
	}
	h.run("UVIEW", "status api")
	if !strings.Contains(h.plain(), "api locked by @UDEP2 since") {
		t.Errorf("status api shows no lock:\n%s", h.plain())
	}
	holds, err := h.bot.HoldsForTest(context.Background())
	if err != nil || len(holds.Lines()) != 2 {
		t.Errorf("Holds().Lines() = %q, %v; want two locks", holds.Lines(), err)
	}
}

func TestFreezeStopsShippingAndBreakGlassOverridesIt(t *testing.T) {
	h := holdsHarness(t)
	ctx := context.Background()
	h.live(t, "prod-web")
	if got := h.answer("UDEP", `freeze 1h --reason "release"`); !strings.Contains(got, "needs the admin role") {
		t.Errorf("deployer freeze answered %q", got)
	}
	h.run("UADM", `freeze --app 'prod-*' 2h --reason "incident 311"`)
	if !strings.Contains(h.plain(), "@UADM froze deploys on apps matching prod-* until") {
		t.Fatalf("freeze not announced:\n%s", h.plain())
	}
	for _, cmd := range []string{"redeploy prod-web", "launch prod-api --image nginx", "rollback prod-web"} {
		if got := h.answer("UDEP", cmd); !strings.Contains(got, "deploys to ") || !strings.Contains(got, "are frozen until") || !strings.Contains(got, "@UADM") ||
			!strings.Contains(got, "incident 311") || !strings.Contains(got, "--break-glass REASON") {
			t.Errorf("%s answered %q; want the freeze, who and why", cmd, got)
		}
	}
	// Nor a dry run, which changes nothing; nor other apps.
	h.run("UDEP", "redeploy prod-web --dry-run")
	if got := h.plain(); strings.Contains(readable(h.chat.lastEphemeral("UDEP")), "frozen") {
		t.Errorf("a dry run was refused by the freeze:\n%s", got)
	}
	h.live(t, "dev-web")

	if got := h.answer("UDEP", `redeploy prod-web --break-glass "hotfix"`); !strings.Contains(got, "only an admin may use --break-glass") {
		t.Errorf("deployer break-glass answered %q", got)
	}
	if got := h.answer("UADM", `redeploy dev-web --break-glass "hotfix"`); !strings.Contains(got, "no glass to break") {
		t.Errorf("break-glass on a free app answered %q", got)
	}
	if got := h.answer("UADM", `redeploy prod-web --break-glass --reason x`); !strings.Contains(got, "--break-glass takes the reason as its value") {
		t.Errorf("break-glass without a reason answered %q", got)
	}
	h.run("UADM", `redeploy prod-web --break-glass "hotfix for 311"`)
	h.waitIdle(t, "prod-web")
	rows, err := h.db.Audit(ctx, dobot.AuditFilter{Action: "break-glass"})
	if err != nil || len(rows) != 1 || !strings.Contains(rows[0].Details, `reason="hotfix for 311"`) || !strings.Contains(rows[0].Details, "freeze=prod-* freeze_by=UADM") {
		t.Errorf("break-glass audit rows = %+v, %v; want one naming the reason and the freeze", rows, err)
	}
	if !strings.Contains(h.plain(), "Break-glass: @UADM runs redeploy prod-web despite the hold") {
		t.Errorf("no break-glass note in the thread:\n%s", h.plain())
	}

	list := h.answer("UVIEW", "list")
	if !strings.Contains(list, "Deploys frozen on apps matching prod-* until") {
		t.Errorf("list = %q; want the freeze", list)
	}
	if got := h.answer("UADM", "unfreeze"); !strings.Contains(got, "no freeze on every app is in force") || !strings.Contains(got, "/do unfreeze --app 'prod-*'") {
		t.Errorf("unfreeze of the wrong glob answered %q", got)
	}
	h.run("UADM", "unfreeze --app 'prod-*'")
	if fs, _ := h.db.Freezes(ctx, time.Now()); len(fs) != 0 {
		t.Fatalf("freezes after unfreeze = %+v", fs)
	}
	h.run("UDEP", "redeploy prod-web")
	h.waitIdle(t, "prod-web")
	if n := h.do.Count("POST /v2/apps/{app_id}/deployments"); n != 2 {
		t.Errorf("deployments = %d; want the break-glass one and the one after unfreeze", n)
	}
}

// A lock holds a TTL expiry back: the bot says so once in the app's
// thread, and tears the app down once the lock is lifted.
func TestLockHoldsExpiryUntilUnlocked(t *testing.T) {
	h := holdsHarness(t)
	ctx := context.Background()
	h.run("UDEP", "launch web --image nginx --ttl 1h")
	h.waitIdle(t, "web")
	h.run("UDEP2", `lock web --reason "keep for the post-mortem"`)
	h.expireNow(t, "web")
	waitFor(t, "the held-expiry note", func() bool {
		return strings.Contains(h.plain(), "reached the end of its TTL, but @UDEP2 holds it locked")
	})
	// Several checks later, still one note and no delete.
	waitFor(t, "a refused expiry audit row", func() bool {
		rows, _ := h.db.Audit(ctx, dobot.AuditFilter{Action: "ttl.expired"})
		return len(rows) == 1 && rows[0].Decision == "refused"
	})
	if n := h.do.Count("DELETE /v2/apps/{id}"); n != 0 {
		t.Fatalf("locked app was deleted (%d DELETEs)", n)
	}
	h.run("UDEP2", "unlock web")
	waitFor(t, "the expiry teardown", func() bool { return h.do.Count("DELETE /v2/apps/{id}") == 1 })
	if n := strings.Count(h.plain(), "holds it locked"); n != 1 {
		t.Errorf("held-expiry note posted %d times; want once", n)
	}
}

func TestWatchRoutesTheNextCardsAndShowsWhere(t *testing.T) {
	h := holdsHarness(t)
	h.live(t, "web")
	if got := h.answer("UVIEW", "watch web"); !strings.Contains(got, "go where each command is typed") {
		t.Errorf("watch web answered %q", got)
	}
	if got := h.answer("UVIEW", "watch web #COPS"); !strings.Contains(got, "needs the deployer role") {
		t.Errorf("viewer's watch answered %q", got)
	}
	h.run("UDEP", "watch web #COPS")
	if got := h.answer("UVIEW", "watch web"); !strings.Contains(got, "go to #COPS (set by @UDEP") {
		t.Errorf("watch web after routing answered %q", got)
	}
	h.run("UDEP", "redeploy web")
	h.waitIdle(t, "web")
	var inOps, inC1 int
	h.chat.mu.Lock()
	for _, s := range h.chat.sent {
		if s.Kind == "post" && strings.Contains(s.Msg.Title+s.Msg.Text, "redeploy") {
			switch s.Channel {
			case "COPS":
				inOps++
			case "C1":
				inC1++
			}
		}
	}
	h.chat.mu.Unlock()
	if inOps != 1 || inC1 != 0 {
		t.Errorf("redeploy cards: %d in COPS, %d in C1; want 1 and 0\n%s", inOps, inC1, h.plain())
	}
	h.run("UDEP", "watch web --off")
	if _, err := h.db.Route(context.Background(), "web"); err == nil {
		t.Error("watch --off left the route")
	}
	rows, _ := h.db.Audit(context.Background(), dobot.AuditFilter{Action: "watch"})
	if len(rows) == 0 {
		t.Error("watch was not audited")
	}
}

func TestHoldCommandsParse(t *testing.T) {
	tbl, err := commands.NewTable(commands.StandardCommandsForTest()...)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in, wantErr string
	}{
		{"lock web", "lock needs --reason TEXT"},
		{"lock --reason x", "lock takes one app name"},
		{"lock Web! --reason x", "app name"},
		{"unlock", "unlock takes one app name"},
		{"freeze --reason x", "freeze takes one duration"},
		{"freeze 10s --reason x", "from 1m to 30d"},
		{"freeze 31d --reason x", "from 1m to 30d"},
		{"freeze 2h", "freeze needs --reason TEXT"},
		{"freeze --app 'PROD_*' 2h --reason x", "glob"},
		{"unfreeze now", "unfreeze takes only --app GLOB"},
		{"watch", "watch takes an app name"},
		{"watch web #general", "is not a channel the bot can name"},
		{"watch web COPS --off", "a channel or --off, not both"},
		{"teardown web --break-glass", "needs a value"},
		{"launch web --image nginx --break-glass ''", "takes the reason as its value"},
		{"freeze 2h --reason ok", ""},
		{"freeze 1d12h --app 'prod-*' --reason ok", ""},
		{"watch web #C0123ABCD", ""},
		{"watch web #C0123ABCD", ""},
		{"rollback web --break-glass 'incident 9'", ""},
	}
	for _, tt := range tests {
		_, _, err := tbl.Parse(tt.in, commands.Config{Region: "nyc3"})
		got := ""
		if err != nil {
			got = err.Error()
		}
		if (tt.wantErr == "") != (err == nil) || !strings.Contains(got, tt.wantErr) {
			t.Errorf("Parse(%q) = %v; want an error containing %q", tt.in, err, tt.wantErr)
		}
	}
}

// An approval is bound to the digest asked for: a tag pushed again before
// the click voids the request, sends nothing, and a new request asks for
// the new digest.
func TestApprovalVoidedWhenTheTagMoves(t *testing.T) {
	h := holdsHarness(t)
	ctx := context.Background()
	h.do.AddRegistry("acme", "nyc3")
	h.pushDOCR(t, "acme", "voidme", "1.0", "8080/tcp")
	h.run("UADM", "policy launch --approval yes")
	h.run("UDEP", "launch web --image registry.digitalocean.com/acme/voidme:1.0")
	first := testRegistry(t).Digest("registry.digitalocean.com/acme/voidme:1.0")
	if b, err := h.db.Binding(ctx, 1); err != nil || b.Digest != first || b.SpecHash == "" {
		t.Fatalf("binding of request 1 = %+v, %v; want digest %s and a hash", b, err, first)
	}
	h.pushDOCR(t, "acme", "voidme", "1.0", "9090/tcp")
	second := testRegistry(t).Digest("registry.digitalocean.com/acme/voidme:1.0")
	if second == first {
		t.Fatal("pushing again did not move the tag")
	}
	h.run("UAPP", "approve 1")
	op, err := h.db.Operation(ctx, 1)
	if err != nil || op.State != dobot.OpCanceled || !strings.Contains(op.Error, "void: the tag") {
		t.Fatalf("request 1 = %s %q, %v; want canceled as void", op.State, op.Error, err)
	}
	if n := h.do.Count("POST /v2/apps"); n != 0 {
		t.Fatalf("a void request created %d apps", n)
	}
	for _, want := range []string{"Request #1 void: launch web", "was approved by @UAPP, but it is void: the tag registry.digitalocean.com/acme/voidme:1.0 was pushed again",
		"now names " + second + ", not " + first, "Nothing was sent. Request #2 asks again"} {
		if !strings.Contains(h.plain(), want) {
			t.Errorf("messages lack %q:\n%s", want, h.plain())
		}
	}
	rows, _ := h.db.Audit(ctx, dobot.AuditFilter{Action: "approval.void"})
	if len(rows) != 1 || rows[0].UserID != "UAPP" {
		t.Errorf("void audit rows = %+v; want one by the approver", rows)
	}
	again, err := h.db.Operation(ctx, 2)
	if err != nil || again.State != dobot.OpAwaitingApproval || again.Requester != "UDEP" || !strings.Contains(again.Args, second) {
		t.Fatalf("request 2 = %+v, %v; want UDEP's, waiting, for %s", again, err, second)
	}
	h.run("UAPP", "approve 2")
	if op := h.waitOp(t, 2); op.State != dobot.OpSucceeded {
		t.Fatalf("request 2 ended %s: %s", op.State, op.Error)
	}
	if app, err := h.db.App(ctx, "web"); err != nil || app.ImageDigest != second {
		t.Errorf("app = %+v, %v; want it running %s", app, err, second)
	}
}

// A change to the app's spec made elsewhere while a redeploy waits voids
// it: approving would overwrite that change.
func TestApprovalVoidedWhenTheSpecChanged(t *testing.T) {
	h := holdsHarness(t)
	ctx := context.Background()
	h.live(t, "web")
	h.run("UADM", "policy redeploy --approval yes")
	h.run("UDEP", "redeploy web --env MODE=fast")
	app, err := h.db.App(ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := h.client.Apps.Get(ctx, app.ResourceID)
	if err != nil {
		t.Fatal(err)
	}
	spec := got.Spec
	spec.Services[0].Envs = append(spec.Services[0].Envs, &godo.AppVariableDefinition{Key: "OTHER", Value: "set in the console"})
	if _, _, err := h.client.Apps.Update(ctx, app.ResourceID, &godo.AppUpdateRequest{Spec: spec}); err != nil {
		t.Fatal(err)
	}
	changes := func() int {
		n := 0
		for _, r := range h.do.Requests() {
			if strings.HasPrefix(r.Route, "PUT ") || strings.HasSuffix(r.Route, "/deployments") && strings.HasPrefix(r.Route, "POST ") {
				n++
			}
		}
		return n
	}
	deploys := changes()
	h.run("UAPP", "approve 2")
	op, err := h.db.Operation(ctx, 2)
	if err != nil || op.State != dobot.OpCanceled || !strings.Contains(op.Error, "spec on DigitalOcean was changed") {
		t.Fatalf("request 2 = %s %q, %v; want void", op.State, op.Error, err)
	}
	if n := changes(); n != deploys {
		t.Errorf("a void redeploy sent %d changes", n-deploys)
	}
	if !strings.Contains(h.plain(), "@UDEP, ask again if it is still needed") {
		t.Errorf("void card does not ask the requester again:\n%s", h.plain())
	}
}

// A lock placed while a request waits stops its approval, which changes
// nothing: the request keeps waiting and runs once the lock is lifted. The
// holder may lift their own lock even after losing their role.
func TestLockPlacedWhileARequestWaitsStopsItsApproval(t *testing.T) {
	h := holdsHarness(t)
	ctx := context.Background()
	h.live(t, "web")
	h.run("UADM", "policy teardown --approval yes")
	h.run("UDEP", "teardown web")
	h.run("UDEP2", `lock web --reason "keep it"`)
	if got := h.answer("UAPP", "approve 2"); !strings.Contains(got, "Request #2 cannot be approved now: web is locked by @UDEP2") {
		t.Errorf("approve under a lock answered %q", got)
	}
	if op, _ := h.db.Operation(ctx, 2); op.State != dobot.OpAwaitingApproval {
		t.Fatalf("request 2 is %s after a refused approval; want still waiting", op.State)
	}
	h.grant(t, "UDEP2", dobot.RoleViewer)
	h.run("UDEP2", "unlock web")
	if _, err := h.db.AppLock(ctx, "web"); err == nil {
		t.Fatal("the demoted holder could not lift their own lock")
	}
	h.run("UAPP", "approve 2")
	if op := h.waitOp(t, 2); op.State != dobot.OpSucceeded {
		t.Errorf("teardown after unlock ended %s: %s", op.State, op.Error)
	}
}

// --break-glass on a request that needs approval: the request says so in
// its card's thread, and the approval runs it despite the freeze, audited
// as the override.
func TestBreakGlassThroughAnApproval(t *testing.T) {
	h := holdsHarness(t)
	ctx := context.Background()
	h.live(t, "web")
	h.run("UADM", "policy redeploy --approval yes")
	h.run("UADM", `freeze 1h --reason "quiet period"`)
	h.run("UADM", `redeploy web --break-glass "security fix"`)
	if op, err := h.db.Operation(ctx, 2); err != nil || op.State != dobot.OpAwaitingApproval {
		t.Fatalf("request 2 = %+v, %v; want waiting", op, err)
	}
	if !strings.Contains(h.plain(), "Break-glass: @UADM runs redeploy web despite the hold") {
		t.Errorf("no break-glass note on the request:\n%s", h.plain())
	}
	h.run("UAPP", "approve 2")
	if op := h.waitOp(t, 2); op.State != dobot.OpSucceeded {
		t.Fatalf("approved break-glass redeploy ended %s: %s", op.State, op.Error)
	}
	rows, _ := h.db.Audit(ctx, dobot.AuditFilter{Action: "break-glass"})
	var outcomes []string
	for _, r := range rows {
		outcomes = append(outcomes, r.Outcome)
	}
	if strings.Join(outcomes, ",") != "override,requested" {
		t.Errorf("break-glass outcomes, newest first = %v; want override,requested", outcomes)
	}
	// Without --break-glass, the same request waits for the freeze to end.
	if got := h.answer("UDEP", "redeploy web"); !strings.Contains(got, "are frozen until") {
		t.Errorf("redeploy under the freeze answered %q", got)
	}
}

// The operations the bot starts on its own follow the route too: a TTL
// expiry's teardown gets its card in the watched channel.
func TestWatchRoutesAnExpiryTeardown(t *testing.T) {
	h := holdsHarness(t)
	h.run("UDEP", "launch web --image nginx --ttl 1h")
	h.waitIdle(t, "web")
	h.run("UDEP", "watch web C0PS2")
	h.expireNow(t, "web")
	waitFor(t, "the expiry teardown", func() bool { return h.do.Count("DELETE /v2/apps/{id}") == 1 })
	h.waitIdle(t, "web")
	h.chat.mu.Lock()
	sent := append([]sent(nil), h.chat.sent...)
	h.chat.mu.Unlock()
	var card string
	for _, s := range sent {
		if s.Kind == "post" && s.Channel == "C0PS2" && strings.Contains(s.Msg.Title+s.Msg.Text, "web") && len(s.Msg.Fields) > 0 {
			card = s.TS
		}
	}
	if card == "" {
		t.Fatalf("no teardown card in C0PS2:\n%s", readable(strings.Join(h.chat.all(), "\n")))
	}
	replies := 0 // the recording chat keeps no thread parent: count the channel's replies
	for _, s := range sent {
		if s.Kind == "reply" && s.Channel == "C0PS2" {
			replies++
		}
	}
	if replies == 0 {
		t.Errorf("the expiry teardown's thread in C0PS2 has no replies")
	}
}

func TestListShowsHoldsWhenNothingIsManaged(t *testing.T) {
	h := holdsHarness(t)
	h.run("UDEP", `lock web --reason "reserved"`)
	h.run("UADM", `freeze 1h --reason "release"`)
	got := h.answer("UVIEW", "list")
	for _, want := range []string{"manages nothing yet", "Deploys frozen on every app until", "web locked by @UDEP since", "reserved"} {
		if !strings.Contains(got, want) {
			t.Errorf("list = %q; want %q", got, want)
		}
	}
}

// A lock stops droplet actions too; they take no --break-glass, so the
// refusal points to unlocking instead.
func TestLockStopsDropletActions(t *testing.T) {
	h := dropletHarness(t, "")
	h.grant(t, "UDEP2", dobot.RoleDeployer)
	h.run("UDEP", "launch box --droplet --image nginx")
	h.waitIdle(t, "box")
	h.run("UDEP2", `lock box --reason "disk forensics"`)
	before := h.do.Count("POST /v2/droplets/{droplet_id}/actions")
	got := h.answer("UDEP", "droplet reboot box")
	if !strings.Contains(got, "box is locked by @UDEP2") || !strings.Contains(got, "an admin may `/do unlock` any lock") || strings.Contains(got, "--break-glass") {
		t.Errorf("droplet reboot under a lock answered %q", got)
	}
	if n := h.do.Count("POST /v2/droplets/{droplet_id}/actions"); n != before {
		t.Errorf("a locked droplet got %d actions", n-before)
	}
	if got := h.answer("UDEP", `droplet reboot box --break-glass "x"`); !strings.Contains(got, "does not know the flag --break-glass") {
		t.Errorf("droplet --break-glass answered %q", got)
	}
	h.run("UDEP2", "unlock box")
	h.run("UDEP", "droplet reboot box")
	waitFor(t, "the reboot once unlocked", func() bool { return h.do.Count("POST /v2/droplets/{droplet_id}/actions") == before+1 })
}

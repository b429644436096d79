package commands_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/commands"
	"dobot/deploy"
	"dobot/internal/dotest"
)

// lastEphemeralMsg is the latest private answer to user, whole.
func (c *recordingChat) lastEphemeralMsg(user string) commands.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.sent) - 1; i >= 0; i-- {
		if c.sent[i].Kind == "ephemeral" && c.sent[i].User == user {
			return c.sent[i].Msg
		}
	}
	return commands.Message{}
}

// replies are the replies in the thread of ts so far.
func (c *recordingChat) replies(ts string) []commands.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []commands.Message
	for _, s := range c.sent {
		if s.Kind == "reply" && s.Thread == ts {
			out = append(out, s.Msg)
		}
	}
	return out
}

// buttonIDs lists the action ids of m's buttons.
func buttonIDs(m commands.Message) []string {
	var out []string
	for _, b := range m.Buttons {
		out = append(out, b.ActionID)
	}
	return out
}

func TestOpRefNamesTheKindOfID(t *testing.T) {
	exp := time.Unix(1e9, 0)
	for _, c := range []struct {
		op   dobot.Operation
		want string
	}{
		{dobot.Operation{ID: 1, State: dobot.OpAwaitingApproval, Approval: dobot.Approval{ExpiresAt: exp}}, "request #1"},
		{dobot.Operation{ID: 2, State: dobot.OpRequested, Approval: dobot.Approval{ExpiresAt: exp}}, "request #2"},
		{dobot.Operation{ID: 3, State: dobot.OpExpired, Approval: dobot.Approval{ExpiresAt: exp}}, "request #3"},
		{dobot.Operation{ID: 4, State: dobot.OpCanceled, Approval: dobot.Approval{ExpiresAt: exp, Decider: "U1", DecidedAt: exp}, Sent: dobot.Sent{Step: dobot.StepCreated}}, "request #4"},
		{dobot.Operation{ID: 5, State: dobot.OpRunning}, "operation #5"},
		{dobot.Operation{ID: 6, State: dobot.OpRunning, Approval: dobot.Approval{ExpiresAt: exp, Decider: "U1", DecidedAt: exp}}, "operation #6"},
		{dobot.Operation{ID: 7, State: dobot.OpCanceled, Sent: dobot.Sent{Step: dobot.StepSent, DeploymentID: "d"}}, "operation #7"},
		{dobot.Operation{ID: 8, State: dobot.OpSucceeded}, "operation #8"},
	} {
		if got := commands.OpRef(c.op); got != c.want {
			t.Errorf("OpRef(%+v) = %q; want %q", c.op, got, c.want)
		}
	}
}

func TestOpWhatReadsAsWords(t *testing.T) {
	for _, c := range []struct {
		op   dobot.Operation
		want string
	}{
		{dobot.Operation{Action: "registry.delete", App: "registry", Args: `{"Name":"acme"}`}, "delete the registry acme"},
		{dobot.Operation{Action: "registry.delete", App: "registry"}, "delete the registry"},
		{dobot.Operation{Action: "registry.gc", App: "registry"}, "collect the garbage of the registry"},
		{dobot.Operation{Action: "droplet", App: "box", Args: `{"Name":"box","Type":"power_off"}`}, "power off the droplet box"},
		{dobot.Operation{Action: "teardown", App: "web"}, "tear down web"},
		{dobot.Operation{Action: "redeploy", App: "web"}, "redeploy web"},
	} {
		if got := commands.OpWhat(c.op); got != c.want {
			t.Errorf("OpWhat(%s %s) = %q; want %q", c.op.Action, c.op.Args, got, c.want)
		}
	}
}

func TestReminderDue(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		ttl  time.Duration
		want time.Duration // after creation
	}{
		{time.Hour, 45 * time.Minute},
		{30 * time.Minute, 15 * time.Minute},
		{20 * time.Minute, 10 * time.Minute},
		{4 * time.Second, 2 * time.Second},
		{24 * time.Hour, 24*time.Hour - 15*time.Minute},
	} {
		op := dobot.Operation{Approval: dobot.Approval{ExpiresAt: t0.Add(c.ttl)}, Stamps: dobot.Stamps{CreatedAt: t0}}
		if got := commands.ReminderDue(op).Sub(t0); got != c.want {
			t.Errorf("reminder of a %s request due after %s; want %s", c.ttl, got, c.want)
		}
	}
}

func TestParseMonthlyUSD(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		bad  bool
	}{
		{"50", 5000, false}, {"$49.99", 4999, false}, {"0", 0, false}, {"0.5", 50, false},
		{"-1", 0, true}, {"fifty", 0, true}, {"1e3", 0, true}, {"NaN", 0, true}, {"2000000", 0, true}, {"", 0, true},
	} {
		got, err := commands.ParseMonthlyUSD(c.in)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("ParseMonthlyUSD(%q) = %d, %v; want %d, bad=%v", c.in, got, err, c.want, c.bad)
		}
	}
}

// The final reply's mention of the requester is progress's
// (TestFinalReplyMentionsTheRequester).
func TestNonEmpty(t *testing.T) {
	fields := commands.NonEmpty([]commands.Field{{Label: "App", Value: "web"}, {Label: "Image", Value: " "}, {Label: "Id", Value: "``"}})
	if len(fields) != 1 || fields[0].Label != "App" {
		t.Errorf("NonEmpty kept %+v; want only App", fields)
	}
}

// Help lists each command once, grouped by task, with its sub-commands;
// help for a command with sub-commands lists them.
func TestHelpGroupedByTask(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UADM", dobot.RoleAdmin)
	out := h.run("UADM", "help")
	for _, g := range []string{"*Deploy*", "*Observe*", "*Approve*", "*Administer*"} {
		if !strings.Contains(out, g) {
			t.Errorf("help has no group %s:\n%s", g, out)
		}
	}
	if strings.Contains(out, "*More*") {
		t.Errorf("a command is in no task group:\n%s", out)
	}
	for _, c := range h.bot.Table().Sorted() {
		if n := strings.Count(out, "• `/do "+c.Name+" ") + strings.Count(out, "• `/do "+c.Name+"`"); n != 1 {
			t.Errorf("help lists %s %d times; want once", c.Name, n)
		}
	}
	if !strings.Contains(out, "Sub-commands: reboot, power-off, power-on") {
		t.Errorf("help does not name droplet's actions on its line:\n%s", out)
	}
	reg := h.run("UADM", "help registry")
	for _, sub := range []string{"registry create", "registry repos", "registry tags", "registry gc", "registry delete"} {
		if !strings.Contains(reg, "/do "+sub) {
			t.Errorf("help registry does not show %s:\n%s", sub, reg)
		}
	}
	h.grant(t, "UVIEW", dobot.RoleViewer)
	if v := h.run("UVIEW", "help"); strings.Contains(v, "registry delete") || strings.Contains(v, "*Administer*") && strings.Contains(v, "`/do grant") {
		t.Errorf("a viewer's help offers what they may not run:\n%s", v)
	}
}

// ops lists requests and running operations with the buttons the viewer
// may press, and a button runs its command.
func TestOpsListsWithButtonsByRole(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.grant(t, "UAPP", dobot.RoleApprover)
	h.grant(t, "UVIEW", dobot.RoleViewer)
	live := h.manageApp(t, "web", "nginx")
	ctx := context.Background()
	if err := h.db.PutApp(ctx, dobot.App{Name: "web", Kind: "app", ResourceID: live.ID, Owner: "UDEP", Image: "nginx", Region: "nyc"}); err != nil {
		t.Fatal(err)
	}
	if out := h.run("UVIEW", "ops"); !strings.Contains(out, "Nothing is waiting") {
		t.Errorf("ops with nothing = %q", out)
	}
	h.run("UDEP", "teardown web")
	out := h.run("UAPP", "ops")
	if !strings.Contains(out, "request #1") || !strings.Contains(out, "tear down web") || !strings.Contains(out, "waiting for approval until") {
		t.Errorf("ops as approver = %q; want request #1 to tear down web, waiting", out)
	}
	if got := strings.Join(buttonIDs(h.chat.lastEphemeralMsg("UAPP")), " "); got != "ops_approve#1 ops_deny#1" {
		t.Errorf("approver's buttons = %q; want approve and deny", got)
	}
	h.run("UDEP", "ops")
	if got := strings.Join(buttonIDs(h.chat.lastEphemeralMsg("UDEP")), " "); got != "ops_cancel#1" {
		t.Errorf("requester's buttons = %q; want withdraw only", got)
	}
	h.run("UVIEW", "ops")
	if got := buttonIDs(h.chat.lastEphemeralMsg("UVIEW")); len(got) != 0 {
		t.Errorf("viewer's buttons = %q; want none", got)
	}
	// A viewer pressing Approve is refused like typing approve.
	if got := h.click("UVIEW", "ops_approve#1", "1"); !strings.Contains(got, "Only an approver or admin may use the Approve button") {
		t.Errorf("viewer's click = %q; want refused", got)
	}
	if got := h.click("UAPP", "ops_approve#1", "1"); !strings.Contains(got, "You approved request #1") {
		t.Errorf("approver's click = %q; want approved", got)
	}
	op := h.waitOp(t, 1)
	if op.State != dobot.OpSucceeded || op.Decider != "UAPP" {
		t.Errorf("after the click, request #1 = %s decided by %q; want succeeded by UAPP", op.State, op.Decider)
	}
	rows, _ := h.db.Audit(ctx, dobot.AuditFilter{UserID: "UAPP", Action: "approve"})
	if len(rows) == 0 {
		t.Error("the approve click left no audit row")
	}
}

// An app deleted outside the bot: every command says so and points at
// forget; forget refuses an app DigitalOcean still has, and someone
// else's; list leaves it out of the total.
func TestAppDeletedOutsideTheBot(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.grant(t, "UOTHER", dobot.RoleDeployer)
	ctx := context.Background()
	live := h.manageApp(t, "web", "nginx")
	if err := h.db.PutApp(ctx, dobot.App{Name: "web", Kind: "app", ResourceID: live.ID, Owner: "UDEP", MonthlyCents: 500, Image: "nginx"}); err != nil {
		t.Fatal(err)
	}
	if out := h.run("UDEP", "forget web"); !strings.Contains(out, "DigitalOcean still has web") {
		t.Errorf("forget of a live app = %q; want refused", out)
	}
	if _, err := h.client.Apps.Delete(ctx, live.ID); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"status web", "logs web", "redeploy web", "rollback web", "teardown web", "history web"} {
		out := h.run("UDEP", cmd)
		if !strings.Contains(out, "web was deleted outside the bot") || !strings.Contains(out, "/do forget web") {
			t.Errorf("%s = %q; want deleted outside the bot, with forget", cmd, out)
		}
	}
	if ops, _ := h.db.UnfinishedOperations(ctx); len(ops) != 0 {
		t.Errorf("commands on a deleted app opened operations: %+v", ops)
	}
	list := h.run("UDEP", "list")
	if !strings.Contains(list, "deleted outside the bot, not counted") || !strings.Contains(list, "Total: $0.00/month") {
		t.Errorf("list = %q; want web marked and left out of the total", list)
	}
	if out := h.run("UOTHER", "forget web"); !strings.Contains(out, "or an admin may forget it") {
		t.Errorf("someone else's forget = %q; want refused", out)
	}
	if out := h.run("UDEP", "forget web"); !strings.Contains(out, "forgot web") {
		t.Errorf("owner's forget = %q", out)
	}
	if _, err := h.db.App(ctx, "web"); err == nil {
		t.Error("web is still recorded after forget")
	}
	rows, _ := h.db.Audit(ctx, dobot.AuditFilter{Action: "forget", Target: "web"})
	if len(rows) == 0 || rows[0].Outcome != "ok" { // newest first
		t.Errorf("forget audit = %+v; want an ok row", rows)
	}
}

// A cost limit asks for approval of a launch priced above it, and the card
// says which cost did it; a cheaper launch runs at once.
func TestPolicyApprovalAboveCost(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UADM", dobot.RoleAdmin)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	if out := h.run("UADM", "policy launch --approval-above 20"); !strings.Contains(out, "more than $20.00/month") {
		t.Fatalf("policy --approval-above = %q", out)
	}
	if out := h.run("UADM", "policy teardown --approval-above 20"); !strings.Contains(out, "needs an action with a monthly cost") {
		t.Errorf("a cost limit on teardown = %q; want refused", out)
	}
	h.run("UDEP", "launch cheap --image nginx")
	h.run("UDEP", "launch big --image nginx --size apps-s-1vcpu-1gb --instances 4")
	ctx := context.Background()
	big, err := h.db.ActiveOperation(ctx, "big")
	if err != nil {
		t.Logf("big launch answered %q", h.chat.lastEphemeral("UDEP"))
	}
	if err != nil || big.State != dobot.OpAwaitingApproval {
		t.Fatalf("big launch = %+v, %v; want it waiting for approval", big, err)
	}
	var card string
	for _, s := range h.chat.all() {
		if strings.Contains(s, "asks to launch big") {
			card = s
		}
	}
	if !strings.Contains(card, "Needs approval because:") || !strings.Contains(card, "/month is above the $20.00/month limit of the launch policy") {
		t.Errorf("approval card = %q; want the cost that asked for approval", card)
	}
	cheap, err := h.db.ActiveOperation(ctx, "cheap")
	if err == nil && cheap.State == dobot.OpAwaitingApproval {
		t.Errorf("cheap launch waits for approval")
	}
}

// History lists the deployments newest first, matched against the bot's
// operations, and its button rolls back under the rollback policy.
func TestHistoryAndRollBackFromIt(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.grant(t, "UVIEW", dobot.RoleViewer)
	h.run("UDEP", "launch web --image nginx")
	op := h.waitOp(t, 1)
	if op.State != dobot.OpSucceeded {
		t.Fatalf("launch = %s", op.State)
	}
	ctx := context.Background()
	app, _ := h.db.App(ctx, "web")
	// Someone deploys from the control panel.
	if _, _, err := h.client.Apps.CreateDeployment(ctx, app.ResourceID, &godo.DeploymentCreateRequest{ForceBuild: true}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the outside deployment to go live", func() bool {
		a, _ := h.do.App(app.ResourceID)
		return a.InProgressDeployment == nil && a.PendingDeployment == nil
	})
	h.run("UVIEW", "history web")
	m := h.chat.lastEphemeralMsg("UVIEW")
	lines := strings.Split(m.Text, "\n")
	if len(lines) < 3 || !strings.Contains(lines[1], "1. ") || !strings.Contains(lines[1], "outside the bot") || !strings.Contains(lines[1], "live now") {
		t.Fatalf("history = %q; want the outside deployment first, live", m.Text)
	}
	if !strings.Contains(lines[2], "launch by "+"<@UDEP>"+" (operation #1)") {
		t.Errorf("history line 2 = %q; want the launch by UDEP", lines[2])
	}
	if len(m.Buttons) != 1 || !strings.HasPrefix(m.Buttons[0].ActionID, "history_rollback#") || m.Buttons[0].Label != "Roll back to this (2)" {
		t.Fatalf("history buttons = %+v; want one to roll back to line 2", m.Buttons)
	}
	if got := h.click("UVIEW", m.Buttons[0].ActionID, m.Buttons[0].Value); !strings.Contains(got, "Only a deployer, approver or admin may use the Roll back to this button") {
		t.Errorf("viewer's rollback click = %q; want refused", got)
	}
	h.click("UDEP", m.Buttons[0].ActionID, m.Buttons[0].Value)
	rb := h.waitOp(t, 2)
	if rb.Action != "rollback" || rb.State != dobot.OpSucceeded {
		t.Fatalf("operation #2 = %s %s; want a rollback that succeeded", rb.Action, rb.State)
	}
	h.run("UVIEW", "history web")
	if m := h.chat.lastEphemeralMsg("UVIEW"); !strings.Contains(strings.Split(m.Text, "\n")[1], "rollback by "+"<@UDEP>"+" (operation #2)") {
		t.Errorf("history after the rollback = %q; want it first", m.Text)
	}
}

// Approvers are reminded once, in the card's thread, at half time of a
// short request; a restarted bot does not remind again.
func TestApproversRemindedOnce(t *testing.T) {
	h := newHarnessWith(t, commands.Config{Region: "nyc3", ApprovalTTL: 3 * time.Second}, dotestOptions(), nil)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.grant(t, "UAPP", dobot.RoleApprover)
	live := h.manageApp(t, "web", "nginx")
	ctx := context.Background()
	if err := h.db.PutApp(ctx, dobot.App{Name: "web", Kind: "app", ResourceID: live.ID, Owner: "UDEP"}); err != nil {
		t.Fatal(err)
	}
	h.run("UDEP", "teardown web")
	req, err := h.db.ActiveOperation(ctx, "web")
	if err != nil || req.MessageTS == "" {
		t.Fatalf("teardown request = %+v, %v", req, err)
	}
	reminders := func() int {
		n := 0
		for _, m := range h.chat.replies(req.MessageTS) {
			if strings.Contains(m.Text, "Reminder: request #1") {
				n++
				if !strings.Contains(m.Text, "<@UAPP>") || strings.Contains(m.Text, "<@UDEP>"+",") {
					t.Errorf("reminder %q should name the approver, not the requester, as who decides", m.Text)
				}
			}
		}
		return n
	}
	waitFor(t, "the reminder", func() bool { return reminders() > 0 })
	if first, _ := h.db.MarkHandled(ctx, "remind-request:1"); first {
		t.Error("the reminder was not recorded as sent")
	}
	h.waitOp(t, 1) // expired
	if n := reminders(); n != 1 {
		t.Errorf("%d reminders; want 1", n)
	}
}

func dotestOptions() dotest.Options {
	return dotest.Options{Token: "tok", PhaseDelay: 50 * time.Millisecond}
}

// Cards and answers read right for their kind and operation.
func TestWordingOfCardsAndCancels(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	ctx := context.Background()
	if _, err := h.db.CreateOperation(ctx, dobot.Operation{Action: "redeploy", App: "web", State: dobot.OpRunning, Requester: "UDEP", Card: dobot.Card{Channel: "C1"}, Sent: dobot.Sent{ResourceID: "r1"}}); err != nil {
		t.Fatal(err)
	}
	out := h.run("UDEP", "cancel 1")
	if strings.Contains(out, "still creating") || !strings.Contains(out, "Operation #1 (redeploy web) has not started its deployment yet") {
		t.Errorf("cancel of a redeploy before its deployment = %q", out)
	}
	if out := h.run("UDEP", "cancel 99"); !strings.Contains(out, "no request or operation #99") {
		t.Errorf("cancel 99 = %q", out)
	}

	reg := commands.ApprovalCard(dobot.Operation{ID: 3, Action: "registry.delete", App: "registry", Args: `{"Name":"acme"}`, Requester: "UDEP"}, nil, true)
	if strings.Contains(reg.Title+reg.Text, "registry.delete") || !strings.Contains(reg.Title, "delete the registry acme") {
		t.Errorf("registry delete card reads %q / %q", reg.Title, reg.Text)
	}

	box := commands.TeardownCard(dobot.Operation{ID: 4, Requester: "UDEP"}, dobot.App{Name: "box", Kind: "droplet", ResourceID: "42"}, "Tearing down", "")
	for _, f := range box.Fields {
		if strings.TrimSpace(f.Value) == "" {
			t.Errorf("teardown card has an empty %s field", f.Label)
		}
		if strings.HasPrefix(f.Label, "App") {
			t.Errorf("a droplet's teardown card says %q", f.Label)
		}
	}

	canceled := commands.LaunchCard(dobot.Operation{ID: 5, Requester: "UDEP"}, deploy.LaunchArgs{Name: "web", Image: "nginx"},
		commands.LaunchState{Phase: "CANCELED", Failure: "the deployment was canceled"})
	if !strings.Contains(canceled.Title, "canceled") || strings.Contains(canceled.Title+canceled.Body, "failed") || strings.Contains(canceled.Body, chat.IconFailed) {
		t.Errorf("canceled launch card = %q / %q", canceled.Title, canceled.Body)
	}
	droplet := commands.LaunchCard(dobot.Operation{ID: 6, Requester: "UDEP"}, deploy.LaunchArgs{Name: "box", Image: "nginx", OnDroplet: deploy.OnDroplet{Droplet: true, DropletRegion: "nyc3"}},
		commands.LaunchState{Phase: "DROPLET_CREATE"})
	if droplet.Fields[0].Label != "Droplet" {
		t.Errorf("droplet launch card's first field is %q; want Droplet", droplet.Fields[0].Label)
	}
}

// redeploy --size/--instances resizes the app, prices it, and a cost
// limit on redeploy asks for approval above it.
func TestRedeployResizeUnderACostLimit(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UADM", dobot.RoleAdmin)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.run("UDEP", "launch web --image nginx --size apps-s-1vcpu-1gb")
	if op := h.waitOp(t, 1); op.State != dobot.OpSucceeded {
		t.Fatalf("launch = %s", op.State)
	}
	if out := h.run("UADM", "policy redeploy --approval-above 20"); !strings.Contains(out, "more than $20.00/month") {
		t.Fatalf("policy = %q", out)
	}
	ctx := context.Background()
	h.run("UDEP", "redeploy web --instances 4")
	big, err := h.db.Operation(ctx, 2)
	if err != nil || big.State != dobot.OpAwaitingApproval {
		t.Fatalf("redeploy --instances 4 = %+v, %v; want it waiting for approval", big, err)
	}
	var card string
	for _, s := range h.chat.all() {
		if strings.Contains(s, "asks to redeploy web") {
			card = s
		}
	}
	if !strings.Contains(card, "$48.00/month is above the $20.00/month limit of the redeploy policy") || !strings.Contains(card, "apps-s-1vcpu-1gb × 4 (was apps-s-1vcpu-1gb × 1)") {
		t.Errorf("card = %q; want the new size and the cost that asked for approval", card)
	}
	h.run("UDEP", "cancel 2")
	h.run("UDEP", "redeploy web --instances 1 --size apps-s-1vcpu-0.5gb")
	if op := h.waitOp(t, 3); op.State != dobot.OpSucceeded {
		t.Fatalf("small redeploy = %s (%s)", op.State, op.Error)
	}
	app, _ := h.db.App(ctx, "web")
	if app.Size != "apps-s-1vcpu-0.5gb" || app.Instances != 1 || app.MonthlyCents != 500 {
		t.Errorf("record after resize = %s × %d at %d cents; want apps-s-1vcpu-0.5gb × 1 at 500", app.Size, app.Instances, app.MonthlyCents)
	}
	live, _ := h.do.App(app.ResourceID)
	if svc := live.Spec.Services[0]; svc.InstanceSizeSlug != "apps-s-1vcpu-0.5gb" {
		t.Errorf("spec sent has size %q", svc.InstanceSizeSlug)
	}
}

// FuzzParseMonthlyUSD: --approval-above never panics, and what it accepts
// is a whole number of cents from 0 to the cap.
func FuzzParseMonthlyUSD(f *testing.F) {
	for _, s := range []string{"50", "$49.99", "0", "-1", "1e3", "NaN", "Inf", "0x10", "999999.995", "$"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cents, err := commands.ParseMonthlyUSD(s)
		if err == nil && (cents < 0 || cents > 1_000_000*100) {
			t.Errorf("ParseMonthlyUSD(%q) = %d; want 0 to 100000000 cents", s, cents)
		}
		if err != nil && cents != 0 {
			t.Errorf("ParseMonthlyUSD(%q) = %d with error %v", s, cents, err)
		}
	})
}

// A droplet deleted outside the bot: its actions, status and teardown say
// so and suggest forget, opening no operation (issue 13: an action gave
// DigitalOcean's raw 404).
func TestDropletDeletedOutsideTheBot(t *testing.T) {
	h := dropletHarness(t, "")
	launchBox(t, h)
	ctx := context.Background()
	box, err := h.db.App(ctx, "box")
	if err != nil {
		t.Fatal(err)
	}
	id, _ := strconv.Atoi(box.ResourceID)
	if _, err := h.client.Droplets.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"droplet reboot box", "droplet power-off box", "status box", "teardown box"} {
		if out := h.run("UDEP", cmd); !strings.Contains(out, "box was deleted outside the bot") || !strings.Contains(out, "/do forget box") {
			t.Errorf("%s = %q; want deleted outside the bot, with forget", cmd, out)
		}
	}
	if ops, _ := h.db.UnfinishedOperations(ctx); len(ops) != 0 {
		t.Errorf("commands on a deleted droplet opened operations: %+v", ops)
	}
}

// Canceling a finished operation reads as plain English ("Operation #1 is
// already succeeded" did not).
func TestCancelOfAFinishedOperation(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	op, err := h.db.CreateOperation(context.Background(), dobot.Operation{Action: "redeploy", App: "web", State: dobot.OpSucceeded, Requester: "UDEP", Card: dobot.Card{Channel: "C1"}})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("Operation #%d has already ended (succeeded); there is nothing to cancel.", op.ID)
	if out := h.run("UDEP", fmt.Sprintf("cancel %d", op.ID)); !strings.Contains(out, want) {
		t.Errorf("cancel of a finished operation = %q; want %q", out, want)
	}
}

// A droplet action's card says how it ended once it has (it kept reading
// "box: reboot" as if still asked for).
func TestDropletActionCardShowsTheEnd(t *testing.T) {
	h := dropletHarness(t, "")
	launchBox(t, h)
	h.run("UDEP", "droplet reboot box")
	waitFor(t, "the reboot card to say it completed", func() bool { return strings.Contains(h.chat.fieldText(), "✅ box: reboot completed") })
}

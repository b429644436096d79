package commands_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/cmdline"
	"dobot/commands"
	"dobot/internal/dotest"
	"dobot/secrets"
)

// lastBody is the body of the last request for route, decoded.
func lastBody[T any](t *testing.T, h *harness, route string) T {
	t.Helper()
	var out T
	var body []byte
	for _, r := range h.do.Requests() {
		if r.Route == route {
			body = r.Body
		}
	}
	if body == nil {
		t.Fatalf("no %s request", route)
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("decode %s body: %v", route, err)
	}
	return out
}

// lastOp is the newest operation on app with action.
func lastOp(t *testing.T, h *harness, app, action string) dobot.Operation {
	t.Helper()
	managed, err := h.db.App(context.Background(), app)
	if err != nil {
		t.Fatal(err)
	}
	ops, err := h.db.OperationsOn(context.Background(), managed.ResourceID)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(ops) - 1; i >= 0; i-- {
		if ops[i].Action == action {
			return ops[i]
		}
	}
	t.Fatalf("no %s operation on %s", action, app)
	return dobot.Operation{}
}

func TestScaleShowsThePlanAndTheCostBeforeAndAfter(t *testing.T) {
	h := holdsHarness(t)
	h.live(t, "web")
	h.run("UDEP", "scale web --instances 2 --size apps-s-1vcpu-1gb")
	op := h.waitOp(t, lastOp(t, h, "web", commands.ActionScale).ID)
	if op.State != dobot.OpSucceeded {
		t.Fatalf("scale ended %s: %s\n%s", op.State, op.Error, h.plain())
	}
	waitFor(t, "the final card", func() bool { return strings.Contains(h.plain(), "web is scaled") })
	req := lastBody[godo.AppUpdateRequest](t, h, "PUT /v2/apps/{id}")
	svc := req.Spec.Services[0]
	if svc.InstanceCount != 2 || svc.InstanceSizeSlug != "apps-s-1vcpu-1gb" {
		t.Errorf("update sent %d × %s; want 2 × apps-s-1vcpu-1gb", svc.InstanceCount, svc.InstanceSizeSlug)
	}
	all := h.plain()
	for _, want := range []string{"$5.00/month → $24.00/month", "apps-s-1vcpu-0.5gb × 1 → apps-s-1vcpu-1gb × 2",
		"services.web.instance_count: 2", "cost: $5.00/month → $24.00/month", "web is scaled"} {
		if !strings.Contains(all, want) {
			t.Errorf("messages lack %q:\n%s", want, all)
		}
	}
	if app, _ := h.db.App(context.Background(), "web"); app.MonthlyCents != 2400 || app.Instances != 2 {
		t.Errorf("stored app costs %d for %d instances; want 2400 for 2", app.MonthlyCents, app.Instances)
	}
}

func TestScaleFollowsLaunchsSizeRules(t *testing.T) {
	h := holdsHarness(t)
	h.live(t, "web")
	before := len(h.do.Requests())
	cases := []struct{ cmd, want string }{
		{"scale web --instances 3", "runs one instance only, so --instances 3 cannot work"},
		{"scale web --size apps-x-huge", `App Platform has no instance size "apps-x-huge"`},
		{"scale web", "scale needs --instances N or --size SLUG"},
		{"scale web --instances 2 --size apps-s-1vcpu-1gb --component nope", `no component "nope"`},
	}
	for _, c := range cases {
		if got := h.answer("UDEP", c.cmd); !strings.Contains(got, c.want) {
			t.Errorf("%s answered %q; want %q", c.cmd, got, c.want)
		}
	}
	for _, r := range h.do.Requests()[before:] {
		if r.Method != "GET" {
			t.Errorf("a refused scale sent %s %s", r.Method, r.Path)
		}
	}
	// A size being retired scales, with a warning on the card.
	h.run("UDEP", "scale web --size apps-d-1vcpu-0.5gb")
	h.waitOp(t, lastOp(t, h, "web", commands.ActionScale).ID)
	if all := h.plain(); !strings.Contains(all, "intends to retire size apps-d-1vcpu-0.5gb") {
		t.Errorf("no retirement warning:\n%s", all)
	}
}

func TestRestartRestartsWithoutARebuild(t *testing.T) {
	h := holdsHarness(t)
	h.live(t, "web")
	h.run("UDEP", "restart web --component web")
	op := h.waitOp(t, lastOp(t, h, "web", commands.ActionRestart).ID)
	if op.State != dobot.OpSucceeded {
		t.Fatalf("restart ended %s: %s\n%s", op.State, op.Error, h.plain())
	}
	waitFor(t, "the final card", func() bool { return strings.Contains(h.plain(), "web restarted") })
	req := lastBody[godo.AppRestartRequest](t, h, "POST /v2/apps/{app_id}/restart")
	if len(req.Components) != 1 || req.Components[0] != "web" {
		t.Errorf("restart sent components %v; want [web]", req.Components)
	}
	if n := h.do.Count("POST /v2/apps/{app_id}/deployments"); n != 0 {
		t.Errorf("restart created %d deployments; want none (no rebuild)", n)
	}
	if all := h.plain(); !strings.Contains(all, "web restarted") || !strings.Contains(all, "web (no rebuild)") {
		t.Errorf("restart card:\n%s", all)
	}
	if got := h.answer("UDEP", "restart web --component db"); !strings.Contains(got, `web has no component "db"; it has web`) {
		t.Errorf("restart of an unknown component answered %q", got)
	}
}

func TestEnvKeepsSealedSecretsAndNeverShowsAValue(t *testing.T) {
	h := holdsHarness(t)
	ctx := context.Background()
	h.run("UDEP", "launch web --image nginx --env MODE=slowpoke-1")
	h.waitIdle(t, "web")
	h.run("UDEP", "env set web DB_PASSWORD=hunter2-value")
	set := h.waitOp(t, lastOp(t, h, "web", commands.ActionEnv).ID)
	if set.State != dobot.OpSucceeded {
		t.Fatalf("env set ended %s: %s\n%s", set.State, set.Error, h.plain())
	}
	sent := lastBody[godo.AppUpdateRequest](t, h, "PUT /v2/apps/{id}")
	pw := findEnv(sent.Spec, "DB_PASSWORD")
	if pw == nil || pw.Type != godo.AppVariableType_Secret || pw.Value != "hunter2-value" {
		t.Fatalf("env set sent %+v; want DB_PASSWORD as a SECRET", pw)
	}
	managed, _ := h.db.App(ctx, "web")
	app, _, err := h.client.Apps.Get(ctx, managed.ResourceID)
	if err != nil {
		t.Fatal(err)
	}
	sealed := findEnv(app.Spec, "DB_PASSWORD").Value
	if !strings.HasPrefix(sealed, "EV[") {
		t.Fatalf("DigitalOcean holds %q; want an EV[…] value", sealed)
	}

	h.run("UDEP", "env unset web MODE")
	unset := h.waitOp(t, lastOp(t, h, "web", commands.ActionEnv).ID)
	if unset.ID == set.ID || unset.State != dobot.OpSucceeded {
		t.Fatalf("env unset ended %s: %s", unset.State, unset.Error)
	}
	sent = lastBody[godo.AppUpdateRequest](t, h, "PUT /v2/apps/{id}")
	if findEnv(sent.Spec, "MODE") != nil {
		t.Error("env unset still sent MODE")
	}
	if got := findEnv(sent.Spec, "DB_PASSWORD"); got == nil || got.Value != sealed {
		t.Errorf("env unset sent DB_PASSWORD %+v; want the EV value %q unchanged", got, sealed)
	}

	list := h.answer("UVIEW", "env web")
	if !strings.Contains(list, "DB_PASSWORD` — secret") || strings.Contains(list, "MODE") {
		t.Errorf("env list = %q; want DB_PASSWORD as a secret and no MODE", list)
	}
	// No value anywhere: chat, audit, operations.
	entries, _ := h.db.Audit(ctx, dobot.AuditFilter{})
	var stored []string
	for _, e := range entries {
		stored = append(stored, e.CommandText, e.Details, e.Error)
	}
	for _, op := range []dobot.Operation{set, unset} {
		got, _ := h.db.Operation(ctx, op.ID)
		stored = append(stored, got.CommandText, got.Args)
	}
	everything := h.plain() + strings.Join(stored, "\n") + list
	if strings.Contains(everything, "hunter2-value") {
		t.Error("the secret's value shows in chat, the audit or an operation")
	}
	if !strings.Contains(everything, "env set web DB_PASSWORD=•••") {
		t.Errorf("stored command text is not masked:\n%s", strings.Join(stored, "\n"))
	}
}

func findEnv(spec *godo.AppSpec, key string) *godo.AppVariableDefinition {
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

func TestEnvSetMasksEveryValueInStoredText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"env set web MODE=fast", "env set web MODE=•••"},
		{"env set web MODE=fast --secret", "env set web MODE=••• --secret"},
		{`env set web "GREETING=hello there"`, "env set web GREETING=•••"},
		{`env set web 'MODE=unclosed`, "env set web •••"},
		{"env unset web MODE", "env unset web MODE"},
	}
	for _, c := range cases {
		if got := secrets.MaskCommand(c.in); got != c.want {
			t.Errorf("MaskCommand(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}

func TestDomainIsFollowedFromPendingToActiveWithOneNote(t *testing.T) {
	h := newHarnessWith(t, commands.Config{Region: "nyc3", DomainNoteAfter: 300 * time.Millisecond},
		dotest.Options{Token: "tok", PhaseDelay: 50 * time.Millisecond}, nil)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.live(t, "web")
	h.do.HoldDomain("example.com", true)
	h.run("UDEP", "domains add web example.com --primary")
	add := h.waitOp(t, lastOp(t, h, "web", commands.ActionDomains).ID)
	if add.State != dobot.OpSucceeded {
		t.Fatalf("domains add ended %s: %s", add.State, add.Error)
	}
	waitFor(t, "the pending note", func() bool { return strings.Contains(h.plain(), "is still pending") })
	all := h.plain()
	for _, want := range []string{"+ domains.example.com: added", "example.com (primary) is pending", "Create a CNAME record", "TXT record _acme-challenge.example.com TXT "} {
		if !strings.Contains(all, want) {
			t.Errorf("messages lack %q:\n%s", want, all)
		}
	}
	h.do.HoldDomain("example.com", false)
	follow := h.waitOp(t, lastOp(t, h, "web", commands.ActionDomainFollow).ID)
	if follow.State != dobot.OpSucceeded {
		t.Fatalf("the follow ended %s: %s", follow.State, follow.Error)
	}
	waitFor(t, "the active line", func() bool { return strings.Contains(h.plain(), "is active, with its certificate") })
	all = h.plain()
	if n := strings.Count(all, "is still pending"); n != 1 {
		t.Errorf("%d pending notes; want 1", n)
	}
	if !strings.Contains(all, "example.com (primary) is active, with its certificate") {
		t.Errorf("no active line:\n%s", all)
	}
	// The follow replied in the add's thread.
	h.chat.mu.Lock()
	for _, s := range h.chat.sent {
		if strings.Contains(s.Msg.Text, "is active, with its certificate") && s.Thread != add.MessageTS {
			t.Errorf("the active line went to thread %q; want the add's %q", s.Thread, add.MessageTS)
		}
	}
	h.chat.mu.Unlock()
	list := h.answer("UDEP", "domains web")
	if !strings.Contains(list, "example.com (primary) is active") {
		t.Errorf("domains list = %q", list)
	}
	if got := h.answer("UDEP", "domains remove web nope.example.com"); !strings.Contains(got, "no domain nope.example.com") {
		t.Errorf("removing a domain the app lacks answered %q", got)
	}
	h.run("UDEP", "domains remove web example.com")
	remove := h.waitOp(t, lastOp(t, h, "web", commands.ActionDomains).ID)
	if remove.ID == add.ID || remove.State != dobot.OpSucceeded {
		t.Fatalf("domains remove ended %s: %s", remove.State, remove.Error)
	}
	if spec := lastBody[godo.AppUpdateRequest](t, h, "PUT /v2/apps/{id}").Spec; len(spec.Domains) != 0 {
		t.Errorf("domains remove sent domains %+v; want none", spec.Domains)
	}
	if again := lastOp(t, h, "web", commands.ActionDomainFollow); again.ID != follow.ID {
		t.Errorf("removing a domain started follow #%d", again.ID)
	}
}

func TestDayTwoChangesWaitForApprovalBoundToTheSpec(t *testing.T) {
	h := holdsHarness(t)
	h.live(t, "web")
	h.run("UADM", "policy scale --approval yes")
	h.run("UDEP", "scale web --instances 2 --size apps-s-1vcpu-1gb")
	req := lastOp(t, h, "web", commands.ActionScale)
	if req.State != dobot.OpAwaitingApproval {
		t.Fatalf("scale request is %s; want awaiting approval", req.State)
	}
	if all := h.plain(); !strings.Contains(all, "cost: $5.00/month → $24.00/month") {
		t.Errorf("the approval card lacks the plan:\n%s", all)
	}
	// Someone changes the app on DigitalOcean meanwhile.
	ctx := context.Background()
	managed, _ := h.db.App(ctx, "web")
	app, _, err := h.client.Apps.Get(ctx, managed.ResourceID)
	if err != nil {
		t.Fatal(err)
	}
	app.Spec.Envs = append(app.Spec.Envs, &godo.AppVariableDefinition{Key: "ELSEWHERE", Value: "1"})
	if _, _, err := h.client.Apps.Update(ctx, managed.ResourceID, &godo.AppUpdateRequest{Spec: app.Spec}); err != nil {
		t.Fatal(err)
	}
	puts := h.do.Count("PUT /v2/apps/{id}")
	h.run("UAPP", fmt.Sprintf("approve %d", req.ID))
	got := h.waitOp(t, req.ID)
	if got.State != dobot.OpCanceled || !strings.Contains(got.Error, "void") {
		t.Errorf("request ended %s (%s); want void", got.State, got.Error)
	}
	if n := h.do.Count("PUT /v2/apps/{id}") - puts; n != 0 {
		t.Errorf("a void request sent %d updates", n)
	}
	// Asked again with nothing changed meanwhile, the approval runs it.
	h.run("UDEP", "scale web --instances 2 --size apps-s-1vcpu-1gb")
	again := lastOp(t, h, "web", commands.ActionScale)
	if again.ID == req.ID || again.State != dobot.OpAwaitingApproval {
		t.Fatalf("the second request is #%d %s", again.ID, again.State)
	}
	h.run("UAPP", fmt.Sprintf("approve %d", again.ID))
	if got := h.waitOp(t, again.ID); got.State != dobot.OpSucceeded {
		t.Errorf("the approved scale ended %s (%s); want it run", got.State, got.Error)
	}
	sent := lastBody[godo.AppUpdateRequest](t, h, "PUT /v2/apps/{id}").Spec
	if sent.Services[0].InstanceCount != 2 || findEnv(sent, "ELSEWHERE") == nil {
		t.Errorf("the approved scale sent %d instances, or lost the change made elsewhere", sent.Services[0].InstanceCount)
	}
}

func TestALockBlocksEveryDayTwoChange(t *testing.T) {
	h := holdsHarness(t)
	h.live(t, "web")
	h.run("UDEP2", `lock web --reason "incident"`)
	before := len(h.do.Requests())
	for _, cmd := range []string{"scale web --instances 1", "restart web", "env set web A=b", "env unset web A", "domains add web example.com", "domains remove web example.com"} {
		if got := h.answer("UDEP", cmd); !strings.Contains(got, "web is locked by @UDEP2") {
			t.Errorf("%s answered %q; want the lock", cmd, got)
		}
	}
	if n := len(h.do.Requests()) - before; n != 0 {
		t.Errorf("refused commands sent %d requests", n)
	}
	// Reading is not changing.
	if got := h.answer("UVIEW", "env web"); strings.Contains(got, "locked") {
		t.Errorf("env list under a lock answered %q", got)
	}
}

func TestNewAppsGoIntoDOProject(t *testing.T) {
	h := newHarnessWith(t, commands.Config{Region: "nyc3", Project: "first-project"}, dotest.Options{Token: "tok", PhaseDelay: 50 * time.Millisecond}, nil)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.live(t, "web")
	managed, _ := h.db.App(context.Background(), "web")
	var found bool
	for _, a := range h.do.Assignments() {
		found = found || a.URN == "do:app:"+managed.ResourceID
	}
	if !found {
		t.Errorf("assignments %+v lack do:app:%s", h.do.Assignments(), managed.ResourceID)
	}
}

func TestAnUnknownDOProjectStopsTheStart(t *testing.T) {
	h := newHarness(t)
	bot, err := commands.New(commands.Config{Region: "nyc3", Project: "no-such-project"},
		commands.Deps{Store: h.db, Cloud: h.cloud, Chat: h.chat, Watcher: h.watcher})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err = bot.Start(ctx)
	if err == nil || !strings.Contains(err.Error(), `DO_PROJECT: DigitalOcean has no project "no-such-project"; projects: first-project`) {
		t.Errorf("Start = %v; want the unknown project named", err)
	}
}

// A domain's follow outlives the bot: a restarted bot picks it up from its
// stored phase, says nothing twice, and posts the pending note once.
func TestADomainFollowSurvivesRestartsWithOneNote(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.live(t, "web")
	h.do.HoldDomain("example.com", true)
	start := func(noteAfter time.Duration) (*commands.Bot, context.CancelFunc) {
		t.Helper()
		b, err := commands.New(commands.Config{Region: "nyc3", DomainNoteAfter: noteAfter},
			commands.Deps{Store: h.db, Cloud: h.cloud, Chat: h.chat, Watcher: h.watcher})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		if err := b.Start(ctx); err != nil {
			t.Fatal(err)
		}
		return b, cancel
	}
	stop := func(b *commands.Bot, cancel context.CancelFunc) { cancel(); b.Wait() }
	count := func(s string) int { return strings.Count(h.plain(), s) }

	first, cancel := start(time.Hour)
	first.Handle(context.Background(), commands.Request{Ref: "r1", UserID: "UDEP", ChannelID: "C1", Text: "domains add web example.com"})
	waitFor(t, "the pending line", func() bool { return count("example.com is pending") == 1 })
	stop(first, cancel)

	second, cancel := start(10 * time.Millisecond)
	waitFor(t, "the pending note", func() bool { return count("is still pending") == 1 })
	stop(second, cancel)

	third, cancel := start(10 * time.Millisecond)
	defer stop(third, cancel)
	gets := h.do.Count("GET /v2/apps/{id}")
	waitFor(t, "two polls by the third bot", func() bool { return h.do.Count("GET /v2/apps/{id}") >= gets+2 })
	h.do.HoldDomain("example.com", false)
	waitFor(t, "the active line", func() bool { return count("example.com is active") == 1 })
	if n := count("is still pending"); n != 1 {
		t.Errorf("%d pending notes across restarts; want 1", n)
	}
	if n := count("example.com is pending"); n != 1 {
		t.Errorf("the pending line was posted %d times; want 1", n)
	}
	if n := count("(follow the certificate of example.com on web) again"); n != 2 {
		t.Errorf("%d restart notes of the follow; want 2 (one a restart)", n)
	}
}

// A scale whose new monthly cost is above the scale policy's limit waits
// for approval, with the plan on its card.
func TestScaleAboveTheCostLimitWaitsForApproval(t *testing.T) {
	h := holdsHarness(t)
	h.live(t, "web")
	h.run("UADM", "policy scale --approval-above 20")
	h.run("UDEP", "scale web --instances 2 --size apps-s-1vcpu-1gb")
	if req := lastOp(t, h, "web", commands.ActionScale); req.State != dobot.OpAwaitingApproval {
		t.Fatalf("a $24 scale under a $20 limit is %s; want awaiting approval", req.State)
	}
	if all := h.plain(); !strings.Contains(all, "$24.00/month is above the $20.00/month limit of the scale policy") {
		t.Errorf("the card does not say why:\n%s", all)
	}
}

// Whatever is typed, the value of `env set`'s KEY=VALUE never survives
// MaskCommand.
func FuzzEnvSetIsMasked(f *testing.F) {
	f.Add("MODE", "fast", "")
	f.Add("API_TOKEN", "p@ss word", "--secret")
	f.Add("K", "x=y=z", "--component api")
	f.Fuzz(func(t *testing.T, key, value, flags string) {
		text := "env set web " + key + "=" + value + " " + flags
		out := secrets.MaskCommand(text) // must not panic
		words, err := cmdline.SplitWords(text)
		if err != nil || len(words) < 3 || words[2] != key+"="+value {
			return // the value does not survive splitting as typed
		}
		if len(value) < 3 || strings.Contains("env set web "+key+"= "+flags+dobot.Masked, value) {
			return // too short to tell, or also typed elsewhere
		}
		if strings.Contains(out, value) {
			t.Errorf("MaskCommand(%q) = %q; it shows the value", text, out)
		}
	})
}

func TestNewDropletsGoIntoDOProject(t *testing.T) {
	h := newHarnessWith(t, commands.Config{Region: "nyc3", Project: "first-project"}, dotest.Options{Token: "tok", PhaseDelay: 20 * time.Millisecond}, nil)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.run("UDEP", "launch box --droplet --image nginx")
	h.waitIdle(t, "box")
	managed, err := h.db.App(context.Background(), "box")
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, a := range h.do.Assignments() {
		found = found || a.URN == "do:droplet:"+managed.ResourceID
	}
	if !found {
		t.Errorf("assignments %+v lack do:droplet:%s", h.do.Assignments(), managed.ResourceID)
	}
	entries, _ := h.db.Audit(context.Background(), dobot.AuditFilter{Action: "do.assign_project"})
	if len(entries) != 1 || entries[0].Outcome != "ok" {
		t.Errorf("assignment audit rows = %+v; want one ok", entries)
	}
}

// A redeploy that sends a new spec shows its plan on the card first; a
// variable's value shows as •••.
func TestRedeployShowsItsPlan(t *testing.T) {
	h := holdsHarness(t)
	h.live(t, "web")
	h.run("UDEP", "redeploy web --env MODE=plan-value-9")
	h.waitOp(t, lastOp(t, h, "web", commands.ActionRedeploy).ID)
	all := h.plain()
	if !strings.Contains(all, "+ services.web.envs.MODE: added") {
		t.Errorf("the redeploy card has no plan:\n%s", all)
	}
	if strings.Contains(all, "plan-value-9") {
		t.Errorf("the redeploy shows the variable's value:\n%s", all)
	}
}

// /do cancel of a domain's follow stops the following, not the domain.
func TestCancelStopsADomainFollow(t *testing.T) {
	h := holdsHarness(t)
	h.live(t, "web")
	h.do.HoldDomain("example.com", true)
	h.run("UDEP", "domains add web example.com")
	waitFor(t, "the pending line", func() bool { return strings.Contains(h.plain(), "example.com is pending") })
	follow := lastOp(t, h, "web", commands.ActionDomainFollow)
	if got := h.answer("UDEP", fmt.Sprintf("cancel %d", follow.ID)); !strings.Contains(got, "Stopped") {
		t.Fatalf("cancel answered %q", got)
	}
	if op := h.waitOp(t, follow.ID); op.State != dobot.OpCanceled {
		t.Errorf("the follow is %s; want canceled", op.State)
	}
	h.do.HoldDomain("example.com", false)
	waitFor(t, "the domain to go active", func() bool { return strings.Contains(h.answer("UVIEW", "domains web"), "is active") })
	if op, _ := h.db.Operation(context.Background(), follow.ID); op.State != dobot.OpCanceled {
		t.Errorf("the stopped follow became %s", op.State)
	}
	h.chat.mu.Lock()
	defer h.chat.mu.Unlock()
	for _, s := range h.chat.sent {
		if s.Kind == "reply" && strings.Contains(s.Msg.Text, "is active, with its certificate") {
			t.Errorf("a stopped follow still reported: %q", s.Msg.Text)
		}
	}
}

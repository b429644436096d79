package commands_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"dobot"
	"dobot/chatview"
	"dobot/commands"
	"dobot/internal/dotest"
)

// fakeViews records the forms opened and the home pages published.
type fakeViews struct {
	mu      sync.Mutex
	forms   []openedForm
	homes   map[string][]chatview.Home
	changed chan struct{} // closed and replaced at every call
}

type openedForm struct {
	trigger string
	form    chatview.Form
}

var _ chatview.Views = (*fakeViews)(nil)
var _ chatview.Handler = (*commands.Bot)(nil)

func newFakeViews() *fakeViews {
	return &fakeViews{homes: map[string][]chatview.Home{}, changed: make(chan struct{})}
}

func (v *fakeViews) signal() {
	close(v.changed)
	v.changed = make(chan struct{})
}

func (v *fakeViews) OpenForm(_ context.Context, trigger string, f chatview.Form) (string, error) {
	if trigger == "expired" {
		return "", chatview.ErrTriggerExpired
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.forms = append(v.forms, openedForm{trigger, f})
	v.signal()
	return "V" + f.ID, nil
}

func (v *fakeViews) UpdateForm(context.Context, string, chatview.Form) error { return nil }

func (v *fakeViews) PublishHome(_ context.Context, user string, h chatview.Home) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.homes[user] = append(v.homes[user], h)
	v.signal()
}

// lastForm is the latest form opened, or fails the test.
func (v *fakeViews) lastForm(t *testing.T) chatview.Form {
	t.Helper()
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.forms) == 0 {
		t.Fatal("no form was opened")
	}
	return v.forms[len(v.forms)-1].form
}

func (v *fakeViews) formCount() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.forms)
}

// waitHome waits for a home page of user that match accepts.
func (v *fakeViews) waitHome(t *testing.T, user string, match func(string) bool) string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		v.mu.Lock()
		hs, changed := v.homes[user], v.changed
		v.mu.Unlock()
		if len(hs) > 0 {
			if text := homeText(hs[len(hs)-1]); match(text) {
				return text
			}
		}
		select {
		case <-changed:
		case <-deadline:
			last := ""
			if len(hs) > 0 {
				last = homeText(hs[len(hs)-1])
			}
			t.Fatalf("no matching home page for %s; last:\n%s", user, last)
		}
	}
}

// homeText is a home page as text, buttons as [action:value].
func homeText(h chatview.Home) string {
	var sb strings.Builder
	for _, s := range h.Sections {
		sb.WriteString("== " + s.Title + "\n" + s.Text + "\n")
		for _, l := range s.Lines {
			sb.WriteString("- " + l.Text)
			for _, b := range l.Buttons {
				sb.WriteString(" [" + b.ActionID + ":" + b.Value + "]")
			}
			sb.WriteString("\n")
		}
		for _, b := range s.Buttons {
			sb.WriteString("[" + b.ActionID + "]\n")
		}
	}
	return sb.String()
}

// newViewsHarness is newHarness with views.
func newViewsHarness(t *testing.T, cfg commands.Config) (*harness, *fakeViews) {
	t.Helper()
	if cfg.Region == "" {
		cfg.Region = "nyc3"
	}
	views := newFakeViews()
	h := startHarness(t, cfg, dotest.Options{Token: "tok", PhaseDelay: 50 * time.Millisecond}, func(d *commands.Deps) { d.Views = views })
	return h, views
}

// runWithTrigger runs a command as Slack sends it, with a trigger_id.
func (h *harness) runWithTrigger(user, text string) string {
	h.bot.Handle(context.Background(), commands.Request{Ref: "test", UserID: user, UserName: strings.ToLower(user), ChannelID: "C1", Text: text,
		ResponseURL: "https://hooks.example/x", TriggerID: "T-" + text})
	return h.chat.lastEphemeral(user)
}

func fieldOf(f chatview.Form, id string) chatview.Field {
	for _, fl := range f.Fields {
		if fl.ID == id {
			return fl
		}
	}
	return chatview.Field{}
}

func TestBareLaunchOpensTheForm(t *testing.T) {
	h, views := newViewsHarness(t, commands.Config{DefaultApp: "demo"})
	h.grant(t, "UDEV", dobot.RoleDeployer)
	h.grant(t, "UVIEW", dobot.RoleViewer)

	if answer := h.runWithTrigger("UDEV", "launch"); answer != "" {
		t.Fatalf("bare launch answered %q; want the form", answer)
	}
	f := views.lastForm(t)
	if f.ID != "launch" || fieldOf(f, "name").Initial != "demo" || fieldOf(f, "image").Initial != "" {
		t.Errorf("form = %s, name %q, image %q; want the launch form prefilled with DO_APP_NAME only", f.ID, fieldOf(f, "name").Initial, fieldOf(f, "image").Initial)
	}
	size := fieldOf(f, "size")
	if size.Kind != chatview.Select || len(size.Options) == 0 || !strings.Contains(size.Options[0].Label, "/month") {
		t.Errorf("size field = %+v; want a select of sizes with monthly prices", size)
	}
	if r := fieldOf(f, "region"); r.Kind != chatview.Select || r.Initial != "nyc" {
		t.Errorf("region field = %+v; want a select starting at nyc", r)
	}
	if s := fieldOf(f, "secrets"); s.Kind != chatview.Secret {
		t.Errorf("secrets field kind = %q; want secret", s.Kind)
	}

	h.runWithTrigger("UDEV", "launch --form")
	if views.formCount() != 2 {
		t.Errorf("launch --form opened %d forms in all; want 2", views.formCount())
	}
	// Someone who may not launch is told so; no form opens.
	if answer := h.runWithTrigger("UVIEW", "launch"); !strings.Contains(answer, "needs the deployer role") {
		t.Errorf("viewer's bare launch = %q; want the refusal", answer)
	}
	if views.formCount() != 2 {
		t.Errorf("a viewer got a form")
	}
	// Without a trigger (no chat service to open it) the command parses as typed.
	if answer := h.run("UDEV", "launch --form"); !strings.Contains(answer, "form") {
		t.Errorf("launch --form without a trigger = %q; want a parse error", answer)
	}
}

func TestBareLaunchWithBothSettingsLaunches(t *testing.T) {
	h, views := newViewsHarness(t, commands.Config{DefaultApp: "demo", DefaultImage: "nginx"})
	h.grant(t, "UDEV", dobot.RoleDeployer)
	h.runWithTrigger("UDEV", "launch")
	if views.formCount() != 0 {
		t.Fatalf("a bare launch with DO_APP_NAME and DO_IMAGE opened a form")
	}
	if _, err := h.db.ActiveOperation(context.Background(), "demo"); err != nil {
		t.Errorf("no launch of demo: %v", err)
	}
}

// launchValues are a valid launch form's values.
func launchValues(name string) map[string]string {
	return map[string]string{"name": name, "image": "nginx", "size": "", "region": "ams", "instances": "1", "port": "",
		"env": "", "secrets": "", "ttl": "", "reason": ""}
}

func submitLaunch(h *harness, user string, values map[string]string) chatview.Reply {
	return h.bot.SubmitForm(context.Background(), chatview.Submission{FormID: "launch", FormRef: "V1", UserID: user, UserName: "dev",
		Values: values, Metadata: `{"c":"C1"}`})
}

func TestLaunchFormShowsMistakesOnItsFields(t *testing.T) {
	h, _ := newViewsHarness(t, commands.Config{})
	h.grant(t, "UDEV", dobot.RoleDeployer)
	cases := []struct {
		name, field, value, want string
	}{
		{"flags in the name", "name", "web --instances 100", "bad app name"},
		{"a flag as the name", "name", "--droplet", "bad app name"},
		{"bad image", "image", "Nginx:", "image"},
		{"image not found", "image", "ghcr.io/acme/nothing:1", "was not found"},
		{"bad ttl", "ttl", "soon", "Tear down after takes a duration"},
		{"bad env line", "env", "MODE=prod\n1BAD=x", "each line takes KEY=VALUE"},
		{"repeated key", "secrets", "MODE=x", "given twice"},
		{"too many instances", "instances", "300", "from 1 to 250"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := launchValues("web")
			v["env"] = "MODE=prod"
			v[c.field] = c.value
			r := submitLaunch(h, "UDEV", v)
			if !strings.Contains(r.Errors[c.field], c.want) {
				t.Errorf("submit with %s=%q: errors = %v; want %q under %s", c.field, c.value, r.Errors, c.want, c.field)
			}
		})
	}
	if ops, _ := h.db.UnfinishedOperations(context.Background()); len(ops) != 0 {
		t.Errorf("a refused form started %d operations", len(ops))
	}
	// A name already taken is refused on the form.
	if err := h.db.PutApp(context.Background(), dobot.App{Name: "taken", Kind: "app", ResourceID: "x", Owner: "UDEV", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if r := submitLaunch(h, "UDEV", launchValues("taken")); !strings.Contains(r.Errors["name"], "already exists") {
		t.Errorf("taken name: errors = %v", r.Errors)
	}
}

func TestLaunchFormRunsTheCommandsPath(t *testing.T) {
	h, _ := newViewsHarness(t, commands.Config{})
	h.grant(t, "UDEV", dobot.RoleDeployer)
	v := launchValues("web")
	v["env"] = "MODE=prod"
	v["secrets"] = "DB_URL=postgres://u:pw-unit-secret@db/x extra-word"
	v["reason"] = "demo --instances 100"
	v["ttl"] = "2h"
	if r := submitLaunch(h, "UDEV", v); len(r.Errors) > 0 {
		t.Fatalf("valid form refused: %v", r.Errors)
	}
	var op dobot.Operation
	waitFor(t, "the launch operation", func() bool {
		var err error
		op, err = h.db.ActiveOperation(context.Background(), "web")
		return err == nil
	})
	if op.Reason != "demo --instances 100" || op.Requester != "UDEV" || op.Channel != "C1" {
		t.Errorf("operation = reason %q requester %s channel %s; want the form's", op.Reason, op.Requester, op.Channel)
	}
	if strings.Contains(op.CommandText, "pw-unit-secret") || strings.Contains(op.Args, "pw-unit-secret") {
		t.Errorf("the operation stores the secret in clear: %q %q", op.CommandText, op.Args)
	}
	if !strings.HasPrefix(op.CommandText, "/do launch web ") || !strings.Contains(op.CommandText, "DB_URL=•••") {
		t.Errorf("command text = %q; want the equivalent command, name first, secret masked", op.CommandText)
	}
	rows, err := h.db.Audit(context.Background(), dobot.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if strings.Contains(r.CommandText+r.Details+r.Error, "pw-unit-secret") {
			t.Errorf("audit row %s holds the secret", r.Action)
		}
	}
	if strings.Contains(op.Args, `"Instances":100`) {
		t.Errorf("the reason's words became flags: %s", op.Args)
	}
}

func TestDenyButtonAsksForAReason(t *testing.T) {
	h, views := newViewsHarness(t, commands.Config{})
	h.grant(t, "UADMIN", dobot.RoleAdmin)
	h.grant(t, "UDEV", dobot.RoleDeployer)
	h.grant(t, "URAJ", dobot.RoleApprover)
	h.run("UADMIN", "policy launch --approval yes")
	h.run("UDEV", "launch web --image nginx")
	op, err := h.db.ActiveOperation(context.Background(), "web")
	if err != nil || op.State != dobot.OpAwaitingApproval {
		t.Fatalf("launch request = %+v, %v; want one awaiting approval", op, err)
	}
	id := itoa(op.ID)
	click := commands.Click{Ref: "c1", UserID: "URAJ", UserName: "raj", ChannelID: "C1", MessageTS: op.MessageTS, ActionID: "deny", Value: id, TriggerID: "T1"}
	h.bot.HandleClick(context.Background(), click)
	f := views.lastForm(t)
	if f.ID != "deny" || !strings.Contains(f.Title, "#"+id) {
		t.Fatalf("form = %s %q; want the deny form for #%s", f.ID, f.Title, id)
	}
	if got, _ := h.db.Operation(context.Background(), op.ID); got.State != dobot.OpAwaitingApproval {
		t.Fatalf("opening the form decided the request: %s", got.State)
	}
	r := h.bot.SubmitForm(context.Background(), chatview.Submission{FormID: f.ID, FormRef: "V1", UserID: "URAJ", UserName: "raj",
		Values: map[string]string{"reason": "not during the freeze"}, Metadata: f.Metadata})
	if len(r.Errors) > 0 {
		t.Fatalf("deny form refused: %v", r.Errors)
	}
	waitFor(t, "the request denied", func() bool {
		got, _ := h.db.Operation(context.Background(), op.ID)
		return got.State == dobot.OpCanceled && got.Error == "not during the freeze" && got.Decider == "URAJ"
	})

	// A trigger too old to open the form: the button acts without a reason.
	h.run("UDEV", "launch api --image nginx")
	op2, _ := h.db.ActiveOperation(context.Background(), "api")
	click = commands.Click{Ref: "c2", UserID: "URAJ", UserName: "raj", ChannelID: "C1", MessageTS: op2.MessageTS, ActionID: "deny", Value: itoa(op2.ID), TriggerID: "expired"}
	h.bot.HandleClick(context.Background(), click)
	if got, _ := h.db.Operation(context.Background(), op2.ID); got.State != dobot.OpCanceled {
		t.Errorf("deny with an expired trigger left the request %s", got.State)
	}

	// The ops list's Deny asks too; its submission decides the request, not the list's message.
	h.run("UDEV", "launch db --image nginx")
	op3, _ := h.db.ActiveOperation(context.Background(), "db")
	h.bot.HandleClick(context.Background(), commands.Click{Ref: "c3", UserID: "URAJ", UserName: "raj", ChannelID: "C1", MessageTS: "9.9",
		ActionID: "ops_deny#" + itoa(op3.ID), Value: itoa(op3.ID), TriggerID: "T3"})
	f = views.lastForm(t)
	if f.ID != "deny" || !strings.Contains(f.Title, "#"+itoa(op3.ID)) {
		t.Fatalf("ops Deny opened %s %q", f.ID, f.Title)
	}
	h.bot.SubmitForm(context.Background(), chatview.Submission{FormID: f.ID, FormRef: "V3", UserID: "URAJ", UserName: "raj",
		Values: map[string]string{"reason": "from the list"}, Metadata: f.Metadata})
	waitFor(t, "the request denied from the ops list", func() bool {
		got, _ := h.db.Operation(context.Background(), op3.ID)
		return got.State == dobot.OpCanceled && got.Error == "from the list"
	})
}

func TestHomeTab(t *testing.T) {
	h, views := newViewsHarness(t, commands.Config{})
	h.grant(t, "UADMIN", dobot.RoleAdmin)
	h.grant(t, "UDEV", dobot.RoleDeployer)
	h.grant(t, "URAJ", dobot.RoleApprover)
	ctx := context.Background()

	h.bot.HomeOpened(ctx, "USTRANGER")
	if text := views.waitHome(t, "USTRANGER", func(string) bool { return true }); !strings.Contains(text, "no role") || strings.Contains(text, "home_launch") {
		t.Errorf("home without a role:\n%s\nwant how to get one, and no Launch", text)
	}
	now := time.Now().UTC()
	if err := h.db.PutApp(ctx, dobot.App{
		Name:         "web",
		Kind:         "app",
		ResourceID:   "r1",
		Owner:        "UDEV",
		CreatedAt:    now.Add(-time.Hour),
		MonthlyCents: 2400,
		Expiry:       dobot.Expiry{ExpiresAt: now.Add(3 * time.Hour)},
	}); err != nil {
		t.Fatal(err)
	}
	h.bot.HomeOpened(ctx, "UDEV")
	text := views.waitHome(t, "UDEV", func(string) bool { return true })
	for _, want := range []string{"*web*", "$24.00/month", "expires", "[home_launch]", "Spend this month", "Total:"} {
		if !strings.Contains(text, want) {
			t.Errorf("deployer's home lacks %q:\n%s", want, text)
		}
	}
	h.bot.HomeOpened(ctx, "URAJ")
	views.waitHome(t, "URAJ", func(string) bool { return true })

	// A new request republishes the approver's page, with its buttons.
	h.run("UADMIN", "policy launch --approval yes")
	h.run("UDEV", "launch api --image nginx")
	op, err := h.db.ActiveOperation(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	id := itoa(op.ID)
	views.waitHome(t, "URAJ", func(s string) bool {
		return strings.Contains(s, "[approve:"+id+"]") && strings.Contains(s, "[deny:"+id+"]")
	})
	views.waitHome(t, "UDEV", func(s string) bool {
		return strings.Contains(s, "Your request #"+id) && !strings.Contains(s, "[approve:")
	})

	// Approve from the home page: the normal decision path.
	h.bot.HandleViewClick(ctx, chatview.Click{UserID: "URAJ", UserName: "raj", ActionID: "approve", Value: id, TriggerID: "T9"})
	waitFor(t, "the request approved", func() bool {
		got, _ := h.db.Operation(ctx, op.ID)
		return got.Decider == "URAJ" && got.State != dobot.OpAwaitingApproval
	})
	views.waitHome(t, "URAJ", func(s string) bool { return !strings.Contains(s, "[approve:"+id+"]") })

	// The home page's Launch button opens the launch form.
	h.bot.HandleViewClick(ctx, chatview.Click{UserID: "UDEV", UserName: "dev", ActionID: "home_launch", TriggerID: "T10"})
	if f := views.lastForm(t); f.ID != "launch" {
		t.Errorf("Launch opened %q", f.ID)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestDestroyNowAsksForAReason(t *testing.T) {
	h, views := newViewsHarness(t, commands.Config{})
	h.grant(t, "UDEV", dobot.RoleDeployer)
	ctx := context.Background()
	h.run("UDEV", "launch web --image nginx")
	waitFor(t, "web launched", func() bool {
		_, appErr := h.db.App(ctx, "web")
		_, opErr := h.db.ActiveOperation(ctx, "web")
		return appErr == nil && opErr != nil
	})
	h.bot.HandleClick(ctx, commands.Click{Ref: "c", UserID: "UDEV", UserName: "dev", ChannelID: "C1", MessageTS: "1.2", ActionID: "ttl_destroy", Value: "web", TriggerID: "T1"})
	f := views.lastForm(t)
	if f.ID != "teardown" || fieldOf(f, "reason").Initial == "" {
		t.Fatalf("form = %s, reason %q; want the teardown form with a default reason", f.ID, fieldOf(f, "reason").Initial)
	}
	if _, err := h.db.ActiveOperation(ctx, "web"); err == nil {
		t.Fatal("opening the form started the teardown")
	}
	r := h.bot.SubmitForm(ctx, chatview.Submission{FormID: f.ID, FormRef: "V1", UserID: "UDEV", UserName: "dev",
		Values: map[string]string{"reason": "done --reason x"}, Metadata: f.Metadata})
	if len(r.Errors) > 0 {
		t.Fatalf("teardown form refused: %v", r.Errors)
	}
	// The default teardown policy asks for approval: a request, with the form's reason.
	var op dobot.Operation
	waitFor(t, "the teardown request", func() bool {
		var err error
		op, err = h.db.ActiveOperation(ctx, "web")
		return err == nil && op.State != dobot.OpRequested
	})
	if op.Action != "teardown" || op.Reason != "done --reason x" || op.State != dobot.OpAwaitingApproval {
		t.Errorf("operation = %s %q %s; want a teardown request with the form's reason", op.Action, op.Reason, op.State)
	}
}

// A form is not offered to someone the command would refuse: the click
// is refused on the usual path, audited.
func TestReasonFormOnlyForThoseWhoMay(t *testing.T) {
	h, views := newViewsHarness(t, commands.Config{})
	h.grant(t, "UADMIN", dobot.RoleAdmin)
	h.grant(t, "UDEV", dobot.RoleDeployer)
	h.grant(t, "UDEV2", dobot.RoleDeployer)
	h.run("UADMIN", "policy launch --approval yes")
	h.run("UDEV", "launch web --image nginx")
	op, err := h.db.ActiveOperation(context.Background(), "web")
	if err != nil {
		t.Fatal(err)
	}
	h.bot.HandleClick(context.Background(), commands.Click{Ref: "c", UserID: "UDEV2", UserName: "dev2", ChannelID: "C1", MessageTS: op.MessageTS,
		ActionID: "deny", Value: itoa(op.ID), TriggerID: "T1"})
	if views.formCount() != 0 {
		t.Errorf("a deployer got the deny form")
	}
	if answer := h.chat.lastEphemeral("UDEV2"); !strings.Contains(answer, "Only an approver or admin may use the Deny button") {
		t.Errorf("answer = %q; want the refusal", answer)
	}
}

package commands_test

import (
	"context"
	"strings"
	"testing"

	"dobot"
	"dobot/commands"
	"dobot/store"
)

// `/do launch --form` with a name, an image and flags opens the launch
// form prefilled with them; what the form cannot carry, or a launch would
// refuse, is refused with a reply, and neither a form nor a launch follows.
func TestLaunchFormIsPrefilledWithWhatWasTyped(t *testing.T) {
	h, views := newViewsHarness(t, commands.Config{DefaultApp: "demo"})
	h.grant(t, "UDEV", dobot.RoleDeployer)
	h.grant(t, "UVIEW", dobot.RoleViewer)

	if help := h.run("UVIEW", "help launch"); !strings.Contains(help, "[--form]") || !strings.Contains(help, "prefilled with the name, image and flags typed") {
		t.Errorf("help launch = %q; want --form in its usage and described", help)
	}

	h.runWithTrigger("UDEV", "launch --form")
	sizes := fieldOf(views.lastForm(t), "size").Options
	if len(sizes) == 0 {
		t.Fatal("the launch form offers no sizes")
	}
	typed := `launch web --form --image ghcr.io/acme/web:2 --size ` + sizes[0].Value + ` --region ams3 --instances 2 --port 8080 --env MODE=prod --env DEBUG=1 --ttl 4h --reason "demo day"`
	h.runWithTrigger("UDEV", typed)
	if n := views.formCount(); n != 2 {
		t.Fatalf("%s opened %d forms in all; want 2", typed, n)
	}
	f := views.lastForm(t)
	want := map[string]string{"name": "web", "image": "ghcr.io/acme/web:2", "size": sizes[0].Value, "region": "ams", "instances": "2", "port": "8080",
		"env": "MODE=prod\nDEBUG=1", "ttl": "4h", "reason": "demo day"}
	for id, w := range want {
		if got := fieldOf(f, id).Initial; got != w {
			t.Errorf("%s: field %s = %q; want %q", typed, id, got, w)
		}
	}
	h.runWithTrigger("UDEV", "launch --form --image nginx")
	if f := views.lastForm(t); views.formCount() != 3 || fieldOf(f, "name").Initial != "demo" || fieldOf(f, "image").Initial != "nginx" {
		t.Errorf("launch --form --image nginx: %d forms, name %q, image %q; want a third form with DO_APP_NAME and nginx",
			views.formCount(), fieldOf(f, "name").Initial, fieldOf(f, "image").Initial)
	}

	for _, tt := range []struct{ in, want string }{
		{"launch web --form --droplet", "the launch form has no field for --droplet"},
		{"launch web --form --git https://github.com/acme/web --dry-run", "no field for --dry-run, --git"},
		{"launch web --form --secret API_KEY=hunter2", "no field for --secret"},
		{"launch web --form --size apps-s-9vcpu-999gb", "App Platform offers no instance size"},
		{"launch Bad_Name --form", "bad app name"},
		{"launch web --form --image Nginx:", "bad image ref"},
		{"launch web --form --ttl 1s", "--ttl takes a duration"},
		{"launch web --form --port 70000", "--port must be a whole number"},
		{"launch web hunter2 --form --env API_KEY=hunter2", "launch takes one app name"},
		{"launch web --form --env DB_PASSWORD=hunter2", "--env DB_PASSWORD looks secret"},
		{"launch web --form --reason " + strings.Repeat("r", 301), "--reason is 301 characters; the form takes at most 300"},
	} {
		answer := h.runWithTrigger("UDEV", tt.in)
		if !strings.Contains(answer, tt.want) || strings.Contains(answer, "hunter2") {
			t.Errorf("%s = %q; want a refusal saying %q, with no secret value", tt.in, answer, tt.want)
		}
	}
	if n := views.formCount(); n != 3 {
		t.Errorf("the refused commands opened %d forms; want none", n-3)
	}
	if op, err := h.db.ActiveOperation(context.Background(), "web"); err == nil {
		t.Errorf("a refused --form launched: %+v", op)
	}
	// Where no form can open, --form is refused in words, not as an unknown flag.
	if answer := h.run("UDEV", "launch web --form --image nginx"); !strings.Contains(answer, "--form opens the launch form, prefilled with a name, an image and flags; it cannot open for this command") {
		t.Errorf("launch --form without a trigger = %q; want it to say the form cannot open for it", answer)
	}
}

// TestLaunchFormOpeningIsAudited: opening the launch form is audited as a
// typed command is: a refusal (role or bad input) and an opening each get
// a row, the row claims the envelope, and a redelivered envelope opens no
// second form.
func TestLaunchFormOpeningIsAudited(t *testing.T) {
	h, views := newViewsHarness(t, commands.Config{DefaultApp: "demo"})
	h.grant(t, "UDEV", dobot.RoleDeployer)
	h.grant(t, "UVIEW", dobot.RoleViewer)
	deliver := func(user, text, key string) {
		ctx := store.WithEnvelope(context.Background(), key, "https://hooks.example/x", user, "C1")
		h.bot.Handle(ctx, commands.Request{Ref: "E1", UserID: user, UserName: strings.ToLower(user), ChannelID: "C1", Text: text,
			ResponseURL: "https://hooks.example/x", TriggerID: "T-" + key})
	}
	deliver("UVIEW", "launch --form", "cmd:viewer")
	deliver("UDEV", "launch --form --image Nginx:", "cmd:bad")
	deliver("UDEV", "launch --form", "cmd:ok")
	deliver("UDEV", "launch --form", "cmd:ok") // Slack redelivers it
	if n := views.formCount(); n != 1 {
		t.Errorf("forms opened = %d; want 1 (the deployer's, once)", n)
	}
	rows, err := h.db.Audit(context.Background(), dobot.AuditFilter{Action: "launch"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.UserID+" "+r.Decision+"/"+r.Outcome)
	}
	want := []string{"UDEV allowed/form opened", "UDEV refused/bad input", "UVIEW refused/not permitted"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("launch audit rows, newest first = %q; want %q", got, want)
	}
}

package console_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"dobot"
	"dobot/chatview"
	"dobot/commands"
	"dobot/console"
)

// formBot opens a form on every /do and answers submissions: the first
// with an error on "name", later ones by closing the form.
type formBot struct {
	con         *console.Console
	submissions []map[string]string
	clicks      []chatview.Click
}

func (b *formBot) Handle(ctx context.Context, r commands.Request) {
	_, _ = b.con.OpenForm(ctx, r.TriggerID, chatview.Form{ID: "launch", Title: "Launch an app", Metadata: "m", Fields: []chatview.Field{
		{ID: "name", Label: "App name", Kind: chatview.Text},
		{ID: "region", Label: "Region", Kind: chatview.Select, Options: []chatview.Option{{Value: "ams", Label: "ams"}, {Value: "nyc", Label: "nyc"}}, Initial: "nyc"},
		{ID: "env", Label: "Env", Kind: chatview.Multiline, Optional: true},
		{ID: "secrets", Label: "Secrets", Kind: chatview.Secret, Optional: true},
	}})
}

func (b *formBot) HandleClick(context.Context, commands.Click) {}

func (b *formBot) SubmitForm(_ context.Context, s chatview.Submission) chatview.Reply {
	copied := map[string]string{}
	for k, v := range s.Values {
		copied[k] = v
	}
	b.submissions = append(b.submissions, copied)
	if len(b.submissions) == 1 {
		return chatview.Reply{Errors: map[string]string{"name": "bad app name"}}
	}
	// The command the form stands for runs to its end, as dispatch would.
	b.con.Observer(nil).CommandDone("launch", "ok")
	return chatview.Reply{}
}

func (b *formBot) FormClosed(context.Context, chatview.Closed) {}

func (b *formBot) HomeOpened(ctx context.Context, user string) {
	b.con.PublishHome(ctx, user, chatview.Home{Sections: []chatview.Section{{Title: "Your apps", Lines: []chatview.Line{{Text: "*web*"}},
		Buttons: []chatview.Button{{ActionID: "home_launch", Label: "Launch an app", Value: "launch"}}}}})
}

func (b *formBot) HandleViewClick(_ context.Context, c chatview.Click) {
	b.clicks = append(b.clicks, c)
}

// noStore is a store with no roles and no operations.
type noStore struct{}

func (noStore) Role(context.Context, string) (dobot.Role, error)                { return dobot.RoleNone, nil }
func (noStore) UnfinishedOperations(context.Context) ([]dobot.Operation, error) { return nil, nil }

func TestConsoleAsksAFormFieldByField(t *testing.T) {
	var out bytes.Buffer
	con := console.New(&out, console.Options{Store: noStore{}})
	bot := &formBot{con: con}
	script := strings.Join([]string{"/form launch", "Bad", "1", "A=1; B=2", "TOKEN=s3cr3t-console", "web", "TOKEN=s3cr3t-console",
		"/form launch", "/cancel", "/home", "1"}, "\n") + "\n"
	if err := con.Run(context.Background(), strings.NewReader(script), bot); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if len(bot.submissions) != 2 {
		t.Fatalf("submissions = %d; want 2 (one refused, one taken)\n%s", len(bot.submissions), text)
	}
	first, second := bot.submissions[0], bot.submissions[1]
	if first["name"] != "Bad" || first["region"] != "ams" || first["env"] != "A=1\nB=2" || first["secrets"] != "TOKEN=s3cr3t-console" {
		t.Errorf("first submission = %v", first)
	}
	// Only the field in error and the secret are asked again; the rest keep their answers.
	if second["name"] != "web" || second["region"] != "ams" || second["secrets"] != "TOKEN=s3cr3t-console" {
		t.Errorf("second submission = %v", second)
	}
	for _, want := range []string{"[form] Launch an app", "? Region [nyc]", "1) ams", "App name: bad app name", "form submitted",
		"form closed; nothing was submitted", "[home of ULOCAL]", "*web*", "Launch an app"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "s3cr3t-console") {
		t.Errorf("the console printed the secret:\n%s", text)
	}
	if len(bot.clicks) != 1 || bot.clicks[0].ActionID != "home_launch" || bot.clicks[0].TriggerID == "" {
		t.Errorf("home clicks = %+v; want the Launch button, with a trigger", bot.clicks)
	}
}

// The console asks the launch form's app spec field too, its lines
// separated by "; ", and the spec launches as `/do launch --spec` does.
func TestConsoleLaunchFormTakesAnAppSpec(t *testing.T) {
	h := start(t, func(h *harness, d *commands.Deps) { d.Views = h.con })
	spec := `name: shop; services:; - name: web;   image: {registry_type: DOCKER_HUB, registry: library, repository: nginx, tag: "1.27"};   http_port: 80`
	// name, image, spec, size, region, instances, port, env, secrets, ttl, reason
	answers := []string{"", "", spec, "", "", "", "", "", "", "", "console spec"}
	out := h.run(t, strings.Join(append([]string{"/do launch --form"}, answers...), "\n")+"\n")
	wantInOrder(t, out,
		"[form] Launch an app",
		"? App spec (YAML or JSON) (optional)",
		"(several lines: separate them with \"; \")",
		"form submitted",
		"shop is live at https://",
	)
	if _, err := h.db.App(context.Background(), "shop"); err != nil {
		t.Errorf("no app shop after the form: %v; output:\n%s", err, out)
	}
}

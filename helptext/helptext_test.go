package helptext_test

import (
	"errors"
	"strings"
	"testing"

	"dobot"
	"dobot/chat"
	"dobot/helptext"
	"dobot/reply"
)

var cmds = []helptext.Command{
	{Name: "help", Usage: "help [COMMAND]", Description: "Explain.", Examples: []string{"help"}},
	{Name: "launch", Usage: "launch NAME", Description: "Launch an app.", Examples: []string{"launch web", "launch api"}, Need: dobot.RoleDeployer},
	{Name: "registry", Usage: "registry", Description: "Show the registry.", Need: dobot.RoleViewer, Subcommands: []helptext.Command{
		{Name: "registry create", Usage: "registry create NAME", Description: "Create one.", Need: dobot.RoleAdmin},
		{Name: "registry repos", Usage: "registry repos", Description: "List repos.", Need: dobot.RoleViewer},
	}},
	{Name: "zap", Usage: "zap", Description: "Something new.", Need: dobot.RoleViewer},
	{Name: "teardown", Usage: "teardown NAME", Description: "Delete an app.", Need: dobot.RoleDeployer, Approval: true},
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   []string
		want helptext.Args
	}{
		{nil, helptext.Args{}},
		{[]string{"Launch"}, helptext.Args{Command: "launch"}},
		{[]string{"registry", "CREATE"}, helptext.Args{Command: "registry create"}},
	}
	for _, tt := range tests {
		if got, err := helptext.Parse(tt.in); err != nil || got != tt.want {
			t.Errorf("parse(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
	var ue *reply.UserError
	if _, err := helptext.Parse([]string{"a", "b", "c"}); !errors.As(err, &ue) {
		t.Errorf("parse(a b c) = %v; want a user error", err)
	}
}

func TestListByRole(t *testing.T) {
	viewer := helptext.List(cmds, dobot.RoleViewer, nil).Text
	for _, want := range []string{
		"*Commands you can run* (you are a viewer):\n*Deploy*\n• `/do registry` — Show the registry. Sub-commands: repos.\n",
		"*Observe*\n• `/do help [COMMAND]` — Explain. e.g. `/do help`\n",
		"*More*\n• `/do zap` — Something new.\n",
	} {
		if !strings.Contains(viewer, want) {
			t.Errorf("viewer's list lacks %q:\n%s", want, viewer)
		}
	}
	if strings.Contains(viewer, "launch") || strings.Contains(viewer, "create") || strings.Contains(viewer, "no role") {
		t.Errorf("viewer's list offers what they may not run:\n%s", viewer)
	}
	admin := helptext.List(cmds, dobot.RoleAdmin, nil).Text
	if !strings.Contains(admin, "(you are an admin)") || !strings.Contains(admin, "Sub-commands: create, repos.") ||
		!strings.Contains(admin, "• `/do launch NAME` — Launch an app. e.g. `/do launch web`\n• `/do teardown NAME` — Delete an app.\n• `/do registry`") {
		t.Errorf("admin's list:\n%s", admin)
	}
	if !strings.HasSuffix(admin, "\n`/do help COMMAND` explains one, with its sub-commands.") {
		t.Errorf("admin's list does not end by pointing at help COMMAND:\n%s", admin)
	}
}

func TestListForNoRole(t *testing.T) {
	got := helptext.List(cmds, dobot.RoleNone, []string{"U0AAAA1", "U0BBBB2"}).Text
	want := "You have no role yet, so help is all you can run. Ask " + chat.Mention("U0AAAA1") + ", " + chat.Mention("U0BBBB2") + " for one.\n"
	if !strings.HasPrefix(got, "*Commands you can run*:\n") || !strings.Contains(got, want) {
		t.Errorf("list for no role = %q; want %q", got, want)
	}
	more := append([]helptext.Command{{Name: "sizes", Usage: "sizes", Description: "Prices."}}, cmds...)
	if got := helptext.List(more, dobot.RoleNone, nil).Text; !strings.Contains(got, "so these are all you can run. Ask an admin for one.") {
		t.Errorf("list for no role with two commands = %q", got)
	}
}

func TestPage(t *testing.T) {
	got := helptext.Page(cmds[4])
	want := chat.Message{Title: "/do teardown", Text: "`/do teardown NAME`\nDelete an app.\nNeeds the deployer role and approval by a second person.\n"}
	if got.Text != want.Text || got.Title != want.Title {
		t.Errorf("Page(teardown) = %+v; want %+v", got, want)
	}
	reg := helptext.Page(cmds[2]).Text
	if !strings.HasSuffix(reg, "Needs the viewer role.\nSub-commands:\n• `/do registry create NAME` — Create one.\n• `/do registry repos` — List repos.\n") {
		t.Errorf("Page(registry) = %q", reg)
	}
	if help := helptext.Page(cmds[0]).Text; strings.Contains(help, "Needs") || !strings.Contains(help, "Example: `/do help`\n") {
		t.Errorf("Page(help) = %q", help)
	}
}

func TestWantsHelp(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", false}, {"--help", true}, {"web -h", true}, {"-help", true}, {"--h", true},
		{"web --reason -- -h", false}, {"--helpful", false},
	}
	for _, tt := range tests {
		if got := helptext.WantsHelp(strings.Fields(tt.in)); got != tt.want {
			t.Errorf("WantsHelp(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

func TestDidYouMean(t *testing.T) {
	names := []string{"launch", "watch", "status", "help"}
	tests := []struct{ typed, want string }{
		{"lauch", "unknown command \"lauch\". Did you mean `/do launch`? `/do help` lists the commands."},
		{"LAUNC", "`/do launch`?"},
		{"wtch", "Did you mean `/do watch`?"},
		{"frobnicate", "unknown command \"frobnicate\". Try `/do help` for the list of commands."},
	}
	for _, tt := range tests {
		if got := helptext.UnknownCommand(tt.typed, names).Error(); !strings.Contains(got, tt.want) {
			t.Errorf("UnknownCommand(%q) = %q; want %q", tt.typed, got, tt.want)
		}
	}
	// What was typed is quoted, but cannot mention anyone.
	if got := helptext.UnknownCommand(chat.Mention("U0123ABCD"), names).Error(); strings.Contains(got, chat.Mention("U0123ABCD")) {
		t.Errorf("UnknownCommand(a mention) = %q; it mentions", got)
	}
	subs := []string{"registry create", "registry delete", "registry gc"}
	got := helptext.UnknownSubcommand("registry", subs, "delte")
	if got == nil || got.Error() != "registry has no sub-command \"delte\". Did you mean `/do registry delete`? `/do help registry` lists them." {
		t.Errorf("UnknownSubcommand(delte) = %v", got)
	}
	if got := helptext.UnknownSubcommand("registry", subs, "acme"); got != nil {
		t.Errorf("UnknownSubcommand(acme) = %v; want nil", got)
	}
}

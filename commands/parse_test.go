package commands

import (
	"errors"
	"strings"
	"testing"

	"dobot"
	"dobot/cmdline"
	"dobot/reply"
)

func TestTableParse(t *testing.T) {
	table, err := NewTable(standardCommands()...)
	if err != nil {
		t.Fatal(err)
	}
	if cmd, _, err := table.Parse("", Config{}); err != nil || cmd.Name != "help" {
		t.Errorf("Parse(\"\") = %v, %v; want help", cmd, err)
	}
	if _, _, err := table.Parse("frobnicate web", Config{}); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("Parse(frobnicate) error = %v; want unknown command", err)
	}
	if cmd, _, err := table.Parse("STATUS web", Config{}); err != nil || cmd.Name != "status" {
		t.Errorf("Parse(STATUS web) = %v, %v; want status", cmd, err)
	}
}

func TestNewTableRefusesDuplicates(t *testing.T) {
	if _, err := NewTable(helpCommand, helpCommand); err == nil {
		t.Error("NewTable(help, help) succeeded; want a duplicate error")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"launch web --image nginx", `launch "web`, "status", "grant @U1 admin", "launch web --env A=#b", "\u201cx\u201d", "teardown web", "scale web --instances 2", "env set web K=v --secret", "env unset web K", "domains add web example.com --primary", "restart web --component api"} {
		f.Add(s)
	}
	table, err := NewTable(standardCommands()...)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		_, _, err := table.Parse(text, Config{Region: "nyc3"})
		if err != nil {
			var ue *reply.UserError
			if !errors.As(err, &ue) {
				t.Fatalf("Parse(%q) error %v is not a *reply.UserError", text, err)
			}
			if ue.Msg == "" {
				t.Fatalf("Parse(%q) gave an empty error message", text)
			}
		}
	})
}

// FuzzSlackValues feeds Slack payload values (user mentions, button values,
// request ids) to their parsers: they return a value or a user error and
// never panic.
func FuzzSlackValues(f *testing.F) {
	for _, s := range []string{"<@U123|ana>", "<@W1>", "U123", "12", "#12", "-1", "99999999999999999999", "<http://x|y>", ""} {
		f.Add(s)
	}
	parseID := parseRequestID("approve", false)
	f.Fuzz(func(t *testing.T, s string) {
		if id, err := cmdline.ParseUser(s); err == nil && !dobot.IsUserID(id) {
			t.Fatalf("cmdline.ParseUser(%q) = %q, not a user id", s, id)
		}
		if _, err := parseID([]string{s}, Config{}); err != nil {
			var ue *reply.UserError
			if !errors.As(err, &ue) {
				t.Fatalf("parse request id %q: %v is not a user error", s, err)
			}
		}
		_ = cmdline.TrimScheme(s)
	})
}

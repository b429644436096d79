package console

import (
	"dobot/chat"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"dobot"
)

func TestParseLine(t *testing.T) {
	tests := []struct {
		in      string
		want    input
		wantErr string
	}{
		{"", input{}, ""},
		{"   ", input{}, ""},
		{"# a comment", input{}, ""},
		{"/do launch web --image nginx", input{kind: kindDo, text: "launch web --image nginx"}, ""},
		{"  /do   status  ", input{kind: kindDo, text: "status"}, ""},
		{"/do", input{kind: kindDo}, ""},
		{"/DO help", input{kind: kindDo, text: "help"}, ""},
		{"/do\tstatus web", input{kind: kindDo, text: "status web"}, ""},
		{"/do env --env \"A=b c\" # not a comment", input{kind: kindDo, text: "env --env \"A=b c\" # not a comment"}, ""},
		{"1", input{kind: kindClick, choice: 1}, ""},
		{" 12 ", input{kind: kindClick, choice: 12}, ""},
		{"/click 3", input{kind: kindClick, choice: 3}, ""},
		{"0", input{}, "numbered from 1"},
		{"-2", input{}, "numbered from 1"},
		{"/click", input{}, "/click needs a choice number"},
		{"/click x", input{}, "/click needs a choice number"},
		{"/as", input{kind: kindAs}, ""},
		{"/as U0456", input{kind: kindAs, text: "U0456"}, ""},
		{"/as u0456", input{kind: kindAs, text: "U0456"}, ""},
		{"/as @U0456", input{kind: kindAs, text: "U0456"}, ""},
		{"/as <@W0456>", input{}, "Slack-style user id"},
		{"/as bob", input{}, "Slack-style user id"},
		{"/as U1", input{}, "Slack-style user id"},
		{"/wait", input{kind: kindWait}, ""},
		{"/wait 30s", input{kind: kindWait, wait: 30 * time.Second}, ""},
		{"/wait -1s", input{}, "/wait takes a duration"},
		{"/help", input{kind: kindHelp}, ""},
		{"/quit", input{kind: kindQuit}, ""},
		{"/exit", input{kind: kindQuit}, ""},
		{"/dox", input{}, "/dox is not a console command"},
		{"launch web", input{}, "type /do launch web"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseLine(tt.in)
			if tt.wantErr != "" {
				var ie *errInput
				if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseLine(%q) = %+v, %v; want an input error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("parseLine(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

func FuzzParseLine(f *testing.F) {
	for _, s := range []string{"/do launch web", "1", "/click 2", "/as @U1234", "/wait 5s", "hello", "/", "# x", "/as @"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		in, err := parseLine(line)
		if err != nil {
			var ie *errInput
			if !errors.As(err, &ie) || err.Error() == "" {
				t.Fatalf("parseLine(%q) error %v is not an input error with text", line, err)
			}
			return
		}
		switch in.kind {
		case kindClick:
			if in.choice <= 0 {
				t.Fatalf("parseLine(%q) = choice %d", line, in.choice)
			}
		case kindAs:
			if in.text != "" && !dobot.IsUserID(in.text) {
				t.Fatalf("parseLine(%q) = user %q", line, in.text)
			}
		case kindWait:
			if in.wait < 0 {
				t.Fatalf("parseLine(%q) = wait %v", line, in.wait)
			}
		}
	})
}

func TestPlain(t *testing.T) {
	tests := []struct{ in, want string }{
		{chat.Mention("U123") + " asks", "@U123 asks"},
		{"see " + chat.Link("https://a.example", "the app"), "see the app (https://a.example)"},
		{chat.Link("https://a.example", ""), "https://a.example"},
		{chat.Link("https://a.example", "https://a.example"), "https://a.example"},
		{"in " + chat.Channel("C123"), "in #C123"},
		{"<!here> look & <@U1>", "<!here> look & <@U1>"},
		{"usage: <NAME> stays", "usage: <NAME> stays"},
		{chat.IconLaunch + " :nonesuch: at 12:04:05", "🚀 :nonesuch: at 12:04:05"},
	}
	for _, tt := range tests {
		if got := plain(tt.in); got != tt.want {
			t.Errorf("plain(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// The README's console examples use user ids that /as and grant accept
// (issue 13: its own "/as U2" was refused as not a user id).
func TestREADMEConsoleUserIDsParse(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	ids := regexp.MustCompile("`/as ([^`]+)`|`/do grant (@?[^ `]+)").FindAllStringSubmatch(string(readme), -1)
	if len(ids) == 0 {
		t.Fatal("the README shows no /as or grant example")
	}
	for _, m := range ids {
		id := m[1] + m[2]
		if id == "USER" { // the table's placeholder
			continue
		}
		if _, err := ParseUser(id); err != nil {
			t.Errorf("README example %q: ParseUser(%q) = %v", m[0], id, err)
		}
	}
}

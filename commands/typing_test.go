package commands

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"dobot/helptext"
)

// TestTableParseTypingTraps: what people mistype reaches the command they
// meant, or a refusal that says what to fix.
func TestTableParseTypingTraps(t *testing.T) {
	table, err := NewTable(standardCommands()...)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Region: "nyc3", MaxTTL: 30 * 24 * time.Hour}
	tests := []struct {
		in       string
		wantCmd  string // "" when an error is wanted
		wantArgs any    // checked when not nil
		wantErr  string // substring of the error
		notErr   string // must not be in the error
	}{
		// Em and en dashes from autocorrect.
		{in: "launch web —image nginx", wantCmd: "launch"},
		{in: "launch web –image nginx –region ams3", wantCmd: "launch"},
		// Repeated single-value flags and env keys.
		{in: "launch web --image a --image b", wantErr: "--image was given twice", notErr: "\"b\""},
		{in: "launch web --image nginx --region ams3 --region nyc3", wantErr: "--region was given twice"},
		{in: "logs web --lines 5 --lines 6", wantErr: "--lines was given twice"},
		{in: "launch web --image nginx --env A=1 --env A=2", wantErr: "key A was given twice", notErr: "A=2"},
		{in: "launch web --image nginx --env A=1 --secret A=s3cret", wantErr: "key A was given twice", notErr: "s3cret"},
		{in: "redeploy web --secret TOKEN=x --secret TOKEN=y", wantErr: "key TOKEN was given twice"},
		{in: `launch web --image nginx --secret "A=s3 for flag -x: leak" --secret "A=for flag -y: leak2"`, wantErr: "key A was given twice", notErr: "leak"},
		{in: "launch web --image nginx --env A=1 --env B=2 --secret C=3", wantCmd: "launch"},
		// Durations take d everywhere.
		{in: "launch demo --image nginx --ttl 4d", wantCmd: "launch"},
		{in: "extend demo 2d", wantCmd: "extend"},
		{in: "extend demo 1d12h", wantCmd: "extend"},
		{in: "audit --since 1d12h", wantCmd: "audit"},
		{in: "audit --since 7d", wantCmd: "audit"},
		// Errors name the command typed.
		{in: "extend demo soon", wantErr: "extend", notErr: "--ttl"},
		{in: "extend demo 90d", wantErr: "extend", notErr: "--ttl"},
		{in: "launch demo --image nginx --ttl soon", wantErr: "--ttl"},
		{in: "logs web --lines x", wantErr: "/do help logs"},
		{in: "launch web --image nginx --nope", wantErr: "launch does not know the flag --nope"},
		// --help and -h show the command's help.
		{in: "launch --help", wantCmd: "help", wantArgs: helptext.Args{Command: "launch"}},
		{in: "launch web --image nginx -h", wantCmd: "help", wantArgs: helptext.Args{Command: "launch"}},
		{in: "status -h", wantCmd: "help", wantArgs: helptext.Args{Command: "status"}},
		{in: "extend —help", wantCmd: "help", wantArgs: helptext.Args{Command: "extend"}},
		{in: "registry create --help", wantCmd: "help", wantArgs: helptext.Args{Command: "registry create"}},
		{in: "teardown web --reason -- -h", wantErr: "teardown"},
		// Did you mean …?
		{in: "lauch web", wantErr: "Did you mean `/do launch`?"},
		{in: "stauts", wantErr: "`/do status`"},
		{in: "LAUNC web", wantErr: "`/do launch`"},
		{in: "frobnicate", wantErr: "unknown command", notErr: "Did you mean"},
		{in: "registry delte acme", wantErr: "registry has no sub-command \"delte\". Did you mean `/do registry delete`?"},
		{in: "droplet rebot box", wantErr: "Did you mean `/do droplet reboot`?"},
		{in: "registry create Bad_Name", wantErr: "bad registry name", notErr: "Did you mean"},
	}
	for _, tt := range tests {
		cmd, args, err := table.Parse(tt.in, cfg)
		switch {
		case tt.wantCmd != "":
			if err != nil || cmd == nil || cmd.Name != tt.wantCmd {
				t.Errorf("parse(%q) = %v, %v; want %s", tt.in, cmd, err, tt.wantCmd)
				continue
			}
			if tt.wantArgs != nil && !reflect.DeepEqual(args, tt.wantArgs) {
				t.Errorf("parse(%q) = %#v; want %#v", tt.in, args, tt.wantArgs)
			}
		case err == nil:
			t.Errorf("parse(%q) = %v, %v; want an error with %q", tt.in, cmd, args, tt.wantErr)
		default:
			if !strings.Contains(err.Error(), tt.wantErr) || tt.notErr != "" && strings.Contains(err.Error(), tt.notErr) {
				t.Errorf("parse(%q) = %v; want an error with %q and without %q", tt.in, err, tt.wantErr, tt.notErr)
			}
		}
	}
}

// TestParseErrorsNameTheCommand: every refusal of a typed command names
// that command, whichever helper refused it.
func TestParseErrorsNameTheCommand(t *testing.T) {
	table, err := NewTable(standardCommands()...)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ in, want string }{
		{"status Bad_Name", "status: bad app name"},
		{"logs Bad_Name", "logs: bad app name"},
		{"logs web --type x", "logs: --type takes build"},
		{"launch Bad_Name --image nginx", "launch: bad app name"},
		{"audit --since x", "audit: --since"},
		{"launch web --image nginx --ttl 1s", "launch: --ttl takes"},
		{"extend web 1s", "extend takes a duration"},
		{"registry create Bad_Name", "registry create"},
		{"grant bob admin", "grant: "},
	}
	for _, tt := range tests {
		cmd, _, err := table.Parse(tt.in, Config{Region: "nyc3"})
		if err == nil {
			t.Errorf("parse(%q) succeeded; want an error", tt.in)
			continue
		}
		if got := namedFor(cmd, err).Error(); !strings.Contains(got, tt.want) {
			t.Errorf("parse(%q) = %q; want it to contain %q", tt.in, got, tt.want)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// env is a getenv over a map: nothing leaks in from the test's environment.
func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

// The console runs with no Slack settings and no DigitalOcean token: it
// uses the simulator, says so, and a piped launch goes live before it exits.
func TestConsoleWithoutSlackOrToken(t *testing.T) {
	db := filepath.Join(t.TempDir(), "dobot.db")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"console", "--sim-phase", "100ms", "--wait", "1m"},
		env(map[string]string{"BOT_DB": db, "SLACK_BOT_TOKEN": "not-a-slack-token"}),
		strings.NewReader("/do launch demo --image nginx\n"), &stdout, &stderr)
	if err != nil {
		t.Fatalf("bot console: %v\nstderr:\n%s", err, &stderr)
	}
	out := stdout.String()
	for _, want := range []string{"using a simulated DigitalOcean (no DO_API_TOKEN set", "you are ULOCAL", "✅ demo is live at https://demo-"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Any warning, such as the simulator finding a request the real API
	// would refuse, fails the test.
	if stderr.Len() > 0 {
		t.Errorf("stderr:\n%s", &stderr)
	}
}

func TestConsoleChecksSettings(t *testing.T) {
	tests := []struct {
		name string
		args []string
		vars map[string]string
		want string
	}{
		{"bad region", nil, map[string]string{"DO_REGION": "mars"}, "DO_REGION"},
		{"bad admin", nil, map[string]string{"BOT_ADMINS": "bob"}, "BOT_ADMINS"},
		{"bad DO_API_URL with a token", nil, map[string]string{"DO_API_TOKEN": "dop_v1_x", "DO_API_URL": "ftp://x"}, "DO_API_URL"},
		{"bad --as", []string{"--as", "bob"}, nil, "--as needs a Slack-style user id"},
		{"arguments", []string{"launch"}, nil, "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]string{"BOT_DB": filepath.Join(t.TempDir(), "dobot.db")}
			for k, v := range tt.vars {
				vars[k] = v
			}
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append([]string{"console"}, tt.args...), env(vars), strings.NewReader(""), &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error()+stderr.String(), tt.want) {
				t.Errorf("bot console = %v, stderr %q; want an error naming %s", err, &stderr, tt.want)
			}
		})
	}
}

// The simulator holds the console to the pre-flight rules: nginx goes live
// on port 80, the port its image exposes, and a typo'd tag is refused
// before anything is created.
func TestConsoleSimulatorChecksImages(t *testing.T) {
	db := filepath.Join(t.TempDir(), "dobot.db")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"console", "--sim-phase", "100ms", "--wait", "1m"},
		env(map[string]string{"BOT_DB": db}),
		strings.NewReader("/do launch typo --image nginx:1.999\n/do launch demo --image nginx\n"), &stdout, &stderr)
	if err != nil {
		t.Fatalf("bot console: %v\nstderr:\n%s", err, &stderr)
	}
	out := stdout.String()
	for _, want := range []string{"docker.io/library/nginx:1.999 was not found", "port 80 (from the image)", "✅ demo is live at https://demo-"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "launching typo") {
		t.Errorf("the typo'd launch started:\n%s", out)
	}
	if stderr.Len() > 0 {
		t.Errorf("stderr:\n%s", &stderr)
	}
}

// In the console, status and logs answer the asker alone and name the
// launch thread the way the console shows it.
func TestConsoleStatusAndLogsAnswerPrivately(t *testing.T) {
	db := filepath.Join(t.TempDir(), "dobot.db")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"console", "--sim-phase", "100ms", "--wait", "1m"},
		env(map[string]string{"BOT_DB": db}),
		strings.NewReader("/do launch demo --image nginx\n/wait 3s\n/do status demo\n/do logs demo --type build\n"), &stdout, &stderr)
	if err != nil {
		t.Fatalf("bot console: %v\nstderr:\n%s", err, &stderr)
	}
	out := stdout.String()
	for _, want := range []string{"(only you) Status of demo", "· Launch thread: [#1 demo]", "demo build logs, last 100 lines"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Posted the") {
		t.Errorf("output still points to the launch thread instead of answering:\n%s", out)
	}
}

// The console's duration flags read days as every other duration does:
// --wait 1d and --sim-phase 1d are taken, and the banner shows the phase.
func TestConsoleDurationFlagsTakeDays(t *testing.T) {
	tests := []struct {
		args    []string
		want    string // in stdout
		wantErr string // in the error and stderr
	}{
		{[]string{"--wait", "1d", "--sim-phase", "1d"}, "apps go live in about 3d)", ""},
		{[]string{"--wait", "1d12h", "--sim-phase", "100ms"}, "apps go live in about 300ms)", ""},
		{[]string{"--wait", "soon"}, "", `invalid value "soon" for flag -wait: want a duration like 90s, 2m or 1d`},
		{[]string{"--sim-phase", "1.5d"}, "", "the days before d must be a whole number"},
		{[]string{"--wait", "0d"}, "", "--wait and --sim-phase must be positive durations"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append([]string{"console"}, tt.args...),
				env(map[string]string{"BOT_DB": filepath.Join(t.TempDir(), "dobot.db")}), strings.NewReader(""), &stdout, &stderr)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error()+stderr.String(), tt.wantErr) {
					t.Errorf("bot console %v = %v, stderr %q; want an error saying %q", tt.args, err, &stderr, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("bot console %v = %v\nstderr:\n%s", tt.args, err, &stderr)
			}
			if !strings.Contains(stdout.String(), tt.want) {
				t.Errorf("bot console %v printed:\n%s\nwant %q", tt.args, &stdout, tt.want)
			}
		})
	}
}

// TestConsoleLogLinesNameTheInstance: with -v the console logs as
// the bot does, and every line names BOT_INSTANCE, since on a shared store
// it holds leases and writes audit rows under that name.
func TestConsoleLogLinesNameTheInstance(t *testing.T) {
	db := filepath.Join(t.TempDir(), "dobot.db")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"console", "-v", "--sim-phase", "100ms", "--wait", "1m"},
		env(map[string]string{"BOT_DB": db, "BOT_INSTANCE": "desk-7"}),
		strings.NewReader("/do status\n"), &stdout, &stderr)
	if err != nil {
		t.Fatalf("bot console: %v\nstderr:\n%s", err, &stderr)
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) == 0 || lines[0] == "" {
		t.Fatal("-v logged nothing")
	}
	for _, l := range lines {
		if !strings.Contains(l, "instance=desk-7") {
			t.Errorf("a log line without the instance: %s", l)
		}
	}
}

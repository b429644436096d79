package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// The console asks the launch form field by field, shows a mistake and
// asks that field again, never prints the secret, and the launch goes live;
// /home shows the person's home page and its Launch button opens the form.
func TestConsoleFormAndHome(t *testing.T) {
	const secret = "console-secret-7x"
	db := filepath.Join(t.TempDir(), "dobot.db")
	script := strings.Join([]string{
		"/form launch",
		"Bad_Name",          // name: refused below
		"nginx",             // image
		"",                  // app spec: none
		"",                  // size: the default
		"",                  // region: kept
		"",                  // instances: kept
		"",                  // port
		"MODE=prod",         // env
		"TOKEN=" + secret,   // secrets
		"",                  // ttl
		"console form demo", // reason
		"demo",              // name again, after the mistake
		"TOKEN=" + secret,   // the secret is asked again: it is never kept
		"/wait",
		"/home",
		"/quit",
	}, "\n") + "\n"
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"console", "--sim-phase", "100ms", "--wait", "1m"},
		env(map[string]string{"BOT_DB": db}), strings.NewReader(script), &stdout, &stderr)
	if err != nil {
		t.Fatalf("bot console: %v\nstderr:\n%s", err, &stderr)
	}
	out := stdout.String()
	for _, want := range []string{"[form] Launch an app", "? App name", "App name: bad app name", "? Secret variables",
		"✅ demo is live at https://demo-", "[home of ULOCAL]", "== Your apps", "*demo*", "== Spend this month", "Launch an app"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, secret) || strings.Contains(stderr.String(), secret) {
		t.Errorf("the console printed the secret:\n%s", out)
	}
	if stderr.Len() > 0 {
		t.Errorf("stderr:\n%s", &stderr)
	}
}

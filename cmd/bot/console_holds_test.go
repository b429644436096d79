package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// The console runs locks, freezes, break-glass and watch like Slack does:
// a lock refuses a redeploy, a freeze a launch, an admin's --break-glass
// runs it, and watch names the console channel it routes to.
func TestConsoleLocksFreezesAndWatch(t *testing.T) {
	db := filepath.Join(t.TempDir(), "dobot.db")
	var stdout, stderr bytes.Buffer
	script := strings.Join([]string{
		"/do launch demo --image nginx", "/wait 3s",
		`/do lock demo --reason "incident 1"`, "/do redeploy demo", "/do list",
		`/do freeze 1h --reason "release"`, "/do launch other --image nginx",
		`/do launch other --image nginx --break-glass "hotfix"`, "/wait 3s",
		"/do watch demo #COPS", "/do watch demo", "/do unlock demo", "/do unfreeze",
	}, "\n") + "\n"
	err := run(context.Background(), []string{"console", "--sim-phase", "100ms", "--wait", "1m"},
		env(map[string]string{"BOT_DB": db}), strings.NewReader(script), &stdout, &stderr)
	if err != nil {
		t.Fatalf("bot console: %v\nstderr:\n%s", err, &stderr)
	}
	out := stdout.String()
	for _, want := range []string{
		"@ULOCAL locked demo: incident 1",
		"redeploy cannot run: demo is locked by @ULOCAL since",
		"🔒 locked by @ULOCAL since",
		"froze deploys on every app until",
		"launch cannot run: deploys to other are frozen until",
		"Break-glass: @ULOCAL runs launch other despite the hold",
		"other is live at",
		"demo's messages go to #COPS (set by @ULOCAL",
		"@ULOCAL unlocked demo.",
		"@ULOCAL ended the freeze on every app",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

package main

import (
	"strings"
	"testing"
)

// The console runs locks, freezes, break-glass and watch like Slack does:
// a lock refuses a redeploy, a freeze a launch, an admin's --break-glass
// runs it, and watch names the console channel it routes to.
func TestConsoleLocksFreezesAndWatch(t *testing.T) {
	out := consoleOutput(t,
		"/do launch demo --image nginx", "/wait 3s",
		`/do lock demo --reason "incident 1"`, "/do redeploy demo", "/do list",
		`/do freeze 1h --reason "release"`, "/do launch other --image nginx",
		`/do launch other --image nginx --break-glass "hotfix"`, "/wait 3s",
		"/do watch demo #COPS", "/do watch demo", "/do unlock demo", "/do unfreeze",
	)
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

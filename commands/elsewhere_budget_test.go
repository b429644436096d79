package commands_test

import (
	"testing"
	"time"

	"dobot"
	"dobot/commands"
	"dobot/internal/dotest"
)

// While nothing is in progress, finding deployments started elsewhere
// costs one GET /v2/apps per interval and nothing else (issue 15: one a
// minute or less when idle; the interval is shortened here).
func TestIdleBotListsTheAppsOncePerInterval(t *testing.T) {
	const every = 200 * time.Millisecond
	h := newHarnessWith(t, commands.Config{Region: "nyc3", ElsewhereEvery: every},
		dotest.Options{Token: "tok", PhaseDelay: 30 * time.Millisecond}, nil)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.run("UDEP", "launch web --image nginx")
	if op := h.waitOp(t, 1); op.State != dobot.OpSucceeded {
		t.Fatalf("launch ended %s: %s", op.State, op.Error)
	}
	lists := func(from int) (n int, reqs []dotest.Request) {
		reqs = h.do.Requests()[from:]
		for _, r := range reqs {
			if r.Route == "GET /v2/apps" {
				n++
			}
		}
		return n, reqs
	}
	// From the first list after the launch ended, the bot is idle.
	start := len(h.do.Requests())
	waitFor(t, "a list of the apps", func() bool { n, _ := lists(start); return n >= 1 })
	_, reqs := lists(start)
	for i, r := range reqs {
		if r.Route == "GET /v2/apps" {
			start += i
			break
		}
	}
	waitFor(t, "four lists of the apps", func() bool { n, _ := lists(start); return n >= 4 })
	_, reqs = lists(start)
	var last time.Time
	for _, r := range reqs {
		if r.Route != "GET /v2/apps" {
			t.Errorf("an idle bot sent %s %s; want only GET /v2/apps", r.Method, r.Path)
			continue
		}
		// The finder takes its turn at most once per interval; allow for
		// the request's own latency on a busy machine.
		if !last.IsZero() && r.At.Sub(last) < every/2 {
			t.Errorf("lists %v apart; want one per %v", r.At.Sub(last), every)
		}
		last = r.At
	}
}

package e2e

import (
	"context"
	"strings"
	"testing"

	"dobot"
	"dobot/store"
)

// TestTimersRunOnOneReplica: of three replicas, one runs each timer loop
// (TTL expiry, approval expiry, reminders, Home tabs), and an app whose TTL
// runs out gets one reminder, one DELETE and one expiry record.
func TestTimersRunOnOneReplica(t *testing.T) {
	// Nobody is killed here, so a long lease keeps a replica slowed by a
	// busy machine from handing a loop over, which is allowed.
	r := newReplicas(t, 3, withEnv("BOT_LEASE=30s"))
	r.run(deployer, "launch demo --image nginx --ttl 12s")
	demo := r.launchHead("demo")
	r.waitThread(demo.TS, "is live")
	r.waitThread(demo.TS, "expires at")
	r.waitThread(demo.TS, "Deleted demo")

	for _, loop := range []string{"loop:ttl", "loop:approvals", "loop:reminders", "loop:home"} {
		var runners []string
		for name, p := range r.procs {
			for _, line := range strings.Split(p.Logs.String(), "\n") {
				if strings.Contains(line, `"running loop here"`) && strings.Contains(line, `"loop":"`+loop+`"`) {
					runners = append(runners, name)
				}
			}
		}
		if len(runners) != 1 {
			t.Errorf("%s started on %v; want on one replica, once", loop, runners)
		}
	}
	count := func(text string) int {
		n := 0
		for _, m := range r.slack.Thread(demo.Channel, demo.TS) {
			if m.Method == "chat.postMessage" && strings.Contains(m.Text, text) {
				n++
			}
		}
		return n
	}
	if n := count("expires at"); n != 1 {
		t.Errorf("%d reminders in demo's thread; want 1", n)
	}
	if n := count("Deleted demo"); n != 1 {
		t.Errorf("%d \"Deleted demo\" replies; want 1", n)
	}
	if n := r.do.Count("DELETE /v2/apps/{id}"); n != 1 {
		t.Errorf("DELETE /v2/apps/{id} = %d; want 1", n)
	}
	db, err := store.Open(context.Background(), r.target, store.WithAuditKey([]byte(replicaKey)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if rows, err := db.Audit(context.Background(), dobot.AuditFilter{Action: "ttl.expired"}); err != nil || len(rows) != 1 {
		t.Errorf("ttl.expired audit rows = %+v, %v; want one", rows, err)
	}
}

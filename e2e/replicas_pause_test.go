package e2e

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestPausedReplicaStopsActing: a replica frozen (SIGSTOP) past its leases
// loses its launches to the other; woken again, it finds them lost and
// says nothing more about them: each launch is created once and said live
// once in its thread.
func TestPausedReplicaStopsActing(t *testing.T) {
	r := newReplicas(t, 2, withPhaseDelay(3*time.Second), withEnv("BOT_WATCH_INTERVAL=200ms"))
	const n = 6
	heads, victim, other := r.launchAndPickVictim("pz", n)
	held := r.opsHeldBy(victim)
	if len(held) == 0 {
		t.Fatalf("%s holds no launch; the deployments ended before the pause", victim)
	}
	p := r.procs[victim]
	if err := p.Cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	r.waitUntil(other+" holds every launch "+victim+" held", func() bool {
		return len(r.opsHeldBy(other)) > 0 && len(r.opsHeldBy(victim)) == 0
	})
	if err := p.Cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	r.waitUntil(victim+" notices it lost its leases", func() bool { return strings.Contains(p.Logs.String(), "lease lost") })
	r.waitUntil("every launch live", func() bool { return len(liveReplies(r.slack.Messages())) == n })
	live := liveReplies(r.slack.Messages())
	for ts, app := range heads {
		if live[ts] != 1 {
			t.Errorf("%s: %d \"is live\" replies in its thread; want exactly 1", app, live[ts])
		}
	}
	for _, m := range r.slack.Messages() {
		if _, ok := heads[m.ThreadTS]; ok && (strings.Contains(m.Text, "failed") || strings.Contains(m.Text, "stopped watching")) {
			t.Errorf("%s's thread says %q; want its launch carried on, not given up", heads[m.ThreadTS], m.Text)
		}
	}
	if c := r.do.Count("POST /v2/apps"); c != n {
		t.Errorf("POST /v2/apps = %d; want %d, each app created once", c, n)
	}
}

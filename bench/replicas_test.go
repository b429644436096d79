package bench

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"dobot/internal/botproc"
	"dobot/internal/pgtest"
	"dobot/ops"
	"dobot/store"
)

// replicaKey is the audit key the replicas of one measurement share
// (BOT_AUDIT_KEY is required on PostgreSQL).
const replicaKey = "bench-replicas-audit-key-0123456789abcdef"

// defaultLease is the bot's lease when BOT_LEASE is unset
// (internal/config: "zero: 30 s").
const defaultLease = 30 * time.Second

// replicaSet is several bot processes on one fresh PostgreSQL schema, one
// Slack (each replica with its own Socket Mode connection, over which
// slacktest spreads the envelopes in turn) and one DigitalOcean. Its rig
// drives them as one bot: r.slash, r.waitMessages and the rest work on the
// shared Slack.
type replicaSet struct {
	*rig
	w      *botproc.World
	target string
	base   []string
	procs  map[string]*botproc.Process // by BOT_INSTANCE, r1 … rn
}

// newReplicaSet starts n replicas, each with a health server on a free
// port. o.env comes after the defaults, so it may set BOT_LEASE.
func newReplicaSet(t *testing.T, n int, o rigOptions) *replicaSet {
	t.Helper()
	target := pgtest.Fresh(t)
	o.env = append([]string{"BOT_DB=" + target, "BOT_AUDIT_KEY=" + replicaKey}, o.env...)
	w := newWorld(t, o)
	s := &replicaSet{w: w, target: target, base: w.Env, procs: map[string]*botproc.Process{},
		rig: &rig{t: t, slack: w.Slack, do: w.DO, env: w.Env, logs: &lockedBuffer{}}}
	botproc.LogTailsOnFailure(t, s.procs, 4000)
	for i := 1; i <= n; i++ {
		s.start(fmt.Sprintf("r%d", i))
	}
	return s
}

// start runs replica name and waits until it is connected.
func (s *replicaSet) start(name string) {
	s.t.Helper()
	s.procs[name] = s.w.StartReplica(s.t, botBinary, s.base, name, "127.0.0.1:0")
}

// stopAll stops every replica with SIGTERM, which drains the work in
// hand: once it returns, nothing more is posted.
func (s *replicaSet) stopAll() {
	for _, p := range s.procs {
		p.Stop(20 * time.Second)
	}
}

// leases reads, from the store, the thread of each unfinished operation by
// the replica whose lease on it is current, and the number of unfinished
// operations.
func (s *replicaSet) leases() (threads map[string]map[string]bool, unfinished int) {
	s.t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, s.target, store.WithAuditKey([]byte(replicaKey)))
	if err != nil {
		s.t.Fatal(err)
	}
	defer db.Close()
	open, err := db.UnfinishedOperations(ctx)
	if err != nil {
		s.t.Fatal(err)
	}
	threads = map[string]map[string]bool{}
	for _, op := range open {
		if l, err := db.LeaseOf(ctx, ops.OpLease(op.ID)); err == nil && l.Expires.After(time.Now()) && op.MessageTS != "" {
			if threads[l.Holder] == nil {
				threads[l.Holder] = map[string]bool{}
			}
			threads[l.Holder][op.MessageTS] = true
		}
	}
	return threads, len(open)
}

// replicaBurst is one burst's outcome on a replica set.
type replicaBurst struct {
	acked, answeredOnce, extra int // extra: answers beyond the first, over all commands
	lastAck, lastAnswer        time.Duration
	retried                    int
}

// burstOn writes n `status` commands back to back to a fresh set of
// replicas, each in its own channel, waits for every ack and answer, then
// stops the replicas (draining their work) and counts the answers in each
// channel: exactly one each is the target.
func burstOn(t *testing.T, replicas, n, round int) replicaBurst {
	s := newReplicaSet(t, replicas, rigOptions{})
	c := &contender{name: fmt.Sprintf("%d replicas", replicas), slack: s.slack, logs: s.logs}
	cmds := make([]sent, 0, n)
	for i := range n {
		ch := fmt.Sprintf("CR%d%02d%05d", replicas, round, i)
		cmds = append(cmds, sent{c.slashIn(t, ch, "status"), ch})
	}
	got := c.collect(cmds, 60*time.Second, 180*time.Second)
	s.stopAll()
	out := replicaBurst{acked: len(got.acks), retried: got.retried}
	out.lastAck, out.lastAnswer, _ = burstSpans(cmds, got)
	per := map[string]int{}
	for _, m := range s.slack.Messages() {
		if m.Method == "chat.postEphemeral" && m.User == admin && strings.HasPrefix(m.Channel, fmt.Sprintf("CR%d%02d", replicas, round)) {
			per[m.Channel]++
		}
	}
	for _, x := range cmds {
		switch k := per[x.channel]; {
		case k == 1:
			out.answeredOnce++
		case k > 1:
			out.extra += k - 1
		}
	}
	if out.acked < n || out.answeredOnce < n || out.extra > 0 {
		t.Errorf("%d replicas, round %d: %d of %d acked, %d answered exactly once, %d extra answers",
			replicas, round+1, out.acked, n, out.answeredOnce, out.extra)
	}
	return out
}

// measureReplicaBurst writes the burst to three replicas and to one, in
// alternating rounds, all on PostgreSQL, and compares the time to the last
// answer and the ack rate.
func measureReplicaBurst(t *testing.T, sz sizes, res *results) {
	n := sz.burst
	var lastAnswer, rate [2][]float64 // [0]: one replica, [1]: three
	allOnce := true
	for round := range sz.replicaRounds {
		order := []int{1, 3}
		if round%2 == 1 {
			order = []int{3, 1}
		}
		for _, k := range order {
			b := burstOn(t, k, n, round)
			i := map[int]int{1: 0, 3: 1}[k]
			if b.lastAck > 0 {
				rate[i] = append(rate[i], float64(b.acked)/b.lastAck.Seconds())
			}
			lastAnswer[i] = append(lastAnswer[i], msOf(b.lastAnswer))
			allOnce = allOnce && b.acked == n && b.answeredOnce == n && b.extra == 0
			res.note("replica burst, round %d, %d replica(s): %d/%d acked, %d answered exactly once, %d extra; last ack %s, last answer %s after the first envelope; %d redelivered",
				round+1, k, b.acked, n, b.answeredOnce, b.extra, ms(b.lastAck), ms(b.lastAnswer), b.retried)
		}
	}
	if len(rate[0]) == 0 || len(rate[1]) == 0 {
		t.Fatalf("no burst was acked")
	}
	a1, a3 := medianOf(lastAnswer[0]), medianOf(lastAnswer[1])
	r1, r3 := medianOf(rate[0]), medianOf(rate[1])
	res.add(fmt.Sprintf("burst of %d `status` on PostgreSQL: 3 replicas against 1 (medians of %d round(s))", n, sz.replicaRounds),
		"every command answered exactly once (no ratio target)",
		fmt.Sprintf("time to the last answer: 3 / 1 = %.2f (%s vs %s); ack rate: 3 / 1 = %.2f (%.0f vs %.0f acks/s); all answered exactly once: %v",
			a3/a1, ms(time.Duration(a3*float64(time.Millisecond))), ms(time.Duration(a1*float64(time.Millisecond))), r3/r1, r3, r1, allOnce),
		allOnce)
}

func medianOf(xs []float64) float64 {
	m := map[int]float64{}
	for i, x := range xs {
		m[i] = x
	}
	return median(m)
}

// measureFailover runs, for each lease in sz.leases, launches on three
// replicas, kills -9 the replica holding most of them while they deploy,
// and times kill → each orphaned launch's next reply in its thread (the
// replica that adopts it says it picks it up).
func measureFailover(t *testing.T, sz sizes, res *results) {
	for _, lease := range sz.leases {
		name, env := "default", []string(nil)
		effective := defaultLease
		if lease > 0 {
			name, env, effective = lease.String(), []string{"BOT_LEASE=" + lease.String()}, lease
		}
		t.Run("lease-"+name, func(t *testing.T) { failoverOnce(t, sz, res, effective, env) })
	}
}

func failoverOnce(t *testing.T, sz sizes, res *results, lease time.Duration, env []string) {
	// The replicas left are killed at the test's cleanup: a drain would
	// wait for deployments that outlast the measurement.
	s := newReplicaSet(t, 3, rigOptions{phaseDelay: sz.failoverPhase, env: env})
	n := sz.failoverLaunches
	for i := range n {
		s.slash(fmt.Sprintf("launch fo-%02d --image nginx:1.27", i))
	}
	deadline := time.Now().Add(60 * time.Second)
	var held map[string]map[string]bool
	for {
		var unfinished, total int
		held, unfinished = s.leases()
		for _, th := range held {
			total += len(th)
		}
		if s.do.Count("POST /v2/apps") == n && total == unfinished && total == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60 s, %d of %d apps created and %d of %d unfinished launches held: %v",
				s.do.Count("POST /v2/apps"), n, total, unfinished, held)
		}
		time.Sleep(50 * time.Millisecond)
	}
	victim := ""
	for name, th := range held {
		if victim == "" || len(th) > len(held[victim]) {
			victim = name
		}
	}
	orphans := held[victim]
	before := len(s.slack.Messages())
	killed := time.Now()
	s.procs[victim].Kill() // SIGKILL: no drain, no lease given up
	first := map[string]time.Time{}
	timeout := lease + 90*time.Second
	for time.Since(killed) < timeout && len(first) < len(orphans) {
		for _, m := range s.slack.Messages()[before:] {
			if m.Method == "chat.postMessage" && orphans[m.ThreadTS] {
				if _, ok := first[m.ThreadTS]; !ok {
					first[m.ThreadTS] = m.At
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(first) < len(orphans) {
		t.Fatalf("%d of the %d launches %s held got a reply within %v of the kill", len(first), len(orphans), victim, timeout)
	}
	var soonest, worst time.Duration
	for _, at := range first {
		d := at.Sub(killed)
		if soonest == 0 || d < soonest {
			soonest = d
		}
		worst = max(worst, d)
	}
	label := lease.String()
	if len(env) == 0 {
		label += " (default)"
	}
	res.add(fmt.Sprintf("failover, lease %s: kill -9 of the replica holding %d of %d launches → each orphaned launch's next thread reply", label, len(orphans), n),
		fmt.Sprintf("≤ lease + 10 s = %v", lease+10*time.Second),
		fmt.Sprintf("slowest %s, first %s", ms(worst), ms(soonest)),
		worst <= lease+10*time.Second)
	res.note("failover, lease %s: killed %s holding %v; deployments of %v", label, victim, countHeld(held), 3*sz.failoverPhase)
}

func countHeld(held map[string]map[string]bool) map[string]int {
	out := map[string]int{}
	for k, v := range held {
		out[k] = len(v)
	}
	return out
}

// measureReplicaBudget is measureFleet on three replicas sharing one
// database: the DigitalOcean requests a minute for all of them together.
func measureReplicaBudget(t *testing.T, sz sizes, res *results) {
	s := newReplicaSet(t, 3, rigOptions{phaseDelay: sz.fleetPhase, env: sz.budgetEnv})
	defer s.stopAll()
	watchFleet(t, s.rig, sz, res, fmt.Sprintf("%d launches watched across 3 replicas (PostgreSQL), deployment of %v", sz.fleet, 3*sz.fleetPhase))
}

package e2e

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"dobot"
	"dobot/internal/botproc"
	"dobot/internal/pgtest"
	"dobot/internal/slacktest"
	"dobot/ops"
	"dobot/store"
)

// replicaKey is the audit key every replica of a test shares.
const replicaKey = "e2e-replicas-audit-key-0123456789abcdef"

// replicas are several bot processes on one PostgreSQL schema, one Slack
// (each replica with its own Socket Mode connection) and one DigitalOcean.
// w is the world the shared helpers (run, waitThread, click…) work on.
type replicas struct {
	*world
	target string
	procs  map[string]*botproc.Process // by BOT_INSTANCE
}

// newReplicas starts n replicas, r1 … rn, with a 2 s lease.
func newReplicas(t *testing.T, n int, opts ...option) *replicas {
	t.Helper()
	target := pgtest.Fresh(t)
	db, err := store.Open(context.Background(), target, store.WithAuditKey([]byte(replicaKey)))
	if err != nil {
		t.Fatal(err)
	}
	for user, role := range map[string]dobot.Role{deployer: dobot.RoleDeployer, approver: dobot.RoleApprover, viewer: dobot.RoleViewer} {
		if err := db.SetRole(context.Background(), user, role, "seed"); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	// A short lease makes failover quick; a test may pass a longer one
	// (later settings win).
	opts = append([]option{withEnv("BOT_LEASE=2s")}, append(opts, withEnv("BOT_DB="+target, "BOT_AUDIT_KEY="+replicaKey))...)
	bw := botproc.NewWorld(t, worldOptions(t, opts...))
	r := &replicas{world: &world{t: t, bw: bw, slack: bw.Slack, do: bw.DO, reg: bw.Reg, env: bw.Env, logs: &lockedBuffer{}},
		target: target, procs: map[string]*botproc.Process{}}
	botproc.LogTailsOnFailure(t, r.procs, 6000)
	for i := 1; i <= n; i++ {
		r.start(fmt.Sprintf("r%d", i))
	}
	return r
}

// start runs replica name (again) and waits until it is connected.
func (r *replicas) start(name string) {
	r.t.Helper()
	r.procs[name] = r.bw.StartReplica(r.t, botBinary, r.env, name, freeAddr(r.t))
}

// openStore opens the replicas' store; the caller closes it.
func (r *replicas) openStore(ctx context.Context) *store.DB {
	r.t.Helper()
	db, err := store.Open(ctx, r.target, store.WithAuditKey([]byte(replicaKey)))
	if err != nil {
		r.t.Fatal(err)
	}
	return db
}

// eachLease calls fn with every unfinished operation that has a lease, and
// returns how many operations are unfinished.
func (r *replicas) eachLease(fn func(op dobot.Operation, l dobot.Lease)) int {
	r.t.Helper()
	ctx := context.Background()
	db := r.openStore(ctx)
	defer db.Close()
	unfinished, err := db.UnfinishedOperations(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	for _, op := range unfinished {
		if l, err := db.LeaseOf(ctx, ops.OpLease(op.ID)); err == nil {
			fn(op, l)
		}
	}
	return len(unfinished)
}

// leaseHolders counts the unfinished operations' leases by holder, and
// the unfinished operations.
func (r *replicas) leaseHolders() (map[string]int, int) {
	out := map[string]int{}
	n := r.eachLease(func(_ dobot.Operation, l dobot.Lease) {
		if l.Expires.After(time.Now()) {
			out[l.Holder]++
		}
	})
	return out, n
}

// threadsHeldBy is the threads of the unfinished operations holder has.
func (r *replicas) threadsHeldBy(holder string) map[string]bool {
	out := map[string]bool{}
	r.eachLease(func(op dobot.Operation, l dobot.Lease) {
		if l.Holder == holder {
			out[op.MessageTS] = true
		}
	})
	return out
}

// liveReplies counts, by thread, the replies saying an app is live.
func liveReplies(ms []slacktest.Message) map[string]int {
	out := map[string]int{}
	for _, m := range ms {
		if m.Method == "chat.postMessage" && m.ThreadTS != "" && strings.Contains(m.Text, " is live at https://") {
			out[m.ThreadTS]++
		}
	}
	return out
}

// TestReplicaFailover: 20 launches over three replicas; the one holding
// most of them is killed mid-deployment. The others take its operations
// over once their leases run out: every launch reaches "is live" in its
// thread, each app is created once, each final reply is posted once.
func TestReplicaFailover(t *testing.T) {
	r := newReplicas(t, 3, withPhaseDelay(4*time.Second), withEnv("BOT_WATCH_INTERVAL=200ms"))
	const n = 20
	for i := range n {
		r.run(deployer, fmt.Sprintf("launch fo-%02d --image nginx", i))
	}
	heads := map[string]string{} // ts → app
	for i := range n {
		app := fmt.Sprintf("fo-%02d", i)
		heads[r.launchHead(app).TS] = app
	}
	// Mid-deployment: every app created, none live yet, every operation
	// held by a replica.
	r.waitCount("POST /v2/apps", n)
	var holders map[string]int
	r.waitUntil("every unfinished launch held by a replica", func() bool {
		var unfinished int
		holders, unfinished = r.leaseHolders()
		total := 0
		for _, c := range holders {
			total += c
		}
		return total == unfinished && total > 0
	})
	victim := ""
	for name, c := range holders {
		if victim == "" || c > holders[victim] {
			victim = name
		}
	}
	orphans := r.threadsHeldBy(victim)
	if len(orphans) == 0 {
		t.Fatalf("%s holds no launch any more; the deployments ended before the kill", victim)
	}
	before := len(r.slack.Messages())
	killed := time.Now()
	r.procs[victim].Kill()
	t.Logf("killed %s holding %d of %d launches (%v)", victim, holders[victim], n, holders)

	// The first reply in an orphaned thread after the kill is the failover.
	var failover time.Duration
	r.waitUntil("a reply in a thread the killed replica held", func() bool {
		for _, m := range r.slack.Messages()[before:] {
			if m.Method == "chat.postMessage" && orphans[m.ThreadTS] {
				failover = m.At.Sub(killed)
				return true
			}
		}
		return false
	})
	t.Logf("failover: kill → next reply in an orphaned thread %v (lease 2s)", failover.Round(time.Millisecond))
	r.waitUntil("every launch live", func() bool { return len(liveReplies(r.slack.Messages())) == n })

	live := liveReplies(r.slack.Messages())
	for ts, app := range heads {
		if live[ts] != 1 {
			t.Errorf("%s: %d \"is live\" replies in its thread; want exactly 1", app, live[ts])
		}
	}
	if c := r.do.Count("POST /v2/apps"); c != n {
		t.Errorf("POST /v2/apps = %d; want %d, each app created once", c, n)
	}
	names := map[string]int{}
	for _, a := range r.do.Apps() {
		if a.Spec != nil {
			names[a.Spec.Name]++
		}
	}
	for i := range n {
		if c := names[fmt.Sprintf("fo-%02d", i)]; c != 1 {
			t.Errorf("fo-%02d exists %d times on DigitalOcean; want 1", i, c)
		}
	}
}

// TestRollingRestart restarts the three replicas one at a time while
// commands arrive at 20 a second: every command is answered exactly once.
func TestRollingRestart(t *testing.T) {
	r := newReplicas(t, 3)
	var (
		mu   sync.Mutex
		sent []string // the app names asked for, one per command
		envs []string
	)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			name := fmt.Sprintf("nope-%03d", i)
			env, err := r.slack.SlashCommand(slack.SlashCommand{Command: "/do", Text: "status " + name, UserID: viewer, ChannelID: channel, ChannelName: "deploys"})
			if err != nil {
				t.Errorf("send command %d: %v", i, err)
				return
			}
			mu.Lock()
			sent, envs = append(sent, name), append(envs, env)
			mu.Unlock()
		}
	}()
	// A second of commands before each restart and after the last.
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(sent) }
	for i, name := range []string{"r1", "r2", "r3", ""} {
		r.waitUntil(fmt.Sprintf("%d commands sent", 20*(i+1)), func() bool { return count() >= 20*(i+1) })
		if name != "" {
			r.procs[name].Stop(stopBudget)
			r.start(name)
		}
	}
	close(stop)
	<-done

	answered := func() map[string]int {
		out := map[string]int{}
		for _, m := range r.slack.Messages() {
			if m.Method == "chat.postEphemeral" && m.User == viewer {
				if i := strings.Index(m.Text, "nope-"); i >= 0 && len(m.Text) >= i+8 {
					out[m.Text[i:i+8]]++
				}
			}
		}
		return out
	}
	r.waitUntil(fmt.Sprintf("answers to all %d commands", len(sent)), func() bool { return len(answered()) == len(sent) })
	// Once every envelope is acknowledged, Slack sends no more of them.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, env := range envs {
		if _, err := r.slack.WaitAck(ctx, env); err != nil {
			t.Fatal(err)
		}
	}
	got := answered()
	for _, name := range sent {
		if got[name] != 1 {
			t.Errorf("status %s answered %d times; want once", name, got[name])
		}
	}
	for _, m := range r.slack.Messages() {
		if strings.Contains(m.Text, "restarting") {
			t.Errorf("a command was answered %q; with other replicas up it should have gone to them", m.Text)
			break
		}
	}
	t.Logf("%d commands during the rolling restart, each answered once", len(sent))
}

// TestApprovalClicksOnTwoReplicas: two approvers press Approve on the same
// card at the same moment, the clicks reaching different replicas: one
// decision, one DELETE.
func TestApprovalClicksOnTwoReplicas(t *testing.T) {
	r := newReplicas(t, 2)
	r.launchLive("web", "nginx")
	r.run(deployer, "teardown web")
	card := r.approvalCard("teardown web")
	id := requestID(t, card)
	var envs [2]string
	var wg sync.WaitGroup
	for i, user := range []string{approver, admin} {
		wg.Go(func() {
			env, err := r.slack.ClickButton(user, card.Channel, card.TS, "approve", id)
			if err != nil {
				t.Error(err)
			}
			envs[i] = env
		})
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var conns []int
	for _, env := range envs {
		a, err := r.slack.WaitAck(ctx, env)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, a.Connection)
	}
	if conns[0] == conns[1] {
		t.Fatalf("both clicks went to connection %d; the test needs them on two replicas", conns[0])
	}
	r.waitThread(card.TS, "Deleted web")
	r.waitUntil("one of the approvers told it was already decided", func() bool {
		for _, m := range r.slack.Messages() {
			if m.Method == "chat.postEphemeral" && strings.Contains(m.Text, "was approved by") {
				return true
			}
		}
		return false
	})
	if c := r.do.Count("DELETE /v2/apps/{id}"); c != 1 {
		t.Errorf("DELETE /v2/apps/{id} = %d; want 1", c)
	}
	approvals := 0
	for _, m := range r.slack.Thread(card.Channel, card.TS) {
		if strings.Contains(m.Text, "approved request #"+id) {
			approvals++
		}
	}
	if approvals != 1 {
		t.Errorf("%d approval replies in the thread; want 1", approvals)
	}
}

// TestReplicasShareTheRequestBudget: 200 deployments watched across three
// replicas cost DigitalOcean no more than 60 requests a minute in total,
// and each still shows every phase change.
func TestReplicasShareTheRequestBudget(t *testing.T) {
	const phase = 6 * time.Second
	// Nobody is killed here, so a long lease keeps a replica starved of CPU
	// by a busy CI machine from losing its launches to another.
	r := newReplicas(t, 3, withPhaseDelay(phase), withEnv("BOT_WATCH_INTERVAL=2s", "BOT_LEASE=30s"))
	const n = 200
	first := len(r.do.Requests())
	for i := range n {
		r.run(deployer, fmt.Sprintf("launch bu-%03d --image nginx", i))
	}
	r.waitCount("POST /v2/apps", n)
	// The window: from the last creation until every launch is live.
	start := time.Now()
	r.waitUntil("every launch live", func() bool { return len(liveReplies(r.slack.Messages())) == n })
	end := time.Now()
	var watching, perRoute = 0, map[string]int{}
	for _, q := range r.do.Requests()[first:] {
		if q.At.Before(start) || q.At.After(end) || q.Route == "POST /v2/apps" {
			continue
		}
		watching++
		perRoute[q.Route]++
	}
	window := end.Sub(start)
	perMinute := float64(watching) / window.Minutes()
	t.Logf("%d deployments watched across 3 replicas: %d DigitalOcean requests in %v (%.0f a minute): %v",
		n, watching, window.Round(time.Millisecond), perMinute, perRoute)
	// One list per 2 s interval is 30 a minute; allow a request or two for
	// an app the list missed.
	if limit := 60 * window.Minutes(); float64(watching) > limit+2 {
		t.Errorf("%d requests while watching in %v; the budget is 60 a minute (%.0f here)", watching, window, limit)
	}
	// Each went live 3 phases after its creation; its thread said so
	// within 30 s.
	liveAt := map[string]time.Time{}
	for _, m := range r.slack.Messages() {
		if m.Method == "chat.postMessage" && strings.Contains(m.Text, " is live at https://") {
			if i := strings.Index(m.Text, "bu-"); i >= 0 && len(m.Text) >= i+6 {
				liveAt[m.Text[i:i+6]] = m.At
			}
		}
	}
	var worst time.Duration
	for _, a := range r.do.Apps() {
		if a.Spec == nil || !strings.HasPrefix(a.Spec.Name, "bu-") {
			continue
		}
		shown, ok := liveAt[a.Spec.Name]
		if d := shown.Sub(a.CreatedAt.Add(3 * phase)); !ok || d > 30*time.Second {
			t.Errorf("%s went live at %v; its thread said so %v later; want within 30 s", a.Spec.Name, a.CreatedAt.Add(3*phase), d)
		} else {
			worst = max(worst, d)
		}
	}
	t.Logf("slowest \"is live\" reply: %v after the deployment went live", worst.Round(time.Millisecond))
	keys := make([]string, 0, len(perRoute))
	for k := range perRoute {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k != "GET /v2/apps" && k != "GET /v2/apps/{id}" {
			t.Errorf("watching made %d requests to %s; want only reads of apps", perRoute[k], k)
		}
	}
}

// launchAndPickVictim launches n apps named prefix-00… on r, waits until
// each is created and every unfinished one is held by a replica, and
// returns the launch cards (ts → app) and the replica holding the most.
func (r *replicas) launchAndPickVictim(prefix string, n int) (heads map[string]string, victim, other string) {
	r.t.Helper()
	heads = map[string]string{}
	for i := range n {
		r.run(deployer, fmt.Sprintf("launch %s-%02d --image nginx", prefix, i))
	}
	for i := range n {
		app := fmt.Sprintf("%s-%02d", prefix, i)
		heads[r.launchHead(app).TS] = app
	}
	r.waitCount("POST /v2/apps", n)
	var holders map[string]int
	r.waitUntil("every unfinished launch held by a replica", func() bool {
		var unfinished int
		holders, unfinished = r.leaseHolders()
		return holders["r1"]+holders["r2"] == unfinished && unfinished > 0
	})
	victim, other = "r1", "r2"
	if holders["r2"] > holders["r1"] {
		victim, other = "r2", "r1"
	}
	return heads, victim, other
}

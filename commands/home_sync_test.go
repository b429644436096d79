package commands_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"dobot"
	"dobot/chatview"
	"dobot/commands"
	"dobot/internal/pgtest"
	"dobot/internal/storetest"
	"dobot/ops"
	"dobot/store"
)

// homeCount is how many pages were published for user.
func (v *fakeViews) homeCount(user string) int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.homes[user])
}

// A change written to the store by anyone (here straight into the
// database, as another replica would) republishes, once, the page of
// those who opened theirs, and only theirs.
func TestHomeRepublishedFromStoreChanges(t *testing.T) {
	h, views := newViewsHarness(t, commands.Config{})
	h.grant(t, "UDEV", dobot.RoleDeployer)
	h.grant(t, "UOTHER", dobot.RoleDeployer)
	ctx := context.Background()

	h.bot.HomeOpened(ctx, "UDEV")
	views.waitHome(t, "UDEV", func(s string) bool { return strings.Contains(s, "You have no apps running.") })
	if got, err := h.db.HomeViewers(ctx, time.Hour); err != nil || len(got) != 1 || got[0] != "UDEV" {
		t.Fatalf("HomeViewers() = %q, %v; want [UDEV]: opening the page is recorded in the store", got, err)
	}
	// settled waits until the loop has republished every change so far.
	settled := func() {
		t.Helper()
		waitFor(t, "home pages republished", func() bool {
			c, p, err := h.db.HomeChanges(ctx)
			return err == nil && c == p
		})
	}
	settled()
	before := views.homeCount("UDEV")

	now := time.Now().UTC()
	if err := h.db.PutApp(ctx, dobot.App{Name: "web", Kind: "app", ResourceID: "r1", Owner: "UDEV", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	views.waitHome(t, "UDEV", func(s string) bool { return strings.Contains(s, "*web*") })
	settled()
	if got := views.homeCount("UDEV"); got != before+1 {
		t.Errorf("one change published UDEV's page %d times; want once", got-before)
	}
	if got := views.homeCount("UOTHER"); got != 0 {
		t.Errorf("UOTHER, who never opened the page, got %d pages; want none", got)
	}

	// Progress of a running operation is not a change a page shows.
	op, err := h.db.CreateOperation(ctx, dobot.Operation{Action: "redeploy", App: "web", Requester: "UDEV", Card: dobot.Card{Channel: "C1"}})
	if err != nil {
		t.Fatal(err)
	}
	views.waitHome(t, "UDEV", func(s string) bool { return strings.Contains(s, "redeploy #"+itoa(op.ID)) })
	settled()
	c0, _, _ := h.db.HomeChanges(ctx)
	op.Step, op.DeploymentID = dobot.StepSent, "dep-1"
	if err := h.db.UpdateOperation(ctx, op); err != nil {
		t.Fatal(err)
	}
	if c, _, _ := h.db.HomeChanges(ctx); c != c0 {
		t.Errorf("a step of an operation counted as a home page change (%d -> %d)", c0, c)
	}
}

// homeReplica is one bot replica on a shared PostgreSQL database, with
// its own views and leases.
type homeReplica struct {
	db    *store.DB
	views *fakeViews
	bot   *commands.Bot
	stop  func() // stops the bot, hands its leases over and closes its store
}

// startHomeReplica starts replica name on target with a short lease.
func startHomeReplica(t *testing.T, target, name string) *homeReplica {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, target, store.WithAuditKey([]byte("home-loop-test-audit-key-0123456789abcdef")))
	if err != nil {
		t.Fatal(err)
	}
	r := &homeReplica{db: db, views: newFakeViews()}
	// Long enough that a busy machine cannot make a replica lose the loop
	// (and publish twice); stop hands the loop over at once.
	leases := &ops.Leases{Store: db, Holder: name, TTL: 6 * time.Second}
	bctx, cancel := context.WithCancel(ctx)
	go leases.Run(bctx)
	r.bot, err = commands.New(commands.Config{Region: "nyc3"}, commands.Deps{Store: db, Chat: &recordingChat{}, Leases: leases, Views: r.views})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.bot.Start(bctx); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	r.stop = func() {
		once.Do(func() {
			cancel()
			r.bot.Wait()
			leases.Drain(ctx)
			db.Close()
		})
	}
	t.Cleanup(r.stop)
	return r
}

// Two replicas on one PostgreSQL database: the home loop runs on one at a
// time, so each change republishes a page once; when that replica stops,
// the other takes the loop over and republishes the changes made
// meanwhile.
func TestHomeLoopOnOneReplicaAtATime(t *testing.T) {
	target := pgtest.Fresh(t)
	ctx := context.Background()
	start := func(name string) *homeReplica { return startHomeReplica(t, target, name) }
	a, b := start("a"), start("b")
	if err := a.db.SetRole(ctx, "UDEV", dobot.RoleDeployer, "test"); err != nil {
		t.Fatal(err)
	}
	a.bot.HomeOpened(ctx, "UDEV")
	a.views.waitHome(t, "UDEV", func(s string) bool { return strings.Contains(s, "You have no apps running.") })

	settled := func() {
		t.Helper()
		waitFor(t, "home pages republished", func() bool {
			c, p, err := a.db.HomeChanges(ctx)
			return err == nil && c == p
		})
	}
	total := func() int { return a.views.homeCount("UDEV") + b.views.homeCount("UDEV") }
	put := func(name string) {
		t.Helper()
		if err := b.db.PutApp(ctx, dobot.App{Name: name, Kind: "droplet", ResourceID: "", Owner: "UDEV", CreatedAt: time.Now().UTC()}); err != nil {
			t.Fatal(err)
		}
	}
	waitPage := func(name string) *homeReplica {
		t.Helper()
		var who *homeReplica
		waitFor(t, "UDEV's page showing "+name, func() bool {
			for _, r := range []*homeReplica{a, b} {
				r.views.mu.Lock()
				hs := r.views.homes["UDEV"]
				r.views.mu.Unlock()
				if len(hs) > 0 && strings.Contains(homeText(hs[len(hs)-1]), "*"+name+"*") {
					who = r
					return true
				}
			}
			return false
		})
		return who
	}

	settled()
	before := total()
	put("one")
	publisher := waitPage("one")
	settled()
	if got := total() - before; got != 1 {
		t.Errorf("one change was published %d times across the replicas; want once", got)
	}

	// The replica running the loop stops: the other takes it over and
	// publishes what changed meanwhile.
	publisher.stop()
	other := a
	if publisher == a {
		other = b
	}
	if err := other.db.PutApp(ctx, dobot.App{Name: "two", Kind: "droplet", Owner: "UDEV", CreatedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	other.views.waitHome(t, "UDEV", func(s string) bool { return strings.Contains(s, "*two*") && strings.Contains(s, "*one*") })
}

// changingViews is fakeViews that, at the first page published, changes
// the records, as another replica may while the page is on its way.
type changingViews struct {
	*fakeViews
	once   sync.Once
	change func()
}

func (v *changingViews) PublishHome(ctx context.Context, user string, h chatview.Home) {
	v.once.Do(v.change)
	v.fakeViews.PublishHome(ctx, user, h)
}

// A page opened while the records change is published again from the
// records as they are afterwards, so an older page never has the last
// word over one the home loop published meanwhile.
func TestHomeOpenedWhileRecordsChange(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	defer db.Close()
	if err := db.SetRole(ctx, "UDEV", dobot.RoleDeployer, "test"); err != nil {
		t.Fatal(err)
	}
	views := &changingViews{fakeViews: newFakeViews(), change: func() {
		if err := db.PutApp(ctx, dobot.App{Name: "web", Kind: "droplet", Owner: "UDEV", CreatedAt: time.Now().UTC()}); err != nil {
			t.Error(err)
		}
	}}
	// Not started: no home loop, only the path of an opened page.
	bot, err := commands.New(commands.Config{Region: "nyc3"}, commands.Deps{Store: db, Chat: &recordingChat{}, Views: views})
	if err != nil {
		t.Fatal(err)
	}
	bot.HomeOpened(ctx, "UDEV")
	views.mu.Lock()
	hs := views.homes["UDEV"]
	views.mu.Unlock()
	if len(hs) != 2 || !strings.Contains(homeText(hs[1]), "*web*") {
		t.Fatalf("published %d pages, the last:\n%s\nwant 2, the second showing web", len(hs), homeText(hs[len(hs)-1]))
	}
}

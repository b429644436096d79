package holds_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/holds"
	"dobot/internal/storetest"
	"dobot/reply"
	"dobot/store"
)

// rig is a Service over a real SQLite store, with the audit rows, app
// notices and thread replies it asked for kept for the test.
type rig struct {
	svc     *holds.Service
	db      *store.DB
	mu      sync.Mutex
	audit   []dobot.AuditEntry
	notices []string
	replies []string
}

func (r *rig) Reply(_ context.Context, parent chat.Ref, m chat.Message) (chat.Ref, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.replies = append(r.replies, parent.Channel+"/"+parent.ID+": "+chat.Plain(m.Text))
	return chat.Ref{Channel: parent.Channel, ID: "reply"}, nil
}

func newRig(t *testing.T) *rig {
	t.Helper()
	db := storetest.Open(t)
	r := &rig{db: db}
	r.svc = holds.New(holds.Deps{Store: db, Chat: r,
		Record: func(_ context.Context, e dobot.AuditEntry) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.audit = append(r.audit, e)
			return nil
		},
		Notify: func(_ context.Context, app dobot.App, m chat.Message) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.notices = append(r.notices, app.Name+": "+chat.Plain(m.Text))
		}})
	return r
}

var (
	dep   = holds.Actor{ID: "UDEP", Name: "dep", Role: dobot.RoleDeployer}
	dep2  = holds.Actor{ID: "UDEP2", Name: "dep2", Role: dobot.RoleDeployer}
	admin = holds.Actor{ID: "UADM", Name: "adm", Role: dobot.RoleAdmin}
)

// must(f())(t) is f's value, failing the test on f's error.
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// userError is err's text when it is a user error, and fails otherwise.
func userError(t *testing.T, what string, err error) string {
	t.Helper()
	var ue *reply.UserError
	if !errors.As(err, &ue) {
		t.Fatalf("%s = %v; want a user error", what, err)
	}
	return chat.Plain(ue.Msg)
}

func TestOnMatchesTheLockOfTheAppAndTheFreezesWhoseGlobCoversIt(t *testing.T) {
	h := holds.Holds{
		Locks: []dobot.AppHold{{App: "web", Holder: "UA1"}, {App: "web-2", Holder: "UA2"}},
		Freezes: []dobot.Freeze{{Glob: "*", By: "UA3"}, {Glob: "prod-*", By: "U4"}, {Glob: "web-?", By: "U5"},
			{Glob: "[", By: "U6"}}, // a bad pattern matches nothing
	}
	tests := []struct {
		app        string
		lockHolder string
		freezeBy   []string
	}{
		{"web", "UA1", []string{"UA3"}},
		{"web-2", "UA2", []string{"UA3", "U5"}},
		{"web-22", "", []string{"UA3"}},
		{"prod-web", "", []string{"UA3", "U4"}},
		{"prod", "", []string{"UA3"}},
	}
	for _, tt := range tests {
		lock, freezes := h.On(tt.app)
		holder := ""
		if lock != nil {
			holder = lock.Holder
		}
		var by []string
		for _, f := range freezes {
			by = append(by, f.By)
		}
		if holder != tt.lockHolder || strings.Join(by, ",") != strings.Join(tt.freezeBy, ",") {
			t.Errorf("On(%q) = lock by %q, freezes by %v; want %q, %v", tt.app, holder, by, tt.lockHolder, tt.freezeBy)
		}
	}
}

func TestParsersRefuseWhatTheyCannotUse(t *testing.T) {
	noCapitals := func(g string) error {
		if strings.Contains(g, "_") {
			return reply.Errorf("--app %q: no underscores", g)
		}
		return nil
	}
	parsers := map[string]func([]string) (any, error){
		"lock":     func(w []string) (any, error) { return holds.ParseLock(w) },
		"unlock":   func(w []string) (any, error) { return holds.ParseUnlock(w) },
		"freeze":   func(w []string) (any, error) { return holds.ParseFreeze(w, noCapitals) },
		"unfreeze": func(w []string) (any, error) { return holds.ParseUnfreeze(w) },
	}
	tests := []struct {
		cmd     string
		words   []string
		want    any
		wantErr string
	}{
		{"lock", []string{"web", "--reason", " incident 311 "}, holds.LockArgs{Name: "web", Reason: "incident 311"}, ""},
		{"lock", []string{"web"}, nil, "lock needs --reason TEXT"},
		{"lock", []string{"web", "api", "--reason", "x"}, nil, "lock takes one app name"},
		{"lock", []string{"Web!", "--reason", "x"}, nil, "bad app name"},
		{"lock", []string{"web", "--reason", "x", "--reason", "y"}, nil, "reason"},
		{"unlock", []string{"web"}, holds.LockArgs{Name: "web"}, ""},
		{"unlock", nil, nil, "unlock takes one app name"},
		{"freeze", []string{"2h", "--reason", "release"}, holds.FreezeArgs{Glob: "*", For: 2 * time.Hour, Reason: "release"}, ""},
		{"freeze", []string{"--app", " PROD-* ", "1d", "--reason", "x"}, holds.FreezeArgs{Glob: "prod-*", For: 24 * time.Hour, Reason: "x"}, ""},
		{"freeze", []string{"30d", "--reason", "x"}, holds.FreezeArgs{Glob: "*", For: 30 * dobot.Day, Reason: "x"}, ""},
		{"freeze", []string{"59s", "--reason", "x"}, nil, "from 1m to 30d"},
		{"freeze", []string{"30d1m", "--reason", "x"}, nil, "from 1m to 30d"},
		{"freeze", []string{"soon", "--reason", "x"}, nil, "from 1m to 30d"},
		{"freeze", []string{"--reason", "x"}, nil, "freeze takes one duration"},
		{"freeze", []string{"--app", "prod_*", "1h", "--reason", "x"}, nil, "no underscores"},
		{"freeze", []string{"1h"}, nil, "freeze needs --reason TEXT"},
		{"unfreeze", nil, holds.FreezeArgs{Glob: "*"}, ""},
		{"unfreeze", []string{"--app", "Prod-*"}, holds.FreezeArgs{Glob: "prod-*"}, ""},
		{"unfreeze", []string{"now"}, nil, "unfreeze takes only --app GLOB"},
	}
	for _, tt := range tests {
		got, err := parsers[tt.cmd](tt.words)
		if tt.wantErr != "" {
			var ue *reply.UserError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s(%q) = %v, %v; want a user error containing %q", tt.cmd, tt.words, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s(%q) = %+v, %v; want %+v", tt.cmd, tt.words, got, err, tt.want)
		}
	}
}

// The guardrail: which actions a lock and a freeze stop, what the
// refusal offers, and who may break the glass.
func TestCheckStopsWhatALockOrAFreezeHoldsBack(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	must(r.svc.Lock(ctx, dep2, holds.LockArgs{Name: "web", Reason: "incident 311"}))(t)
	must(r.svc.Freeze(ctx, admin, holds.FreezeArgs{Glob: "prod-*", For: time.Hour, Reason: "release"}))(t)
	tests := []struct {
		name    string
		ask     holds.Ask
		breach  bool
		wantErr []string // all in the refusal; none: allowed
	}{
		{"a locked app's redeploy", holds.Ask{Command: "redeploy", Action: "redeploy", App: "web", Role: dobot.RoleDeployer}, false,
			[]string{"redeploy cannot run: web is locked by @UDEP2 since ", ": incident 311", "Ask them to `/do unlock web`", "override with `--break-glass REASON`", "Nothing was changed"}},
		{"a locked app's scale, which no glass breaks", holds.Ask{Command: "scale", Action: "scale", App: "web", Role: dobot.RoleAdmin}, false,
			[]string{"web is locked by @UDEP2", "an admin may `/do unlock` any lock"}},
		{"a dry run", holds.Ask{Command: "redeploy", Action: "redeploy", App: "web", DryRun: true}, false, nil},
		{"an action no hold stops", holds.Ask{Command: "extend", Action: "extend", App: "web"}, false, nil},
		{"no target", holds.Ask{Command: "redeploy", Action: "redeploy"}, false, nil},
		{"a free app", holds.Ask{Command: "redeploy", Action: "redeploy", App: "api"}, false, nil},
		{"a frozen app's launch", holds.Ask{Command: "launch", Action: "launch", App: "prod-api", Role: dobot.RoleAdmin}, false,
			[]string{"deploys to prod-api are frozen until ", "by @UADM (freeze on prod-* since ", ": release", "Wait for the freeze to end"}},
		{"a frozen app's restart, which a freeze does not stop", holds.Ask{Command: "restart", Action: "restart", App: "prod-api"}, false, nil},
		{"a deployer's glass", holds.Ask{Command: "redeploy", Action: "redeploy", App: "web", Glass: "hotfix", Role: dobot.RoleDeployer}, false,
			[]string{"only an admin may use --break-glass, and you are a deployer. redeploy cannot run: web is locked"}},
		{"glass where nothing holds", holds.Ask{Command: "redeploy", Action: "redeploy", App: "api", Glass: "hotfix", Role: dobot.RoleAdmin}, false,
			[]string{"nothing holds api back", "no glass to break"}},
		{"an admin's glass", holds.Ask{Command: "redeploy", Action: "redeploy", App: "web", Glass: "hotfix", Role: dobot.RoleAdmin}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br, err := r.svc.Check(ctx, tt.ask)
			if len(tt.wantErr) == 0 {
				if err != nil || (br != nil) != tt.breach {
					t.Fatalf("Check(%+v) = %v, %v; want breach=%v and no error", tt.ask, br, err, tt.breach)
				}
				return
			}
			got := userError(t, "Check", err)
			for _, want := range tt.wantErr {
				if !strings.Contains(got, want) {
					t.Errorf("Check(%+v) refused with %q; want %q", tt.ask, got, want)
				}
			}
		})
	}
}

// A broken glass is audited with what it overrode and announced in the
// card's thread, naming each holder once.
func TestBreachIsRecordedAndAnnouncedToEachHolderOnce(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	must(r.svc.Lock(ctx, admin, holds.LockArgs{Name: "prod-web", Reason: "db migration"}))(t)
	must(r.svc.Freeze(ctx, admin, holds.FreezeArgs{Glob: "prod-*", For: time.Hour, Reason: "release"}))(t)
	must(r.svc.Freeze(ctx, dep, holds.FreezeArgs{Glob: "*", For: time.Hour, Reason: "all"}))(t)
	br := must(r.svc.Check(ctx, holds.Ask{Command: "rollback", Action: "rollback", App: "prod-web", Glass: "hotfix 9", Role: dobot.RoleAdmin}))(t)
	op := must(r.db.CreateOperation(ctx, dobot.Operation{Action: "rollback", App: "prod-web", Requester: "UADM", Card: dobot.Card{Channel: "C1"}, CommandText: "rollback prod-web"}))(t)
	if err := r.svc.RecordBreach(ctx, op, br, "override"); err != nil {
		t.Fatal(err)
	}
	if len(r.audit) != 1 || r.audit[0].Action != "break-glass" || r.audit[0].Outcome != "override" ||
		r.audit[0].Details != `request=1 action=rollback reason="hotfix 9" lock_holder=UADM lock_reason="db migration" freeze=* freeze_by=UDEP freeze=prod-* freeze_by=UADM` {
		t.Errorf("audit = %+v; want one break-glass row naming the lock and both freezes", r.audit)
	}
	r.svc.AnnounceBreach(ctx, op, br) // no card yet: nothing to reply to
	op.MessageTS = "card"
	if err := r.db.UpdateOperation(ctx, op); err != nil {
		t.Fatal(err)
	}
	op.MessageTS = ""
	r.svc.AnnounceBreach(ctx, op, br) // the stored card is found
	r.svc.AnnounceBreach(ctx, op, nil)
	if len(r.replies) != 1 || !strings.HasPrefix(r.replies[0], "C1/card: ") ||
		!strings.Contains(r.replies[0], "Break-glass: @UADM runs rollback prod-web despite the hold (prod-web is locked by @UADM") ||
		!strings.Contains(r.replies[0], "Reason: hotfix 9. @UADM, @UDEP, for your information.") {
		t.Errorf("replies = %q; want one note in the card's thread mentioning each holder once", r.replies)
	}
}

// A lock or freeze placed while a request waited stops its approval,
// unless the request broke the glass.
func TestAtDecisionWeighsHoldsPlacedWhileARequestWaited(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	plain := must(r.db.CreateOperation(ctx, dobot.Operation{Action: "redeploy", App: "web", State: dobot.OpAwaitingApproval, Args: `{"Name":"web"}`}))(t)
	glass := must(r.db.CreateOperation(ctx, dobot.Operation{Action: "redeploy", App: "api", State: dobot.OpAwaitingApproval, Args: `{"Name":"api","BreakGlass":"hotfix"}`}))(t)
	if br, err := r.svc.AtDecision(ctx, plain.ID); br != nil || err != nil {
		t.Fatalf("AtDecision with nothing held = %v, %v; want nil, nil", br, err)
	}
	must(r.svc.Freeze(ctx, admin, holds.FreezeArgs{Glob: "*", For: time.Hour, Reason: "release"}))(t)
	_, err := r.svc.AtDecision(ctx, plain.ID)
	if got := userError(t, "AtDecision", err); !strings.Contains(got, "Request #1 cannot be approved now: deploys to web are frozen") {
		t.Errorf("AtDecision refused with %q", got)
	}
	if br, err := r.svc.AtDecision(ctx, glass.ID); br == nil || err != nil {
		t.Errorf("AtDecision of a break-glass request = %v, %v; want a breach", br, err)
	}
	if br, err := r.svc.AtDecision(ctx, 99); br != nil || err != nil {
		t.Errorf("AtDecision of no request = %v, %v; want nil, nil", br, err)
	}
}

func TestLockAndUnlockSayWhoHoldsIt(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	n := must(r.svc.Lock(ctx, dep, holds.LockArgs{Name: "web", Reason: "incident " + chat.Mention("UEVIL")}))(t)
	if got := chat.Plain(n.Message.Text); n.App != "web" || !strings.Contains(got, "@UDEP locked web: incident") || strings.Contains(n.Message.Text, chat.Mention("UEVIL")) {
		t.Errorf("lock notice = %q for %q; want it for web, the reason unable to mention", got, n.App)
	}
	if !r.svc.LockedBy(ctx, "web", "UDEP") || r.svc.LockedBy(ctx, "web", "UDEP2") || r.svc.LockedBy(ctx, "api", "UDEP") {
		t.Error("LockedBy does not name only the holder of the lock on web")
	}
	_, err := r.svc.Lock(ctx, dep2, holds.LockArgs{Name: "web", Reason: "mine"})
	if got := userError(t, "second lock", err); !strings.Contains(got, "web is already locked by @UDEP since ") {
		t.Errorf("second lock refused with %q", got)
	}
	_, err = r.svc.Unlock(ctx, dep2, holds.LockArgs{Name: "web"})
	if got := userError(t, "another's unlock", err); !strings.Contains(got, "only they or an admin may unlock it, and you are a deployer") {
		t.Errorf("another deployer's unlock refused with %q", got)
	}
	n = must(r.svc.Unlock(ctx, admin, holds.LockArgs{Name: "web"}))(t)
	if got := chat.Plain(n.Message.Text); !strings.HasPrefix(got, "✅ @UADM unlocked web (locked by @UDEP since ") {
		t.Errorf("admin's unlock notice = %q", got)
	}
	_, err = r.svc.Unlock(ctx, dep, holds.LockArgs{Name: "web"})
	if got := userError(t, "unlock of nothing", err); !strings.Contains(got, "web is not locked") {
		t.Errorf("unlock of an unlocked app refused with %q", got)
	}
}

func TestUnfreezeOfAnotherGlobNamesTheFreezesInForce(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	_, err := r.svc.Unfreeze(ctx, admin, holds.FreezeArgs{Glob: "*"})
	if got := userError(t, "unfreeze of nothing", err); got != "nothing is frozen, so there is nothing to unfreeze." {
		t.Errorf("unfreeze with nothing frozen refused with %q", got)
	}
	n := must(r.svc.Freeze(ctx, admin, holds.FreezeArgs{Glob: "prod-*", For: time.Hour, Reason: "release"}))(t)
	if got := chat.Plain(n.Message.Text); n.App != "" || !strings.Contains(got, "froze deploys on apps matching prod-* until") || !strings.Contains(got, "`/do unfreeze --app 'prod-*'` ends it.") {
		t.Errorf("freeze notice = %q", got)
	}
	_, err = r.svc.Unfreeze(ctx, admin, holds.FreezeArgs{Glob: "*"})
	if got := userError(t, "unfreeze of *", err); got != "no freeze on every app is in force. The freezes in force end with `/do unfreeze --app 'prod-*'`." {
		t.Errorf("unfreeze of the wrong glob refused with %q", got)
	}
	n = must(r.svc.Unfreeze(ctx, admin, holds.FreezeArgs{Glob: "prod-*"}))(t)
	if got := chat.Plain(n.Message.Text); !strings.Contains(got, "@UADM ended the freeze on apps matching prod-* (set by @UADM until") {
		t.Errorf("unfreeze notice = %q", got)
	}
	if h := must(r.svc.Holds(ctx))(t); len(h.Freezes) != 0 || len(h.Lines()) != 0 {
		t.Errorf("holds after unfreeze = %+v", h)
	}
}

// A lock holds a TTL expiry back and says so once, in the audit and in
// the app's thread.
func TestExpiryHeldSaysSoOncePerLock(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	app := dobot.App{Name: "web", Owner: "UDEP", Channel: "C1", Expiry: dobot.Expiry{ExpiresAt: time.Now()}}
	if r.svc.ExpiryHeld(ctx, app) {
		t.Fatal("an unlocked app's expiry was held")
	}
	must(r.svc.Lock(ctx, dep2, holds.LockArgs{Name: "web", Reason: "post-mortem"}))(t)
	for range 3 {
		if !r.svc.ExpiryHeld(ctx, app) {
			t.Fatal("a locked app's expiry went ahead")
		}
	}
	if len(r.audit) != 1 || r.audit[0].Action != "ttl.expired" || r.audit[0].Decision != "refused" || r.audit[0].UserName != "dobot for UDEP" ||
		r.audit[0].Details != `lock_holder=UDEP2 lock_reason="post-mortem"` {
		t.Errorf("audit = %+v; want one refused ttl.expired row naming the lock", r.audit)
	}
	if len(r.notices) != 1 || !strings.Contains(r.notices[0], "web: 🔒 web reached the end of its TTL, but @UDEP2 holds it locked since ") {
		t.Errorf("notices = %q; want one in web's thread", r.notices)
	}
	n := must(r.svc.Unlock(ctx, dep2, holds.LockArgs{Name: "web"}))(t)
	if !strings.HasSuffix(n.Message.Text, "Its TTL expiry, held back by the lock, goes ahead now.") {
		t.Errorf("unlock notice = %q; want the expiry to go ahead", n.Message.Text)
	}
}

func TestLinesDescribeEveryHold(t *testing.T) {
	since := time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)
	h := holds.Holds{
		Locks:   []dobot.AppHold{{App: "web", Holder: "UA1", Reason: "mine", Since: since}, {App: "api", Holder: "UA2", Since: since}},
		Freezes: []dobot.Freeze{{Glob: "*", By: "UA3", Since: since, Until: since.Add(time.Hour)}},
	}
	want := []string{
		"🧊 Deploys frozen on every app until 2026-01-02 04:04 UTC by @UA3 (since 2026-01-02 03:04 UTC)",
		"🔒 web locked by @UA1 since 2026-01-02 03:04 UTC: mine",
		"🔒 api locked by @UA2 since 2026-01-02 03:04 UTC",
	}
	var got []string
	for _, l := range h.Lines() {
		got = append(got, chat.Plain(l))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Lines() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := chat.Plain(h.Unmanaged([]dobot.App{{Name: "web"}})); got != "🔒 api locked by @UA2 since 2026-01-02 03:04 UTC (not launched)\n" {
		t.Errorf("Unmanaged = %q", got)
	}
}

// FuzzParseFreeze: freeze's parser never panics, and what it accepts is
// a lowercase glob, a duration from 1m to 30d and a reason.
func FuzzParseFreeze(f *testing.F) {
	f.Add("--app", "prod-*", "2h", "release")
	f.Add("--app", "PROD", "30d", " ")
	f.Add("--reason", "x", "1m", "--app")
	f.Fuzz(func(t *testing.T, a, b, c, d string) {
		args, err := holds.ParseFreeze([]string{a, b, c, "--reason", d}, func(string) error { return nil })
		if err != nil {
			return
		}
		if args.Glob != strings.ToLower(args.Glob) || args.For < time.Minute || args.For > 30*dobot.Day || args.Reason == "" {
			t.Errorf("ParseFreeze(%q, %q, %q, --reason %q) = %+v; want a lowercase glob, 1m to 30d and a reason", a, b, c, d, args)
		}
	})
}

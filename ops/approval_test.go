package ops_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"dobot"
	"dobot/internal/storetest"
	"dobot/ops"
	"dobot/store"
)

var t0 = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

// machine is the approval state machine over a real SQLite file, with one
// request by UREQ waiting on card 1.1 in C1.
type machine struct {
	*ops.Approvals
	db      *store.DB
	req     dobot.Operation
	allowed func(ctx context.Context, op dobot.Operation) (string, error)
	now     time.Time
}

func newMachine(t *testing.T) *machine {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t)
	m := &machine{db: db, now: t0}
	db.Now = func() time.Time { return m.now }
	m.allowed = func(context.Context, dobot.Operation) (string, error) { return "", nil }
	m.Approvals = &ops.Approvals{
		Store:            db,
		Now:              func() time.Time { return m.now },
		RequesterAllowed: func(ctx context.Context, op dobot.Operation) (string, error) { return m.allowed(ctx, op) },
		StateText:        func(op dobot.Operation) string { return "it is " + string(op.State) },
		Scrub:            func(op *dobot.Operation) { op.Args = "{}" },
		CardWait:         time.Millisecond,
	}
	op, err := db.CreateOperation(ctx, dobot.Operation{
		Action:    "teardown",
		App:       "web",
		State:     dobot.OpAwaitingApproval,
		Requester: "UREQ",
		Args:      `{"secret":"x"}`,
		Approval:  dobot.Approval{ExpiresAt: t0.Add(time.Hour)},
		Card:      dobot.Card{Channel: "C1", MessageTS: "1.1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	m.req = op
	return m
}

func (m *machine) decision(who string, approve bool) ops.Decision {
	return ops.Decision{RequestID: m.req.ID, Approve: approve, Decider: who, Channel: "C1", CommandText: "(button)", Card: "1.1"}
}

func refusal(t *testing.T, err error) *ops.Refusal {
	t.Helper()
	var r *ops.Refusal
	if !errors.As(err, &r) {
		t.Fatalf("Decide error = %v; want a *ops.Refusal", err)
	}
	if r.Entry.Decision != "refused" || r.Entry.Action != "approval.decision" {
		t.Errorf("refusal audit row = %+v; want a refused approval.decision", r.Entry)
	}
	return r
}

func TestApproveMovesTheRequestOnce(t *testing.T) {
	m := newMachine(t)
	op, stored, err := m.Decide(context.Background(), m.decision("UAPP", true))
	if err != nil {
		t.Fatal(err)
	}
	if op.State != dobot.OpRunning || op.Decider != "UAPP" || !op.DecidedAt.Equal(t0) {
		t.Errorf("approved request = %+v; want running, decided by UAPP now", op)
	}
	if stored.ID == 0 || stored.Decision != "approved" || stored.Target != "web" {
		t.Errorf("stored audit row = %+v; want the approval on record", stored)
	}
	// A second decision finds it decided.
	_, _, err = m.Decide(context.Background(), m.decision("UOTHER", false))
	if r := refusal(t, err); !strings.Contains(r.Text, "no longer waiting: it is running") {
		t.Errorf("second decision refused with %q; want no longer waiting", r.Text)
	}
}

func TestDenyKeepsTheReasonAndScrubs(t *testing.T) {
	m := newMachine(t)
	d := m.decision("UAPP", false)
	d.Reason = "not today"
	op, _, err := m.Decide(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if op.State != dobot.OpCanceled || op.Error != "not today" || op.Args != "{}" {
		t.Errorf("denied request = %+v; want canceled with the reason and no secrets", op)
	}
}

func TestDecisionRefusals(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(m *machine, d *ops.Decision)
		want   string
		expire bool
	}{
		{"self", func(m *machine, d *ops.Decision) { d.Decider = "UREQ" }, "someone else must decide", false},
		{"unknown request", func(m *machine, d *ops.Decision) { d.RequestID = 99 }, "There is no request #99", false},
		{"other card", func(m *machine, d *ops.Decision) { d.Card = "2.2" }, "does not belong to request", false},
		{"other channel", func(m *machine, d *ops.Decision) { d.Channel = "C2" }, "does not belong to request", false},
		{"requester lost the role", func(m *machine, d *ops.Decision) {
			m.allowed = func(context.Context, dobot.Operation) (string, error) { return "no longer has the deployer role", nil }
		}, "no longer has the deployer role", false},
		{"expired", func(m *machine, d *ops.Decision) { m.now = t0.Add(2 * time.Hour) }, "expired at 2026-12-03 10:00 UTC", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMachine(t)
			d := m.decision("UAPP", true)
			tt.setup(m, &d)
			_, _, err := m.Decide(context.Background(), d)
			r := refusal(t, err)
			if !strings.Contains(r.Text, tt.want) || r.Expired != tt.expire {
				t.Errorf("Decide refused with %q (expired %v); want %q (expired %v)", r.Text, r.Expired, tt.want, tt.expire)
			}
			if op, _ := m.db.Operation(context.Background(), m.req.ID); op.State != dobot.OpAwaitingApproval {
				t.Errorf("request after a refusal = %s; want it still waiting", op.State)
			}
		})
	}
}

// A failure to re-check the requester is no refusal: nobody decided.
func TestRequesterCheckFailureIsNoRefusal(t *testing.T) {
	m := newMachine(t)
	m.allowed = func(context.Context, dobot.Operation) (string, error) { return "", errors.New("database is locked") }
	_, _, err := m.Decide(context.Background(), m.decision("UAPP", true))
	var r *ops.Refusal
	if err == nil || errors.As(err, &r) || !strings.Contains(err.Error(), "database is locked") {
		t.Errorf("Decide = %v; want an internal error, not a refusal", err)
	}
}

// decisionTally counts the outcomes of concurrent decisions on one
// request: won, refused, and any other error fails the test.
type decisionTally struct {
	mu           sync.Mutex
	won, refused int
}

func (d *decisionTally) add(t *testing.T, err error) {
	var r *ops.Refusal
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case err == nil:
		d.won++
	case errors.As(err, &r):
		d.refused++
	default:
		t.Errorf("Decide = %v", err)
	}
}

// check fails t unless exactly one of n decisions won and the rest were
// refused.
func (d *decisionTally) check(t *testing.T, n int) {
	t.Helper()
	if d.won != 1 || d.refused != n-1 {
		t.Errorf("%d decisions won and %d were refused; want 1 and %d", d.won, d.refused, n-1)
	}
}

func TestConcurrentDecisionsOneWins(t *testing.T) {
	m := newMachine(t)
	var wg sync.WaitGroup
	var tally decisionTally
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := m.Decide(context.Background(), m.decision("UAPP", i%2 == 0))
			tally.add(t, err)
		}()
	}
	wg.Wait()
	tally.check(t, 8)
}

func TestExpireOnce(t *testing.T) {
	m := newMachine(t)
	m.now = t0.Add(2 * time.Hour)
	op, ok, stored, err := m.Expire(context.Background(), m.req)
	if err != nil || !ok || op.State != dobot.OpExpired || stored.Action != "approval.expired" || op.Args != "{}" {
		t.Fatalf("Expire = %+v, %v, %+v, %v; want it expired once, on record, scrubbed", op, ok, stored, err)
	}
	if _, ok, _, err := m.Expire(context.Background(), m.req); ok || err != nil {
		t.Errorf("second Expire = %v, %v; want no change", ok, err)
	}
}

// Carded waits while a request's card is still being posted.
func TestCardedWaitsForTheCard(t *testing.T) {
	m := newMachine(t)
	ctx := context.Background()
	op, err := m.db.CreateOperation(ctx, dobot.Operation{Action: "launch", App: "api", State: dobot.OpRequested, Requester: "UREQ"})
	if err != nil {
		t.Fatal(err)
	}
	m.CardWait = 10 * time.Second
	done := make(chan dobot.Operation)
	go func() {
		got, _ := m.Carded(ctx, op.ID)
		done <- got
	}()
	if _, ok, err := m.db.Transition(ctx, op.ID, []dobot.OpState{dobot.OpRequested}, dobot.OpAwaitingApproval,
		func(o *dobot.Operation) { o.MessageTS = "3.3" }); err != nil || !ok {
		t.Fatal(err)
	}
	if got := <-done; got.State != dobot.OpAwaitingApproval || got.MessageTS != "3.3" {
		t.Errorf("Carded = %+v; want the request with its card", got)
	}
}

// Requests and operations share one id series (issue 13): deciding the id
// of an operation that never needed approval says it is an operation, for
// its requester and anyone else alike, and changes nothing.
func TestDecidingAnOperationSaysItIsNoRequest(t *testing.T) {
	m := newMachine(t)
	ctx := context.Background()
	op, err := m.db.CreateOperation(ctx, dobot.Operation{Action: "launch", App: "api", State: dobot.OpRunning,
		Requester: "UREQ", Card: dobot.Card{Channel: "C1", MessageTS: "2.2"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"UREQ", "UAPP"} {
		for _, approve := range []bool{true, false} {
			d := ops.Decision{RequestID: op.ID, Approve: approve, Decider: who, Channel: "C1", CommandText: "approve"}
			_, _, err := m.Decide(ctx, d)
			want := fmt.Sprintf("#%d is an operation (launch api), not a request", op.ID)
			if r := refusal(t, err); !strings.Contains(r.Text, want) {
				t.Errorf("Decide(%s, approve %v) refused with %q; want %q", who, approve, r.Text, want)
			}
		}
	}
	if got, _ := m.db.Operation(ctx, op.ID); got.State != dobot.OpRunning || got.Decider != "" {
		t.Errorf("operation after the refusals = %+v; want it running, undecided", got)
	}
}

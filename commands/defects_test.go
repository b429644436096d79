package commands_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"golang.org/x/oauth2"

	"dobot"
	"dobot/commands"
	"dobot/internal/botproc"
	"dobot/internal/dotest"
	"dobot/internal/storetest"
	"dobot/store"
	"dobot/watch"
)

// faultyStore fails chosen calls of a real store.
type faultyStore struct {
	*store.DB
	roleFails       atomic.Value // user id whose Role fails, or ""
	transitionFails bool         // a request cannot be put up for decision
	sendingFails    bool         // recording the sending step fails
}

var errSQL = errors.New("SELECT role FROM roles WHERE user_id = ?: database is locked")

func (s *faultyStore) Role(ctx context.Context, user string) (dobot.Role, error) {
	if fail, _ := s.roleFails.Load().(string); fail != "" && fail == user {
		return 0, errSQL
	}
	return s.DB.Role(ctx, user)
}

func (s *faultyStore) Transition(ctx context.Context, id int64, from []dobot.OpState, to dobot.OpState, mutate func(*dobot.Operation)) (dobot.Operation, bool, error) {
	if s.transitionFails && to == dobot.OpAwaitingApproval {
		return dobot.Operation{}, false, errors.New("database is locked")
	}
	return s.DB.Transition(ctx, id, from, to, mutate)
}

func (s *faultyStore) UpdateOperation(ctx context.Context, op dobot.Operation) error {
	if s.sendingFails && op.Step == dobot.StepSending {
		return errors.New("disk I/O error")
	}
	return s.DB.UpdateOperation(ctx, op)
}

// syncBuffer is a log sink safe for the bot's goroutines.
type syncBuffer = botproc.LockedBuffer

// faultyBot runs a bot over a faulty store, with the launch policy asking
// for approval, and returns it with its log.
func faultyBot(t *testing.T) (*faultyStore, *runningBot, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	db := storetest.Open(t)
	for user, role := range map[string]dobot.Role{"UDEP": dobot.RoleDeployer, "UAPP": dobot.RoleApprover} {
		if err := db.SetRole(ctx, user, role, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetPolicy(ctx, dobot.Policy{Action: commands.ActionLaunch, Role: dobot.RoleDeployer, NeedsApproval: true}); err != nil {
		t.Fatal(err)
	}
	st := &faultyStore{DB: db}
	srv := dotest.New(t, dotest.Options{Token: "tok", PhaseDelay: 20 * time.Millisecond})
	client, err := godo.New(oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok"})), godo.SetBaseURL(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	w := watch.New(client.Apps, nil, watch.Fixed(20*time.Millisecond))
	go w.Run(ctx)
	logs := &syncBuffer{}
	chat := &recordingChat{}
	bot, err := commands.New(commands.Config{Region: "nyc3"}, commands.Deps{Store: st, Cloud: commands.CloudOf(client), Chat: chat, Watcher: w,
		Log: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := bot.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); bot.Wait(); db.Close() }) }
	t.Cleanup(stop)
	return st, &runningBot{bot: bot, chat: chat, stop: stop}, logs
}

// A database error while re-checking the requester is no refusal: the
// approver sees a reference, not SQL, and the audit records no refusal.
func TestRequesterRecheckErrorIsNoRefusal(t *testing.T) {
	st, b, logs := faultyBot(t)
	ctx := context.Background()
	b.run("UDEP", "launch web --image nginx:1.27")
	st.roleFails.Store("UDEP")
	got := b.run("UAPP", "approve 1")
	if strings.Contains(got, "SELECT") || strings.Contains(got, "database is locked") || strings.Contains(got, "no longer has") {
		t.Errorf("approve answered %q; want an internal error without the database's words", got)
	}
	if !strings.Contains(logs.String(), "database is locked") {
		t.Errorf("the database error is not in the log:\n%s", logs.String())
	}
	rows, err := st.DB.Audit(ctx, dobot.AuditFilter{Action: "approval.decision"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Decision == "refused" {
			t.Errorf("audit row %+v records a refusal; nobody refused anything", r)
		}
	}
	if op, err := st.DB.Operation(ctx, 1); err != nil || op.State != dobot.OpAwaitingApproval {
		t.Errorf("request after the failed re-check = %+v, %v; want it still waiting", op, err)
	}
}

// A request whose card cannot be recorded ends, its card loses its
// buttons, and the log names the request.
func TestUnrecordedCardLosesItsButtons(t *testing.T) {
	st, b, logs := faultyBot(t)
	st.transitionFails = true
	b.run("UDEP", "launch web --image nginx:1.27")
	op, err := st.DB.Operation(context.Background(), 1)
	if err != nil || op.State != dobot.OpCanceled {
		t.Errorf("request after the failed transition = %+v, %v; want it canceled", op, err)
	}
	b.chat.mu.Lock()
	var card, update *commands.Message
	for i := range b.chat.sent {
		s := b.chat.sent[i]
		if s.Kind == "post" && len(s.Msg.Buttons) > 0 {
			card = &b.chat.sent[i].Msg
		}
		if s.Kind == "update" {
			update = &b.chat.sent[i].Msg
		}
	}
	b.chat.mu.Unlock()
	if card == nil || update == nil || len(update.Buttons) > 0 || !strings.Contains(update.Text, "Request #1") {
		t.Errorf("card %+v updated to %+v; want the card updated without buttons, naming request #1", card, update)
	}
	if strings.Contains(logs.String(), "request 0") || !strings.Contains(logs.String(), "request 1") {
		t.Errorf("log names the wrong request:\n%s", logs.String())
	}
}

// When the sending step cannot be recorded, nothing is sent: a restart
// would not know to look for what it made.
func TestSendingStepNotRecordedSendsNothing(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	h.run("UDEP", "launch web --image nginx")
	if op := h.waitOp(t, 1); op.State != dobot.OpSucceeded {
		t.Fatalf("launch = %+v; want it live", op)
	}
	st := &faultyStore{DB: h.db, sendingFails: true}
	second := startBot(t, st, h.do, nil)
	second.run("UDEP", "redeploy web")
	op := h.waitOp(t, 2)
	if op.State != dobot.OpFailed {
		t.Errorf("redeploy whose sending step was not recorded = %+v; want it failed", op)
	}
	if n := h.do.Count("POST /v2/apps/{app_id}/deployments"); n != 0 {
		t.Errorf("deployments created = %d; want none", n)
	}
}

// An operation whose stored arguments do not decode fails; it does not run
// with zero values.
func TestBadStoredArgumentsFailTheOperation(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	op, err := h.db.CreateOperation(ctx, dobot.Operation{
		Action:    commands.ActionTeardown,
		App:       "web",
		State:     dobot.OpRunning,
		Args:      "{not json",
		Requester: "UDEP",
		Card:      dobot.Card{Channel: "C1"},
		Sent:      dobot.Sent{ResourceID: "4f6c71e2-1e90-4762-9fee-6cc4a0a9f2cf"},
	})
	if err != nil {
		t.Fatal(err)
	}
	startBot(t, h.db, h.do, nil) // resumes it
	got := h.waitOp(t, op.ID)
	if got.State != dobot.OpFailed || !strings.Contains(got.Error, "decode") {
		t.Errorf("operation with bad arguments = %+v; want it failed on the decode", got)
	}
	if n := h.do.Count("DELETE /v2/apps/{id}"); n != 0 {
		t.Errorf("DELETEs = %d; want none", n)
	}
}

func TestHelpForNoRoleListsWhatTheyMayRun(t *testing.T) {
	h := newHarness(t)
	got := h.run("USTRANGER", "help")
	if !strings.Contains(got, "/do sizes") {
		t.Fatalf("help for no role = %q; want sizes listed", got)
	}
	if strings.Contains(got, "help is all you can run") {
		t.Errorf("help for no role = %q; it lists sizes too, so help is not all", got)
	}
}

func TestCancelRunningDropletLaunch(t *testing.T) {
	h := dropletHarness(t, "")
	op, err := h.db.CreateOperation(context.Background(), dobot.Operation{
		Action:    commands.ActionLaunch,
		App:       "box",
		State:     dobot.OpRunning,
		Args:      `{"Name":"box","Droplet":true}`,
		Requester: "UDEP",
		Card:      dobot.Card{Channel: "C1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := h.run("UDEP", fmt.Sprintf("cancel %d", op.ID))
	if strings.Contains(got, "still creating") || !strings.Contains(got, "cannot be stopped part-way") {
		t.Errorf("cancel of a running droplet launch = %q; want that it cannot be stopped", got)
	}
}

const dropletActionRoute = "GET /v2/droplets/{droplet_id}/actions/{action_id}"

// launchBox launches a droplet and waits until it is up.
func launchBox(t *testing.T, h *harness) {
	t.Helper()
	h.run("UDEP", "launch box --droplet --image nginx")
	if op := h.waitOp(t, 1); op.State != dobot.OpSucceeded {
		t.Fatalf("droplet launch = %+v; want it up", op)
	}
}

// Failed polls of a droplet action end the operation, releasing its lock.
func TestDropletActionGivesUpAfterFailedPolls(t *testing.T) {
	h := dropletHarness(t, "")
	launchBox(t, h)
	h.do.Fault(dropletActionRoute, http.StatusInternalServerError, 1000)
	h.run("UDEP", "droplet reboot box")
	op := h.waitOp(t, 2)
	if op.State != dobot.OpFailed || !strings.Contains(op.Error, "in a row failed") {
		t.Errorf("reboot whose polls all fail = %+v; want it failed", op)
	}
	if _, err := h.db.ActiveOperation(context.Background(), "box"); !errors.Is(err, dobot.ErrNotFound) {
		t.Errorf("box is still held: %v", err)
	}
}

// A droplet action that does not finish within the operation timeout fails.
func TestDropletActionTimesOut(t *testing.T) {
	h := newHarnessWith(t, commands.Config{Region: "nyc3", OpTimeout: 3 * time.Second},
		dotest.Options{Token: "tok", PhaseDelay: 20 * time.Millisecond}, nil)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	launchBox(t, h)
	h.do.Delay(dropletActionRoute, time.Hour)
	h.run("UDEP", "droplet reboot box")
	op := h.waitOp(t, 2)
	if op.State != dobot.OpFailed || !strings.Contains(op.Error, "did not finish within") {
		t.Errorf("reboot that never finishes = %+v; want it failed at the timeout", op)
	}
}

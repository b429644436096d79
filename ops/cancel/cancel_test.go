package cancel_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/internal/chatfake"
	"dobot/internal/storetest"
	"dobot/ops"
	"dobot/ops/cancel"
	"dobot/progress"
	"dobot/reply"
	"dobot/requests"
	"dobot/store"
)

type fixture struct {
	*cancel.Canceler
	db    *store.DB
	board *chatfake.Board
	shown []int64
	calls []string // DigitalOcean calls, "METHOD path"
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := storetest.Open(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	f := &fixture{db: db, board: &chatfake.Board{}}
	engine := &ops.Engine{Store: db, Now: time.Now, ApprovalTTL: time.Hour, Log: log, Scrub: deploy.ScrubSecrets}
	approvals := &ops.Approvals{Store: db, Now: time.Now, StateText: requests.StateText, Scrub: deploy.ScrubSecrets}
	f.Canceler = cancel.New(cancel.Deps{Carded: approvals.Carded, Withdraw: engine.Withdraw,
		Show:   func(_ context.Context, op dobot.Operation, _ *progress.Reporter) { f.shown = append(f.shown, op.ID) },
		Mirror: func(dobot.AuditEntry) {},
		Reporter: func(op dobot.Operation) *progress.Reporter {
			return progress.New(f.board, log, op.Channel, chat.Ref{Channel: op.Channel, ID: op.MessageTS}, "")
		},
		Raw: func(_ context.Context, method, path string, _, _ any) error {
			f.calls = append(f.calls, method+" "+path)
			return nil
		}})
	return f
}

func (f *fixture) store(t *testing.T, op dobot.Operation) dobot.Operation {
	t.Helper()
	op.App, op.Requester = "web", "U0REQ"
	op.Card = dobot.Card{Channel: "C1", MessageTS: "card-1"}
	op, err := f.db.CreateOperation(context.Background(), op)
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func (f *fixture) cancel(t *testing.T, who cancel.Who, id int64) (chat.Message, error) {
	t.Helper()
	op, err := f.Load(context.Background(), who, id)
	if err != nil {
		return chat.Message{}, err
	}
	return f.Cancel(context.Background(), who, op)
}

var requester = cancel.Who{UserID: "U0REQ", Role: dobot.RoleDeployer}

func TestWithdrawAWaitingRequest(t *testing.T) {
	f := newFixture(t)
	op := f.store(t, dobot.Operation{Action: deploy.ActionTeardown, State: dobot.OpAwaitingApproval,
		Approval: dobot.Approval{ExpiresAt: time.Now().Add(time.Hour)}})
	m, err := f.cancel(t, requester, op.ID)
	if err != nil || m.Text != "Canceled request #1." {
		t.Fatalf("cancel = %q, %v; want the request withdrawn", m.Text, err)
	}
	if got, _ := f.db.Operation(context.Background(), op.ID); got.State != dobot.OpCanceled {
		t.Errorf("state = %s; want canceled", got.State)
	}
	if len(f.shown) != 1 || len(f.board.Find("canceled request #1")) != 1 {
		t.Errorf("shown %v, messages %+v; want the card updated and the thread told", f.shown, f.board.Sent())
	}
	// Twice is no longer waiting.
	if _, err := f.cancel(t, requester, op.ID); err == nil || !strings.Contains(err.Error(), "has already ended") {
		t.Errorf("second cancel = %v; want it refused as ended", err)
	}
}

func TestCancelRefusals(t *testing.T) {
	f := newFixture(t)
	waiting := f.store(t, dobot.Operation{Action: deploy.ActionTeardown, State: dobot.OpAwaitingApproval})
	raw, _ := json.Marshal(deploy.LaunchArgs{Name: "web", OnDroplet: deploy.OnDroplet{Droplet: true}})
	droplet := f.store(t, dobot.Operation{Action: deploy.ActionLaunch, App: "web", State: dobot.OpRunning, Args: string(raw), Lock: "x"})
	for _, c := range []struct {
		name string
		who  cancel.Who
		id   int64
		want string
	}{
		{"missing", requester, 99, "There is no request or operation #99"},
		{"someone else's", cancel.Who{UserID: "U0ELSE", Role: dobot.RoleDeployer}, waiting.ID, "or an admin may cancel it"},
		{"droplet launch", requester, droplet.ID, "cannot be stopped part-way"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.cancel(t, c.who, c.id)
			var ue *reply.UserError
			if !errors.As(err, &ue) || !strings.Contains(ue.Msg, c.want) {
				t.Errorf("cancel(%d) = %v; want a user error saying %q", c.id, err, c.want)
			}
		})
	}
}

func TestCancelARunningDeployment(t *testing.T) {
	f := newFixture(t)
	op := f.store(t, dobot.Operation{Action: deploy.ActionRedeploy, State: dobot.OpRunning,
		Sent: dobot.Sent{ResourceID: "app-1", DeploymentID: "dep-1"}})
	if _, err := f.cancel(t, cancel.Who{UserID: "U0ADM", Role: dobot.RoleAdmin}, op.ID); err != nil {
		t.Fatal(err)
	}
	if want := "POST v2/apps/app-1/deployments/dep-1/cancel"; len(f.calls) != 1 || f.calls[0] != want {
		t.Errorf("calls = %v; want %q", f.calls, want)
	}
}

package binding_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/docloud"
	"dobot/internal/chatfake"
	"dobot/internal/storetest"
	"dobot/ops"
	"dobot/ops/binding"
	"dobot/progress"
	"dobot/requests"
	"dobot/store"
)

// apps is DigitalOcean's app, whose spec a test changes behind the bot's back.
type apps struct{ spec *godo.AppSpec }

func (a *apps) Get(context.Context, string) (*godo.App, *godo.Response, error) {
	return &godo.App{ID: "app-1", Spec: a.spec}, nil, nil
}

type fixture struct {
	*binding.Binder
	db     *store.DB
	board  *chatfake.Board
	apps   *apps
	digest string // what the image's tag names now
	asked  []dobot.Operation
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := storetest.Open(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	f := &fixture{db: db, board: &chatfake.Board{}, apps: &apps{spec: &godo.AppSpec{Name: "web"}}, digest: "sha256:aaa"}
	engine := &ops.Engine{Store: db, Now: time.Now, ApprovalTTL: time.Hour, Log: log, Scrub: deploy.ScrubSecrets}
	f.Binder = binding.New(binding.Deps{Store: db, Apps: f.apps, Chat: f.board,
		Preflight: func(context.Context, dobot.ImageRef, int) (docloud.Preflight, error) {
			return docloud.Preflight{Digest: f.digest, Port: 8080}, nil
		},
		SentSpec: func(op dobot.Operation) (string, bool) { return "sent", op.Action == deploy.ActionScale },
		Open:     engine.Open, Finish: engine.Finish,
		Ask: func(_ context.Context, _, op dobot.Operation, _ string, _ []chat.Field) error {
			f.asked = append(f.asked, op)
			return nil
		},
		Reporter: func(op dobot.Operation) *progress.Reporter {
			return progress.New(f.board, log, op.Channel, chat.Ref{Channel: op.Channel, ID: op.MessageTS}, "")
		},
		Audit: func(ctx context.Context, e dobot.AuditEntry) { _, _ = db.AppendAudit(ctx, e) },
		Log:   log})
	return f
}

// approved stores a request as the desk leaves it once approved, and binds it.
func (f *fixture) approved(t *testing.T, action string, args any) dobot.Operation {
	t.Helper()
	raw, _ := json.Marshal(args)
	op, err := f.db.CreateOperation(context.Background(), dobot.Operation{Action: action, App: "web", State: dobot.OpRunning,
		Args: string(raw), Requester: "U0REQ", Card: dobot.Card{Channel: "C1", MessageTS: "card-1"}, Sent: dobot.Sent{ResourceID: "app-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Bind(context.Background(), op); err != nil {
		t.Fatal(err)
	}
	return op
}

func launchArgs() deploy.LaunchArgs {
	ref, _ := dobot.ParseImageRef("ghcr.io/acme/web:1")
	a := deploy.LaunchArgs{Name: "web", Image: "ghcr.io/acme/web:1", Region: "nyc", Ref: ref}
	a.Check.Digest = "sha256:aaa"
	return a
}

func TestUnchangedRequestIsNotVoid(t *testing.T) {
	f := newFixture(t)
	op := f.approved(t, deploy.ActionLaunch, launchArgs())
	if why, _ := f.Change(context.Background(), op); why != "" {
		t.Fatalf("Change(unchanged launch) = %q; want \"\"", why)
	}
	if f.VoidIfChanged(context.Background(), op, requests.Who{UserID: "U0APP"}) {
		t.Fatal("VoidIfChanged(unchanged launch) = true; want false")
	}
	if got, _ := f.db.Operation(context.Background(), op.ID); got.State != dobot.OpRunning {
		t.Errorf("state after an unchanged approval = %s; want running", got.State)
	}
}

func TestMovedTagVoidsAndAsksAgain(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	op := f.approved(t, deploy.ActionLaunch, launchArgs())
	f.digest = "sha256:bbb"
	if why, moved := f.Change(ctx, op); !moved || !strings.Contains(why, "was pushed again") {
		t.Fatalf("Change(moved tag) = %q, %v; want the tag named as pushed again", why, moved)
	}
	if !f.VoidIfChanged(ctx, op, requests.Who{UserID: "U0APP", CommandText: "(button)"}) {
		t.Fatal("VoidIfChanged(moved tag) = false; want true")
	}
	got, _ := f.db.Operation(ctx, op.ID)
	if got.State != dobot.OpCanceled || !strings.HasPrefix(got.Error, "void: ") {
		t.Errorf("voided request = %s %q; want canceled as void", got.State, got.Error)
	}
	if len(f.asked) != 1 {
		t.Fatalf("asked again %d times; want once", len(f.asked))
	}
	again, err := ops.DecodeArgs[deploy.LaunchArgs](f.asked[0])
	if err != nil || again.Check.Digest != "sha256:bbb" {
		t.Errorf("the new request pins %q (%v); want the digest the tag names now", again.Check.Digest, err)
	}
	if card := f.board.Find("Request #1 void"); len(card) != 1 || card[0].Call != "update" ||
		!strings.Contains(card[0].Text(), "Request #2 asks again") {
		t.Errorf("void card = %+v; want the card updated, naming the new request", card)
	}
	rows, _ := f.db.Audit(ctx, dobot.AuditFilter{Action: "approval.void"})
	if len(rows) != 1 || rows[0].UserID != "U0APP" {
		t.Errorf("approval.void rows = %+v; want one, by the approver", rows)
	}
}

func TestSpecChangedElsewhereVoidsWithoutAsking(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	op := f.approved(t, deploy.ActionScale, deploy.ChangeArgs{Name: "web"})
	f.apps.spec = &godo.AppSpec{Name: "web", Region: "ams"} // changed in the control panel
	if !f.VoidIfChanged(ctx, op, requests.Who{UserID: "U0APP"}) {
		t.Fatal("VoidIfChanged(spec changed) = false; want true")
	}
	if len(f.asked) != 0 {
		t.Errorf("asked again for a changed spec; only a moved tag asks again")
	}
	if final := f.board.Find("ask again if it is still needed"); len(final) == 0 {
		t.Errorf("messages %+v; want the requester told to ask again", f.board.Sent())
	}
}

package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"dobot"
	"dobot/chat"
	"dobot/holds"
	"dobot/internal/chatfake"
	"dobot/ops/pipeline"
	"dobot/plan"
	"dobot/progress"
	"dobot/reply"
	"dobot/requests"
)

// world records every call the pipeline makes, in order, so a test can
// hold it to the order the crash safety depends on.
type world struct {
	calls   []string
	board   chatfake.Board
	told    []string
	updated []dobot.Operation
	started []dobot.Operation
	finish  []string

	role       dobot.Role
	roleErr    error
	openErr    error
	costly     bool
	breachErr  error
	atDecision *holds.Breach
	decideErr  error
	void       bool
}

func (w *world) log(format string, a ...any) { w.calls = append(w.calls, fmt.Sprintf(format, a...)) }

func (w *world) UpdateOperation(_ context.Context, op dobot.Operation) error {
	w.log("update %s", op.MessageTS)
	w.updated = append(w.updated, op)
	return nil
}
func (w *world) Role(context.Context, string) (dobot.Role, error) { return w.role, w.roleErr }

func (w *world) RecordBreach(_ context.Context, _ dobot.Operation, _ *holds.Breach, outcome string) error {
	w.log("breach %s", outcome)
	return w.breachErr
}
func (w *world) AnnounceBreach(_ context.Context, _ dobot.Operation, br *holds.Breach) {
	if br != nil {
		w.log("announce")
	}
}
func (w *world) AtDecision(context.Context, int64) (*holds.Breach, error) {
	w.log("at-decision")
	return w.atDecision, w.decideErr
}

func (w *world) Post(_ context.Context, op dobot.Operation, fields []chat.Field, _ string) (dobot.Operation, error) {
	w.log("post-card %s", fields[0].Label)
	op.State, op.MessageTS = dobot.OpAwaitingApproval, "card"
	return op, nil
}
func (w *world) Apply(_ context.Context, d requests.Decision) (dobot.Operation, error) {
	w.log("apply %d approve=%v by=%s", d.RequestID, d.Approve, d.Who.UserID)
	return dobot.Operation{ID: d.RequestID, Action: "teardown", App: "web", Requester: "U1"}, nil
}
func (w *world) Announce(_ context.Context, d requests.Decision, _ dobot.Operation) {
	w.log("show %d", d.RequestID)
}

func (w *world) Bind(context.Context, dobot.Operation) error { w.log("bind"); return nil }
func (w *world) VoidIfChanged(context.Context, dobot.Operation, requests.Who) bool {
	w.log("void? %v", w.void)
	return w.void
}

func newPipeline(w *world) *pipeline.Pipeline {
	return pipeline.New(pipeline.Deps{Store: w, Holds: w, Desk: w, Binder: w,
		Open: func(_ context.Context, op dobot.Operation, needsApproval bool) (dobot.Operation, error) {
			w.log("open approval=%v", needsApproval)
			op.ID = 7
			return op, w.openErr
		},
		Finish: func(_ context.Context, op *dobot.Operation, state dobot.OpState, why string) {
			w.log("finish %s", state)
			w.finish = append(w.finish, why)
		},
		Policy: func(_ context.Context, action, _ string) (dobot.Policy, error) {
			return dobot.Policy{Action: action, Role: dobot.RoleDeployer}, nil
		},
		Cost: func(context.Context, *plan.Plan) (chat.Field, bool, error) {
			return chat.Field{Label: "Needs approval because", Value: "too dear"}, w.costly, nil
		},
		Route: func(context.Context, *dobot.Operation) (chat.Message, bool) {
			w.log("route")
			return chat.Message{}, false
		},
		Busy: func(b *dobot.BusyError) string { return b.Holder.App + " is busy" },
		Head: func(op dobot.Operation) (chat.Message, bool) {
			return chat.Message{Text: "launching " + op.App}, op.Action != "nothing"
		},
		Reporter: func(op dobot.Operation) *progress.Reporter {
			return progress.New(&w.board, slog.New(slog.DiscardHandler), op.Channel, chat.Ref{Channel: op.Channel, ID: op.MessageTS}, op.ResponseURL)
		},
		Start: func(ref string, op dobot.Operation, _ *progress.Reporter) {
			w.log("start %s", ref)
			w.started = append(w.started, op)
		},
		Tell: func(_ context.Context, to pipeline.Asker, m chat.Message) {
			w.told = append(w.told, to.UserID+": "+chat.Plain(m.Text))
		},
	})
}

var ana = pipeline.Asker{Ref: "ev1", UserID: "U1", UserName: "ana", ChannelID: "C1", ResponseURL: "https://resp", CommandText: "launch web"}

func job(breach *holds.Breach, needsApproval bool) pipeline.Job {
	return pipeline.Job{From: ana, NeedsApproval: needsApproval,
		Check: func(context.Context) (*holds.Breach, error) { return breach, nil },
		Prepare: func(context.Context) (*plan.Plan, error) {
			return &plan.Plan{Op: dobot.Operation{Action: "launch", App: "web"}, Summary: "launch web",
				Fields: []chat.Field{{Label: "Image", Value: "nginx"}}, MonthlyCents: 500}, nil
		}}
}

func TestRunStartsAfterRecordingTheCard(t *testing.T) {
	w := &world{}
	if err := newPipeline(w).Run(context.Background(), job(&holds.Breach{}, false)); err != nil {
		t.Fatal(err)
	}
	want := []string{"route", "open approval=false", "breach override", "update 1", "announce", "start ev1"}
	if !slices.Equal(w.calls, want) {
		t.Fatalf("calls = %q; want %q", w.calls, want)
	}
	op := w.started[0]
	if op.Requester != "U1" || op.RequesterName != "ana" || op.Channel != "C1" || op.ResponseURL != "https://resp" || op.CommandText != "launch web" || op.MessageTS != "1" {
		t.Errorf("started %+v; want ana's request with its card recorded", op)
	}
	if sent := w.board.Find("launching web"); len(sent) != 1 || sent[0].Call != "post" {
		t.Errorf("card posts = %v; want the action's head posted once", sent)
	}
}

func TestRunCostAsksForApproval(t *testing.T) {
	w := &world{costly: true}
	if err := newPipeline(w).Run(context.Background(), job(&holds.Breach{}, false)); err != nil {
		t.Fatal(err)
	}
	want := []string{"route", "open approval=true", "breach requested", "bind", "post-card Needs approval because", "announce"}
	if !slices.Equal(w.calls, want) {
		t.Fatalf("calls = %q; want %q", w.calls, want)
	}
	if len(w.told) != 1 || !strings.Contains(w.told[0], "Request #7 to launch web needs approval") || !strings.Contains(w.told[0], "/do cancel 7") {
		t.Errorf("told %q; want the requester told request #7 waits", w.told)
	}
	if len(w.started) != 0 {
		t.Errorf("started %v before any approval", w.started)
	}
}

func TestRunRefusals(t *testing.T) {
	t.Run("busy", func(t *testing.T) {
		w := &world{openErr: &dobot.BusyError{Holder: dobot.Operation{App: "web"}}}
		err := newPipeline(w).Run(context.Background(), job(nil, false))
		var ue *reply.UserError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "web is busy") {
			t.Fatalf("Run = %v; want a user error saying web is busy", err)
		}
		if len(w.started) != 0 || len(w.finish) != 0 {
			t.Errorf("started %v, finished %q; want nothing", w.started, w.finish)
		}
	})
	t.Run("break-glass not audited", func(t *testing.T) {
		w := &world{breachErr: errors.New("disk full")}
		if err := newPipeline(w).Run(context.Background(), job(&holds.Breach{}, false)); err == nil {
			t.Fatal("Run = nil; want the audit's error")
		}
		if len(w.started) != 0 || !slices.Equal(w.finish, []string{"could not audit the break-glass"}) {
			t.Errorf("started %v, finished %q; want the operation canceled, not run", w.started, w.finish)
		}
	})
	t.Run("dry run", func(t *testing.T) {
		w := &world{}
		j := job(nil, true)
		j.Prepare = func(context.Context) (*plan.Plan, error) {
			return &plan.Plan{DryRun: func(context.Context) (chat.Message, error) { return chat.Message{Text: "would send"}, nil }}, nil
		}
		if err := newPipeline(w).Run(context.Background(), j); err != nil {
			t.Fatal(err)
		}
		if len(w.calls) != 0 || !slices.Equal(w.told, []string{"U1: would send"}) {
			t.Errorf("calls %q, told %q; want only the dry run told", w.calls, w.told)
		}
	})
}

func TestDecide(t *testing.T) {
	approve := requests.Decision{RequestID: 7, Approve: true}
	tests := []struct {
		name      string
		w         *world
		d         requests.Decision
		wantCalls []string
		wantTold  []string
		wantErr   bool
	}{
		{"typed approval", &world{}, approve,
			[]string{"at-decision", "apply 7 approve=true by=U1", "void? false", "show 7"},
			[]string{"U1: You approved request #7 (tear down web)."}, false},
		{"clicked denial", &world{}, requests.Decision{RequestID: 7, Card: "card"},
			[]string{"apply 7 approve=false by=U1", "show 7"}, nil, false},
		{"voided approval", &world{void: true}, approve,
			[]string{"at-decision", "apply 7 approve=true by=U1", "void? true"}, nil, false},
		{"held back", &world{decideErr: reply.Errorf("web is locked")}, approve,
			[]string{"at-decision"}, nil, true},
		{"break-glass", &world{atDecision: &holds.Breach{}}, approve,
			[]string{"at-decision", "apply 7 approve=true by=U1", "void? false", "breach override", "show 7", "announce"},
			[]string{"U1: You approved request #7 (tear down web)."}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := newPipeline(tt.w).Decide(context.Background(), ana, tt.d)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Decide = %v; want error %v", err, tt.wantErr)
			}
			if !slices.Equal(tt.w.calls, tt.wantCalls) {
				t.Errorf("calls = %q; want %q", tt.w.calls, tt.wantCalls)
			}
			if !slices.Equal(tt.w.told, tt.wantTold) {
				t.Errorf("told = %q; want %q", tt.w.told, tt.wantTold)
			}
		})
	}
}

func TestRequesterAllowed(t *testing.T) {
	op := dobot.Operation{ID: 7, Action: "teardown", App: "web", Requester: "U1"}
	for _, tt := range []struct {
		name    string
		w       *world
		wantWhy string
		wantErr bool
	}{
		{"still a deployer", &world{role: dobot.RoleDeployer}, "", false},
		{"demoted", &world{role: dobot.RoleViewer}, "no longer has the deployer role", false},
		{"store fails", &world{roleErr: errors.New("db gone")}, "", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			why, err := newPipeline(tt.w).RequesterAllowed(context.Background(), op)
			if (err != nil) != tt.wantErr || (tt.wantWhy == "") != (why == "") || !strings.Contains(why, tt.wantWhy) {
				t.Errorf("RequesterAllowed = %q, %v; want %q, error %v", why, err, tt.wantWhy, tt.wantErr)
			}
		})
	}
}

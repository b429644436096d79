package elsewhere

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/deploy"
	"dobot/docloud/daytwo"
	"dobot/internal/storetest"
)

// apps is DigitalOcean's list of apps: one app, whose active deployment
// a test sets.
type apps struct {
	godo.AppsService // any other call panics
	active           *godo.Deployment
	// listing, when set, runs as the list is being answered: what the bot
	// does meanwhile.
	listing func()
}

func (a *apps) List(context.Context, *godo.ListOptions) ([]*godo.App, *godo.Response, error) {
	if a.listing != nil {
		a.listing()
	}
	app := &godo.App{ID: "app-1", Spec: &godo.AppSpec{Name: "web"}, ActiveDeployment: a.active}
	if a.active != nil {
		app.LastDeploymentCreatedAt = a.active.CreatedAt
	}
	return []*godo.App{app}, &godo.Response{}, nil
}

type followed struct{ app, deployment, channel, thread string }

func TestPassReportsEachDeploymentStartedElsewhereOnce(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	defer db.Close()
	started := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	if err := db.PutApp(ctx, dobot.App{Name: "web", Kind: deploy.KindApp, ResourceID: "app-1", Channel: "C1", ThreadTS: "launch-1",
		CreatedAt: started.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	cloud := &apps{}
	var got []followed
	e := New(Deps{Store: db, Marks: db, Apps: cloud, Now: time.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Home: func(_ context.Context, app dobot.App) (string, string) { return app.Channel, app.ThreadTS },
		Follow: func(app dobot.App, d *godo.Deployment, channel, thread string) {
			got = append(got, followed{app.Name, d.ID, channel, thread})
		}})
	pass := func() {
		t.Helper()
		// A finder of its own each pass: its once-a-minute budget is
		// not what this test is about.
		if err := e.pass(ctx, &daytwo.ElsewhereFinder{Apps: cloud}, started); err != nil {
			t.Fatal(err)
		}
	}

	// History from before the bot started is marked, not reported.
	cloud.active = &godo.Deployment{ID: "old", CreatedAt: started.Add(-30 * time.Minute)}
	pass()
	if len(got) != 0 {
		t.Fatalf("followed %+v; want history left alone", got)
	}
	// A push after the start is reported once, in the launch thread.
	cloud.active = &godo.Deployment{ID: "push", CreatedAt: started.Add(time.Minute)}
	pass()
	pass()
	if want := (followed{"web", "push", "C1", "launch-1"}); len(got) != 1 || got[0] != want {
		t.Fatalf("followed %+v; want %+v once", got, want)
	}
	// The bot's own deployment is not reported as started elsewhere.
	op, err := db.CreateOperation(ctx, dobot.Operation{Action: deploy.ActionRedeploy, App: "web", State: dobot.OpRunning,
		Sent: dobot.Sent{ResourceID: "app-1", DeploymentID: "ours"}})
	if err != nil {
		t.Fatal(err)
	}
	cloud.active = &godo.Deployment{ID: "ours", CreatedAt: started.Add(2 * time.Minute)}
	pass() // the app is busy: not even looked at
	op.State = dobot.OpSucceeded
	if err := db.UpdateOperation(ctx, op); err != nil {
		t.Fatal(err)
	}
	pass()
	if len(got) != 1 {
		t.Errorf("followed %+v; want the bot's own deployment left alone", got)
	}
}

// The bot starts a redeploy between the pass reading its operations and
// DigitalOcean answering the list: the new deployment is the bot's own and
// must not be reported as started elsewhere.
func TestDeploymentTheBotStartsDuringTheListingIsNotReported(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	started := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	if err := db.PutApp(ctx, dobot.App{Name: "web", Kind: deploy.KindApp, ResourceID: "app-1", CreatedAt: started.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetDeploymentMark(ctx, dobot.DeploymentMark{AppID: "app-1", DeploymentID: "old", CreatedAt: started.Add(-30 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	cloud := &apps{}
	for i, finished := range []bool{false, true} {
		id := fmt.Sprintf("ours-%d", i)
		cloud.active = &godo.Deployment{ID: id, CreatedAt: started.Add(time.Duration(i+1) * time.Minute)}
		cloud.listing = func() {
			op := dobot.Operation{Action: deploy.ActionRedeploy, App: "web", State: dobot.OpRunning, Sent: dobot.Sent{ResourceID: "app-1", DeploymentID: id}}
			if finished {
				op.State = dobot.OpSucceeded
			}
			if _, err := db.CreateOperation(ctx, op); err != nil {
				t.Error(err)
			}
			cloud.listing = nil
		}
		var got []string
		e := New(Deps{Store: db, Marks: db, Apps: cloud, Now: time.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Home:   func(context.Context, dobot.App) (string, string) { return "C1", "" },
			Follow: func(_ dobot.App, d *godo.Deployment, _, _ string) { got = append(got, d.ID) }})
		if err := e.pass(ctx, &daytwo.ElsewhereFinder{Apps: cloud}, started); err != nil {
			t.Fatal(err)
		}
		if len(got) != 0 {
			t.Errorf("operation finished=%v: reported %v as started elsewhere; want the bot's own left alone", finished, got)
		}
		// Finish what the first round left running, for the second.
		ops, _ := db.UnfinishedOperations(ctx)
		for _, op := range ops {
			op.State = dobot.OpSucceeded
			if err := db.UpdateOperation(ctx, op); err != nil {
				t.Fatal(err)
			}
		}
	}
}

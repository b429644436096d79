package deploy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"golang.org/x/oauth2"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/docloud"
	"dobot/internal/dotest"
	"dobot/internal/storetest"
	"dobot/internal/testclock"
	"dobot/ops"
	"dobot/progress"
	"dobot/store"
	"dobot/watch"
)

// recorder is a chat that records what it is asked to show.
type recorder struct {
	mu   sync.Mutex
	sent []string
	n    int
}

func (c *recorder) add(kind string, m chat.Message) chat.Ref {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	c.sent = append(c.sent, kind+" "+chat.Plain(m.Title+" "+m.Text+" "+m.Body))
	return chat.Ref{Channel: "C1", ID: fmt.Sprint(c.n)}
}

func (c *recorder) Post(_ context.Context, _ string, m chat.Message) (chat.Ref, error) {
	return c.add("post", m), nil
}
func (c *recorder) Reply(_ context.Context, _ chat.Ref, m chat.Message) (chat.Ref, error) {
	return c.add("reply", m), nil
}
func (c *recorder) Update(_ context.Context, _ chat.Ref, m chat.Message) error {
	c.add("update", m)
	return nil
}
func (c *recorder) Ephemeral(context.Context, string, string, chat.Message) error { return nil }
func (c *recorder) Respond(context.Context, string, chat.Message) error           { return nil }
func (c *recorder) Upload(context.Context, chat.Ref, string, string, string) error {
	return nil
}
func (c *recorder) UploadDirect(context.Context, string, string, string, string) error { return nil }
func (c *recorder) Permalink(context.Context, chat.Ref) (string, error)                { return "", nil }

func (c *recorder) all() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.sent, "\n")
}

// rig is an Executor over a real SQLite file and the DigitalOcean test
// server, without commands or a chat service.
type rig struct {
	x      *deploy.Executor
	db     *store.DB
	do     *dotest.Server
	client *godo.Client
	ops    *ops.Engine
	chat   *recorder
	log    *slog.Logger
}

// steppedClock is DigitalOcean's clock in a test: deployments move to
// their next phase only when the test steps it.
type steppedClock = testclock.Clock

// waitFor waits until cond holds, failing the test after a deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func newRig(t *testing.T) *rig {
	return newRigWith(t, dotest.Options{Token: "tok", PhaseDelay: 20 * time.Millisecond})
}

func newRigWith(t *testing.T, opts dotest.Options) *rig {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	db := storetest.Open(t)
	srv := dotest.New(t, opts)
	client, err := godo.New(oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok"})), godo.SetBaseURL(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	w := watch.New(client.Apps, nil, watch.Fixed(20*time.Millisecond))
	go w.Run(ctx)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	runner := &ops.Runner{Log: log}
	runner.Start(ctx)
	engine := &ops.Engine{Store: db, Now: time.Now, ApprovalTTL: time.Hour, Scrub: deploy.ScrubSecrets, Log: log}
	rec := &recorder{}
	x, err := deploy.New(deploy.Config{OpTimeout: time.Minute}, deploy.Deps{Store: db, Cloud: docloud.CloudOf(client), Chat: rec,
		Watcher: w, Ops: engine, Runner: runner, Log: log, Now: time.Now,
		Audit: func(ctx context.Context, e dobot.AuditEntry) error { _, err := db.AppendAudit(ctx, e); return err }})
	if err != nil {
		t.Fatal(err)
	}
	return &rig{x: x, db: db, do: srv, client: client, ops: engine, chat: rec, log: log}
}

func launchArgs(t *testing.T, name string) deploy.LaunchArgs {
	t.Helper()
	ref, err := dobot.ParseImageRef("nginx:1.27")
	if err != nil {
		t.Fatal(err)
	}
	return deploy.LaunchArgs{Name: name, Image: "nginx:1.27", Region: "nyc", Ref: ref, Port: 80}
}

// open stores a running launch operation of args, as a command would.
func (r *rig) open(t *testing.T, args deploy.LaunchArgs) dobot.Operation {
	t.Helper()
	raw, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	op, err := r.ops.Open(context.Background(), dobot.Operation{
		Action:    deploy.ActionLaunch,
		App:       args.Name,
		Args:      string(raw),
		Requester: "U0DEV",
		Card:      dobot.Card{Channel: "C1"},
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	return op
}

// A launch creates the app, records it with its id, follows its
// deployment through every phase on the card and in the thread, and is
// finished before its last word says it is live.
func TestLaunchFollowsItsDeploymentToLive(t *testing.T) {
	const phase = time.Minute
	clock := testclock.New(time.Now())
	r := newRigWith(t, dotest.Options{Token: "tok", PhaseDelay: phase, Clock: clock.Now})
	ctx := context.Background()
	op := r.open(t, launchArgs(t, "web"))
	rep := progress.New(r.chat, r.log, "C1", chat.Ref{}, "")
	if err := rep.Start(ctx, deploy.LaunchHead(op)); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		deploy.RunLaunch(ctx, r.x, op, rep)
	}()
	waitFor(t, "the app's id to be recorded", func() bool {
		got, err := r.db.Operation(ctx, op.ID)
		return err == nil && got.DeploymentID != ""
	})
	// Each step of DigitalOcean's clock moves the deployment one phase on;
	// the thread must tell each before the next.
	for _, next := range []string{"reply  🔨 Building", "reply  🚀 Deploying", "reply  ✅ web is live at https://"} {
		clock.Advance(phase)
		waitFor(t, next, func() bool { return strings.Contains(r.chat.all(), next) })
	}
	<-done

	got, err := r.db.Operation(ctx, op.ID)
	if err != nil || got.State != dobot.OpSucceeded || got.Step != dobot.StepSent || got.ResourceID == "" || got.DeploymentID == "" {
		t.Fatalf("operation = %+v, %v; want it succeeded with the app and deployment recorded", got, err)
	}
	app, err := r.db.App(ctx, "web")
	if err != nil || app.ResourceID != got.ResourceID || app.Owner != "U0DEV" || app.Kind != deploy.KindApp {
		t.Errorf("managed app = %+v, %v; want web owned by U0DEV with id %s", app, err, got.ResourceID)
	}
	if text := r.chat.all(); !strings.HasPrefix(text, "post 🚀 Launching web") || !strings.Contains(text, "update ✅ web is live") {
		t.Errorf("the card did not go from launching to live:\n%s", text)
	}
	if n := r.do.Count("POST /v2/apps"); n != 1 {
		t.Errorf("apps created = %d; want 1", n)
	}
}

// A launch cut off while its create may have been in flight finds the app
// it created (same name, created since, running its image) and follows it
// instead of creating a second one.
func TestResumedLaunchAdoptsItsOwnApp(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	args := launchArgs(t, "web")
	op := r.open(t, args)
	op.Step = dobot.StepSending
	if err := r.db.UpdateOperation(ctx, op); err != nil {
		t.Fatal(err)
	}
	op, err := r.db.Operation(ctx, op.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The create reached DigitalOcean; the bot stopped before recording it.
	created, _, err := r.client.Apps.Create(ctx, &godo.AppCreateRequest{Spec: args.AppSpec()})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.x.AdoptByName(ctx, &op, args); err != nil {
		t.Fatal(err)
	}
	if op.ResourceID != created.ID || op.Step != dobot.StepSent {
		t.Fatalf("after adopting, op = %+v; want app %s and step sent", op, created.ID)
	}
	rep := progress.New(r.chat, r.log, "C1", chat.Ref{Channel: "C1", ID: "9"}, "")
	deploy.RunLaunch(ctx, r.x, op, rep)
	if n := r.do.Count("POST /v2/apps"); n != 1 {
		t.Errorf("apps created = %d; want only the one sent before the restart", n)
	}
	if got, err := r.db.Operation(ctx, op.ID); err != nil || got.State != dobot.OpSucceeded {
		t.Errorf("resumed launch = %+v, %v; want it followed to the end", got, err)
	}
}

// An app with the launch's name that runs another image is someone
// else's: the resumed launch does not take it.
func TestResumedLaunchLeavesAnotherAppAlone(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	args := launchArgs(t, "web")
	op := r.open(t, args)
	other := launchArgs(t, "web")
	other.Ref, _ = dobot.ParseImageRef("httpd:2.4")
	if _, _, err := r.client.Apps.Create(ctx, &godo.AppCreateRequest{Spec: other.AppSpec()}); err != nil {
		t.Fatal(err)
	}
	if err := r.x.AdoptByName(ctx, &op, args); err != nil {
		t.Fatal(err)
	}
	if op.ResourceID != "" {
		t.Errorf("adopted %s, an app running another image", op.ResourceID)
	}
}

// A launch's stored arguments keep their JSON shape: rows written before
// Sizing and OnDroplet were grouped still decode.
func TestLaunchArgsKeepTheirStoredShape(t *testing.T) {
	old := `{"Name":"box","Image":"nginx","Region":"nyc","Size":"s-1vcpu-1gb","Instances":2,"MonthlyCents":600,"Env":null,"Ref":{},"Droplet":true,"DropletRegion":"nyc3","DropletImage":"docker-20-04"}`
	var a deploy.LaunchArgs
	if err := json.Unmarshal([]byte(old), &a); err != nil {
		t.Fatal(err)
	}
	if a.Size != "s-1vcpu-1gb" || a.Instances != 2 || a.MonthlyCents != 600 || !a.Droplet || a.DropletRegion != "nyc3" || a.DropletImage != "docker-20-04" {
		t.Errorf("decoded %+v; want every field of the old row", a)
	}
	raw, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"Size":`, `"MonthlyCents":`, `"Droplet":true`, `"DropletImage":`} {
		if !strings.Contains(string(raw), key) {
			t.Errorf("encoded %s; want the flat key %s", raw, key)
		}
	}
}

package plan_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"golang.org/x/oauth2"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/docloud"
	"dobot/imagecheck"
	"dobot/internal/dotest"
	"dobot/internal/storetest"
	"dobot/plan"
	"dobot/reply"
	"dobot/store"
)

// registry answers the pre-flight check with its function.
type registry struct {
	check func(imagecheck.Ref) (imagecheck.Image, error)
}

func (r registry) Check(_ context.Context, ref imagecheck.Ref) (imagecheck.Image, error) {
	return r.check(ref)
}
func (registry) RegistryCredentials(string) (imagecheck.Credential, bool) {
	return imagecheck.Credential{}, false
}

// plainSealer stores secret values as they are: sealing is the vault's
// test, not the planner's.
type plainSealer struct{}

func (plainSealer) SealLaunch(a deploy.LaunchArgs) deploy.LaunchArgs { return a }
func (plainSealer) SealSpec(s *godo.AppSpec) *godo.AppSpec           { return s }
func (plainSealer) PreviousDeployment(context.Context, *godo.App) (*godo.Deployment, error) {
	return nil, nil
}

const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

type rig struct {
	p  *plan.Planner
	db *store.DB
	do *dotest.Server
}

func newRig(t *testing.T, check func(imagecheck.Ref) (imagecheck.Image, error)) *rig {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t)
	srv := dotest.New(t, dotest.Options{Token: "tok"})
	client, err := godo.New(oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok"})), godo.SetBaseURL(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	p := plan.New(plan.Config{Region: "nyc3"}, plan.Deps{Store: db, Cloud: docloud.CloudOf(client), Images: registry{check: check},
		Seal: plainSealer{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now})
	return &rig{p: p, db: db, do: srv}
}

func exposes(ports ...int) func(imagecheck.Ref) (imagecheck.Image, error) {
	return func(imagecheck.Ref) (imagecheck.Image, error) {
		return imagecheck.Image{Digest: digest, Ports: ports}, nil
	}
}

func launch(t *testing.T, name, image string) deploy.LaunchArgs {
	t.Helper()
	ref, err := dobot.ParseImageRef(image)
	if err != nil {
		t.Fatal(err)
	}
	return deploy.LaunchArgs{Name: name, Image: image, Region: "nyc", Ref: ref}
}

// sent counts the requests that would change something on DigitalOcean.
func (r *rig) sent() int {
	n := 0
	for _, req := range r.do.Requests() {
		if !strings.HasPrefix(req.Route, "GET ") {
			n++
		}
	}
	return n
}

func TestLaunchPlanPinsTheImageAndPricesTheSize(t *testing.T) {
	r := newRig(t, exposes(80))
	p, err := r.p.Launch(context.Background(), launch(t, "web", "nginx:1.27"))
	if err != nil {
		t.Fatal(err)
	}
	args, err := decode(p.Op)
	if err != nil {
		t.Fatal(err)
	}
	if p.Op.Action != deploy.ActionLaunch || p.Op.App != "web" || args.Port != 80 || args.Check.Digest != digest || args.MonthlyCents <= 0 {
		t.Errorf("plan = %+v with %+v; want a launch of web on port 80, pinned and priced", p.Op, args)
	}
	if !strings.Contains(p.Summary, "launch web (nginx:1.27)") {
		t.Errorf("summary = %q", p.Summary)
	}
	if n := r.sent(); n != 0 {
		t.Errorf("planning sent %d changing requests to DigitalOcean; want none", n)
	}
}

func decode(op dobot.Operation) (deploy.LaunchArgs, error) {
	var a deploy.LaunchArgs
	return a, json.Unmarshal([]byte(op.Args), &a)
}

func TestLaunchPlanRefuses(t *testing.T) {
	private := func(ref imagecheck.Ref) (imagecheck.Image, error) {
		return imagecheck.Image{}, &imagecheck.DeniedError{Ref: ref}
	}
	arm := func(ref imagecheck.Ref) (imagecheck.Image, error) {
		return imagecheck.Image{}, &imagecheck.PlatformError{Ref: ref, Platforms: []string{"linux/arm64"}}
	}
	tests := []struct {
		name  string
		check func(imagecheck.Ref) (imagecheck.Image, error)
		args  func(t *testing.T) deploy.LaunchArgs
		want  string
	}{
		{"a taken name", exposes(80), func(t *testing.T) deploy.LaunchArgs { return launch(t, "taken", "nginx") }, "an app named taken already exists (launched by @U0OWN"},
		{"a private image", private, func(t *testing.T) deploy.LaunchArgs { return launch(t, "web", "acme/private:1") }, "is private"},
		{"an arm-only image", arm, func(t *testing.T) deploy.LaunchArgs { return launch(t, "web", "acme/arm") }, "no linux/amd64 image (it has linux/arm64)"},
		{"an unknown size", exposes(80), func(t *testing.T) deploy.LaunchArgs {
			a := launch(t, "web", "nginx")
			a.Size = "apps-s-huge"
			return a
		}, `App Platform has no instance size "apps-s-huge"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, tt.check)
			if err := r.db.PutApp(context.Background(), dobot.App{Name: "taken", Kind: deploy.KindApp, ResourceID: "x", Owner: "U0OWN", CreatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			_, err := r.p.Launch(context.Background(), tt.args(t))
			var ue *reply.UserError
			if !errors.As(err, &ue) || !strings.Contains(chat.Plain(ue.Msg), tt.want) {
				t.Errorf("Launch = %v; want a user error containing %q", err, tt.want)
			}
			if n := r.sent(); n != 0 {
				t.Errorf("a refused plan sent %d changing requests; want none", n)
			}
		})
	}
}

func TestTeardownPlanNeedsAnAppTheBotManages(t *testing.T) {
	r := newRig(t, exposes(80))
	_, err := r.p.Teardown(context.Background(), deploy.TeardownArgs{Name: "stranger"})
	var ue *reply.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Msg, "manages no app named stranger") {
		t.Errorf("Teardown of an unknown app = %v; want a refusal suggesting adopt", err)
	}
}

// A costly launch warns on its card even where no policy asks for approval
// above a cost (issue 13: "--instances 100 goes through with no warning").
func TestCostlyLaunchWarnsOnItsCard(t *testing.T) {
	r := newRig(t, exposes(80))
	costly := launch(t, "big", "nginx:1.27")
	costly.Size, costly.Instances = "apps-s-1vcpu-1gb", 100
	cheap := launch(t, "small", "nginx:1.27")
	for _, c := range []struct {
		args deploy.LaunchArgs
		warn bool
	}{{costly, true}, {cheap, false}} {
		p, err := r.p.Launch(context.Background(), c.args)
		if err != nil {
			t.Fatal(err)
		}
		args, err := decode(p.Op)
		if err != nil {
			t.Fatal(err)
		}
		warned := strings.Contains(strings.Join(args.Notes, "\n"), "This costs $1200.00/month")
		if warned != c.warn {
			t.Errorf("launch of %s ($%d/month): notes %q; want a cost warning: %v", c.args.Name, args.MonthlyCents/100, args.Notes, c.warn)
		}
	}
}

package launchargs

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chatview"
	"dobot/deploy"
	"dobot/docloud"
	"dobot/plan"
	"dobot/reply"
)

// fakeApps are the managed apps by name.
type fakeApps map[string]dobot.App

func (a fakeApps) App(_ context.Context, name string) (dobot.App, error) {
	if app, ok := a[name]; ok {
		return app, nil
	}
	return dobot.App{}, dobot.ErrNotFound
}

// fakePlanner answers the form's checks; a nil func passes.
type fakePlanner struct {
	sizes     []*godo.AppInstanceSize
	sizesErr  error
	being     map[string]bool
	preflight func(ctx context.Context, ref dobot.ImageRef) error
	launch    func(ctx context.Context, args deploy.LaunchArgs) error
}

var _ Planner = (*plan.Planner)(nil)

func (p *fakePlanner) AppSizes(context.Context) ([]*godo.AppInstanceSize, error) {
	return p.sizes, p.sizesErr
}

func (p *fakePlanner) BeingLaunched(_ context.Context, name string) error {
	if p.being[name] {
		return reply.Errorf("%s is still being launched", name)
	}
	return nil
}

func (p *fakePlanner) CheckDOCRRegistry(context.Context, dobot.ImageRef) error { return nil }

func (p *fakePlanner) Preflight(ctx context.Context, ref dobot.ImageRef, _ int) (docloud.Preflight, error) {
	if p.preflight != nil {
		return docloud.Preflight{}, p.preflight(ctx, ref)
	}
	return docloud.Preflight{}, nil
}

func (p *fakePlanner) Launch(ctx context.Context, args deploy.LaunchArgs) (*plan.Plan, error) {
	if p.launch != nil {
		return nil, p.launch(ctx, args)
	}
	return &plan.Plan{}, nil
}

func newForms(cfg Config, apps fakeApps, p *fakePlanner) *Forms {
	if cfg.MaxTTL == 0 {
		cfg.MaxTTL = 30 * dobot.Day
	}
	return New(cfg, Deps{Apps: apps, Planner: p})
}

// imageValues are a valid image launch form's values.
func imageValues(name string) map[string]string {
	return map[string]string{"name": name, "image": "nginx:1.27", "spec": "", "size": "", "region": "nyc", "instances": "", "port": "",
		"env": "", "secrets": "", "ttl": "", "reason": ""}
}

func TestLaunchFormPrefillsAndPricesSizes(t *testing.T) {
	p := &fakePlanner{sizes: []*godo.AppInstanceSize{
		{Slug: "apps-s-1vcpu-0.5gb", CPUs: "1", MemoryBytes: "536870912", USDPerMonth: "5.00"},
		{Slug: "basic-xxs", CPUs: "1", MemoryBytes: "536870912", USDPerMonth: "5.00", DeprecationIntent: true},
		{Slug: "apps-d-2vcpu-4gb", CPUs: "2", MemoryBytes: "4294967296", USDPerMonth: "78.50"},
	}}
	f := newForms(Config{DefaultApp: "demo", DefaultImage: "nginx", Region: "ams3"}, fakeApps{}, p)
	form := f.LaunchForm(context.Background(), Meta{Channel: "C1"})
	if form.ID != FormLaunch || DecodeMeta(form.Metadata) != (Meta{Channel: "C1"}) {
		t.Errorf("form %q with metadata %q; want launch carrying channel C1", form.ID, form.Metadata)
	}
	var ids []string
	byID := map[string]chatview.Field{}
	for _, fd := range form.Fields {
		ids = append(ids, fd.ID)
		byID[fd.ID] = fd
	}
	if want := []string{"name", "image", "spec", "size", "region", "instances", "port", "env", "secrets", "ttl", "reason"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("fields = %v; want %v", ids, want)
	}
	if byID["name"].Initial != "demo" || byID["image"].Initial != "nginx" || byID["region"].Initial != "ams" {
		t.Errorf("prefill = name %q image %q region %q; want demo, nginx, ams", byID["name"].Initial, byID["image"].Initial, byID["region"].Initial)
	}
	size := byID["size"]
	want := []chatview.Option{
		{Value: "apps-s-1vcpu-0.5gb", Label: "apps-s-1vcpu-0.5gb · 1 vCPU, 512 MB · $5.00/month"},
		{Value: "apps-d-2vcpu-4gb", Label: "apps-d-2vcpu-4gb · 2 vCPU, 4 GB · $78.50/month"},
	}
	if size.Kind != chatview.Select || !reflect.DeepEqual(size.Options, want) {
		t.Errorf("size field = %v %+v; want a select of the sizes not retired, priced", size.Kind, size.Options)
	}
	// Without the price list, a slug is typed.
	p.sizes, p.sizesErr = nil, errors.New("timeout")
	for _, fd := range f.LaunchForm(context.Background(), Meta{}).Fields {
		if fd.ID == "size" && (fd.Kind != chatview.Text || fd.Placeholder != "apps-s-1vcpu-1gb") {
			t.Errorf("size field without prices = %v %q; want text with a slug placeholder", fd.Kind, fd.Placeholder)
		}
	}
}

func TestSubmitShowsMistakesOnTheirFields(t *testing.T) {
	f := newForms(Config{Region: "nyc3", MaxTTL: 7 * dobot.Day}, fakeApps{}, &fakePlanner{})
	for _, c := range []struct {
		name, field, value, want string
	}{
		{"no name", "name", "", "Give the app a name, or paste an app spec"},
		{"flags in the name", "name", "web --instances 100", "bad app name"},
		{"no image", "image", "", "Give the image to run"},
		{"bad image", "image", "Nginx:", "bad image ref"},
		{"bad region", "region", "mars1", "unknown region"},
		{"too many instances", "instances", "300", "a whole number from 1 to 250"},
		{"port not a number", "port", "eighty", "a whole number from 1 to 65535"},
		{"bad ttl", "ttl", "soon", "Tear down after takes a duration"},
		{"ttl past the cap", "ttl", "8d", "BOT_MAX_TTL"},
		{"bad env line", "env", "MODE=prod\n1BAD=x", "each line takes KEY=VALUE"},
		{"bad secret pair", "secrets", "novalue", "each pair takes KEY=VALUE"},
		{"repeated key", "secrets", "MODE=x", "given twice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := imageValues("web")
			v["env"] = "MODE=prod"
			v[c.field] = c.value
			_, errs := f.Submit(context.Background(), v)
			if !strings.Contains(errs[c.field], c.want) {
				t.Errorf("Submit with %s=%q: errors = %v; want %q under %s", c.field, c.value, errs, c.want, c.field)
			}
		})
	}
}

func TestSubmitReadsTheValuesAsWords(t *testing.T) {
	f := newForms(Config{Region: "nyc3"}, fakeApps{}, &fakePlanner{})
	v := imageValues("web")
	v["env"] = "MODE=prod\n\nLEVEL=debug info"
	v["secrets"] = "DB_URL=postgres://u:pw-unit@db/x extra-word API_KEY=k1"
	v["reason"] = "demo --instances 100"
	v["ttl"] = "2h"
	v["size"] = "apps-s-1vcpu-1gb"
	v["port"] = "8080"
	l, errs := f.Submit(context.Background(), v)
	if len(errs) > 0 {
		t.Fatalf("valid form refused: %v", errs)
	}
	a := l.Args
	wantEnv := [][2]string{{"MODE", "prod"}, {"LEVEL", "debug info"}, {"DB_URL", "postgres://u:pw-unit@db/x extra-word"}, {"API_KEY", "k1"}}
	if a.Name != "web" || a.Image != "nginx:1.27" || a.Region != "nyc" || a.Size != "apps-s-1vcpu-1gb" || a.Port != 8080 || a.Instances != 0 ||
		a.TTL != 2*time.Hour || a.Reason != "demo --instances 100" || !reflect.DeepEqual(a.Env, wantEnv) || !reflect.DeepEqual(a.SecretKeys, []string{"DB_URL", "API_KEY"}) {
		t.Errorf("Submit args = %+v; want the form's values, the reason's words not read as flags", a)
	}
	if !strings.HasPrefix(l.Text, "launch web --image=nginx:1.27 ") || strings.Contains(l.Text, "pw-unit") || !strings.Contains(l.Text, "DB_URL="+dobot.Masked) {
		t.Errorf("Submit text = %q; want the typed command, name first, secrets masked", l.Text)
	}
}

func TestSubmitRefusesWhatCannotGoAhead(t *testing.T) {
	ctx := context.Background()
	p := &fakePlanner{being: map[string]bool{"busy": true}}
	f := newForms(Config{Region: "nyc3"}, fakeApps{"taken": {Name: "taken"}}, p)
	if _, errs := f.Submit(ctx, imageValues("taken")); !strings.Contains(errs["name"], "An app named taken already exists") {
		t.Errorf("taken name: errors = %v", errs)
	}
	if _, errs := f.Submit(ctx, imageValues("busy")); !strings.Contains(errs["name"], "still being launched") {
		t.Errorf("name being launched: errors = %v", errs)
	}
	p.preflight = func(context.Context, dobot.ImageRef) error { return reply.Errorf("nginx:1.27 was not found") }
	if _, errs := f.Submit(ctx, imageValues("web")); errs["image"] != "nginx:1.27 was not found" {
		t.Errorf("image refused: errors = %v; want the refusal under image", errs)
	}
	p.preflight = func(context.Context, dobot.ImageRef) error { return errors.New("registry unreachable") }
	if _, errs := f.Submit(ctx, imageValues("web")); len(errs) != 0 {
		t.Errorf("registry error: errors = %v; want none, the command's path checks again", errs)
	}
	// A registry slower than the budget is checked after the form closes.
	p.preflight = func(ctx context.Context, _ dobot.ImageRef) error {
		<-ctx.Done()
		return reply.Errorf("too late to say")
	}
	if _, errs := f.Submit(ctx, imageValues("web")); len(errs) != 0 {
		t.Errorf("slow registry: errors = %v; want none", errs)
	}
}

const testSpec = "name: shop\nservices:\n- name: web\n  image: {registry_type: DOCKER_HUB, repository: nginx}\n  envs:\n  - {key: DB_PASSWORD, value: pw-spec-unit}\n"

// specValues are a launch form's values with an app spec.
func specValues(name, spec string) map[string]string {
	v := imageValues(name)
	v["image"], v["spec"] = "", spec
	return v
}

func TestSubmitSpecShowsMistakesOnTheirFields(t *testing.T) {
	p := &fakePlanner{launch: func(_ context.Context, a deploy.LaunchArgs) error {
		if a.From.Spec.Services[0].Name == "refused" {
			return reply.Errorf("App Platform refused the spec")
		}
		return nil
	}}
	f := newForms(Config{Region: "nyc3"}, fakeApps{"taken": {}, "shop": {}}, p)
	for _, c := range []struct {
		name        string
		set         map[string]string
		field, want string
	}{
		{"image with a spec", map[string]string{"image": "nginx"}, "image", "Leave this empty with an app spec"},
		{"fields the spec sets", map[string]string{"size": "x", "port": "80", "secrets": "A=1"}, "spec", "clear Size, Port, Secret variables, or clear the spec"},
		{"too long", map[string]string{"spec": strings.Repeat("x", 3001)}, "spec", "The spec is 3001 characters long; the form takes 3000"},
		{"not a spec", map[string]string{"spec": "name: [shop"}, "spec", "neither JSON nor YAML"},
		{"bad name", map[string]string{"name": "Shop!"}, "name", "bad app name"},
		{"bad region", map[string]string{"region": "mars1"}, "region", "unknown region"},
		{"bad ttl", map[string]string{"ttl": "soon"}, "ttl", "Tear down after takes a duration"},
		{"spec's name taken", nil, "spec", "An app named shop already exists"},
		{"typed name taken", map[string]string{"name": "taken"}, "name", "An app named taken already exists"},
		{"propose refuses", map[string]string{"name": "other", "spec": strings.Replace(testSpec, "- name: web", "- name: refused", 1)}, "spec", "App Platform refused the spec"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := specValues("", testSpec)
			for k, x := range c.set {
				v[k] = x
			}
			_, errs := f.Submit(context.Background(), v)
			if !strings.Contains(errs[c.field], c.want) {
				t.Errorf("errors = %v; want %q under %s", errs, c.want, c.field)
			}
			for _, msg := range errs {
				if strings.Contains(msg, "pw-spec-unit") {
					t.Errorf("an error shows the spec's secret: %q", msg)
				}
			}
		})
	}
}

func TestSubmitSpecRunsAFreshCopy(t *testing.T) {
	p := &fakePlanner{launch: func(_ context.Context, a deploy.LaunchArgs) error {
		a.From.Spec.Services[0].Name = "planned" // planning fills the spec in
		return nil
	}}
	f := newForms(Config{Region: "nyc3"}, fakeApps{}, p)
	v := specValues("review-1", "```yaml\n"+testSpec+"```")
	v["reason"], v["ttl"] = "review --instances 9", "2h"
	l, errs := f.Submit(context.Background(), v)
	if len(errs) > 0 {
		t.Fatalf("valid spec form refused: %v", errs)
	}
	a := l.Args
	if a.Name != "review-1" || a.From.SpecName != "shop" || a.From.Spec.Services[0].Name != "web" || a.Reason != "review --instances 9" || a.TTL != 2*time.Hour {
		t.Errorf("Submit args = name %q, spec name %q, service %q, reason %q, ttl %s; want review-1 replacing shop, unplanned, the form's reason and ttl",
			a.Name, a.From.SpecName, a.From.Spec.Services[0].Name, a.Reason, a.TTL)
	}
	if !strings.HasPrefix(l.Text, "launch review-1 --spec --region=nyc ") || strings.Contains(l.Text, "pw-spec-unit") || !strings.Contains(l.Text, "value: "+dobot.Masked) {
		t.Errorf("Submit text = %q; want the typed command, name first, the spec's secret masked", l.Text)
	}
}

func TestSecretPairs(t *testing.T) {
	for in, want := range map[string][]string{
		"":                           nil,
		"A=1 B=2":                    {"A=1", "B=2"},
		"A=two words B=x":            {"A=two words", "B=x"},
		"URL=a=b 1X=y":               {"URL=a=b 1X=y"},
		"  A=1\n\tB=2  ":             {"A=1", "B=2"},
		"lead A=1":                   {"lead", "A=1"},
		"DB=postgres://u@h/x  K=v w": {"DB=postgres://u@h/x", "K=v w"},
	} {
		if got := secretPairs(in); !reflect.DeepEqual(got, want) {
			t.Errorf("secretPairs(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestReasonForms(t *testing.T) {
	meta := Meta{Channel: "C1", ResponseURL: "https://hooks.example/r", Card: "1.2", Target: "12"}
	d := DenyForm(12, "Request #12: deploy web.", meta)
	if d.ID != FormDeny || d.Title != "Deny request #12" || d.Intro != "Request #12: deploy web." || len(d.Fields) != 1 || d.Fields[0].ID != FieldReason || DecodeMeta(d.Metadata) != meta {
		t.Errorf("DenyForm = %+v; want deny #12 asking for a reason, carrying %+v", d, meta)
	}
	td := TeardownForm("web", "done", Meta{Target: "web"})
	if td.ID != FormTeardown || td.Title != "Tear down web" || td.Fields[0].ID != FieldReason || td.Fields[0].Initial != "done" || DecodeMeta(td.Metadata).Target != "web" {
		t.Errorf("TeardownForm = %+v; want teardown of web, reason prefilled", td)
	}
	if DecodeMeta("not json") != (Meta{}) {
		t.Error("DecodeMeta of a foreign form's metadata is not empty")
	}
}

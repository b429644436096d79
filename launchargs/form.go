package launchargs

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chatview"
	"dobot/deploy"
	"dobot/docloud"
	"dobot/plan"
	"dobot/sizeview"
)

// The forms the bot opens. A form's ID comes back with its submission.
const (
	FormLaunch   = "launch"
	FormDeny     = "deny"
	FormTeardown = "teardown"
)

// The launch form's fields, by ID; the reason forms have FieldReason only.
const (
	fieldName      = "name"
	fieldImage     = "image"
	fieldSize      = "size"
	fieldRegion    = "region"
	fieldInstances = "instances"
	fieldPort      = "port"
	fieldEnv       = "env"
	fieldSecrets   = "secrets"
	fieldTTL       = "ttl"
	FieldReason    = "reason"
	fieldSpec      = "spec"
)

// preflightBudget is how long a launch form's submission waits for the
// image check before it answers: the form must be answered within about
// two seconds, so a slower registry is checked after the form closes, on
// the command's usual path, which reports a missing image in the chat.
const preflightBudget = 1200 * time.Millisecond

// Meta is what a form carries from where it was opened to its
// submission: where to answer, and what it acts on. Never a secret.
type Meta struct {
	Channel     string `json:"c,omitempty"`
	ResponseURL string `json:"u,omitempty"`
	Card        string `json:"m,omitempty"` // the card whose button opened it
	Target      string `json:"t,omitempty"` // a request id or an app name
}

// maxReason is the longest reason the forms take.
const maxReason = 300

// Encode is m as a form's metadata.
func (m Meta) Encode() string {
	raw, _ := json.Marshal(m)
	return string(raw)
}

// DecodeMeta reads a form's metadata.
func DecodeMeta(s string) Meta {
	var m Meta
	_ = json.Unmarshal([]byte(s), &m) // a form of ours always has it; empty otherwise
	return m
}

// Sizes lists App Platform's instance sizes with their monthly prices.
type Sizes interface {
	AppSizes(ctx context.Context) ([]*godo.AppInstanceSize, error)
}

// Planner is what a launch form's submission checks before the form
// closes (plan.Planner): the sizes it offers, a name being launched, and
// the image's registry and pre-flight, or the spec DigitalOcean would
// refuse.
type Planner interface {
	Sizes
	BeingLaunched(ctx context.Context, name string) error
	CheckDOCRRegistry(ctx context.Context, ref dobot.ImageRef) error
	Preflight(ctx context.Context, ref dobot.ImageRef, port int) (docloud.Preflight, error)
	Launch(ctx context.Context, args deploy.LaunchArgs) (*plan.Plan, error)
}

// Apps finds a managed app by name (the store): a form refuses a name
// already taken.
type Apps interface {
	App(ctx context.Context, name string) (dobot.App, error)
}

// Deps are the launch form's collaborators.
type Deps struct {
	Apps     Apps
	Planner  Planner
	Requests Requests // nil: a Deny form names the request by id alone
	Log      *slog.Logger
}

// Forms builds the launch form and reads its submissions.
type Forms struct {
	cfg Config
	d   Deps
}

// New returns the launch form's service.
func New(cfg Config, d Deps) *Forms {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Forms{cfg: cfg, d: d}
}

// LaunchForm asks for everything `/do launch` takes but --droplet and
// --dry-run, prefilled with the settings' app name and image.
func (f *Forms) LaunchForm(ctx context.Context, meta Meta) chatview.Form {
	return f.launchForm(ctx, meta, Prefill{Name: f.cfg.DefaultApp, Image: f.cfg.DefaultImage, Region: f.cfg.Region})
}

// launchForm is the launch form prefilled with p.
func (f *Forms) launchForm(ctx context.Context, meta Meta, p Prefill) chatview.Form {
	region, _ := appRegion(p.Region)
	size := f.sizeField(ctx)
	size.Initial = p.Size
	return chatview.Form{
		ID: FormLaunch, Title: "Launch an app", Submit: "Launch", Metadata: meta.Encode(),
		Intro: "Runs a container image on App Platform, as `/do launch` does: the launch policy and any approval apply.",
		Fields: []chatview.Field{
			{ID: fieldName, Label: "App name", Kind: chatview.Text, Initial: p.Name, MaxLength: 32, Placeholder: "web", Optional: true,
				Hint: "2 to 32 lowercase letters, digits and dashes, starting with a letter. With an app spec, leave it empty to use the spec's name."},
			{ID: fieldImage, Label: "Image", Kind: chatview.Text, Initial: p.Image, MaxLength: 300, Placeholder: "ghcr.io/acme/web:1.2.3", Optional: true,
				Hint: "The container image to run. Leave it empty to launch from an app spec."},
			specField(),
			size,
			{ID: fieldRegion, Label: "Region", Kind: chatview.Select, Options: regionOptions(), Initial: region},
			{ID: fieldInstances, Label: "Instances", Kind: chatview.Number, Optional: true, Initial: p.Instances, Placeholder: "1"},
			{ID: fieldPort, Label: "Port", Kind: chatview.Number, Optional: true, Initial: p.Port, Hint: "Leave empty to use the port the image exposes."},
			{ID: fieldEnv, Label: "Environment variables", Kind: chatview.Multiline, Optional: true, Initial: p.Env, Placeholder: "MODE=prod",
				Hint: "KEY=VALUE, one a line. Keys that look secret (PASSWORD, TOKEN, KEY…) are sent as secrets."},
			{ID: fieldSecrets, Label: "Secret variables", Kind: chatview.Secret, Optional: true, Placeholder: "DB_URL=postgres://… API_KEY=…",
				Hint: "KEY=VALUE pairs separated by spaces. Never shown again, never stored by the bot."},
			{ID: fieldTTL, Label: "Tear down after", Kind: chatview.Text, Optional: true, MaxLength: 20, Initial: p.TTL, Placeholder: "4h, 2d",
				Hint: "Leave empty to keep the app until someone tears it down."},
			{ID: FieldReason, Label: "Reason", Kind: chatview.Text, Optional: true, MaxLength: maxReason, Placeholder: "demo for the design review", Initial: p.Reason},
		},
	}
}

// sizeField offers App Platform's sizes with their monthly price; when
// DigitalOcean does not answer, a slug is typed instead.
func (f *Forms) sizeField(ctx context.Context) chatview.Field {
	fd := chatview.Field{ID: fieldSize, Label: "Size", Optional: true, Hint: "Monthly price per instance. Leave empty for App Platform's default."}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	sizes, err := f.d.Planner.AppSizes(ctx)
	if err != nil || len(sizes) == 0 {
		f.d.Log.Warn("list sizes for the launch form", "err", err)
		fd.Kind, fd.Placeholder, fd.Hint = chatview.Text, "apps-s-1vcpu-1gb", "An instance size slug; `/do sizes` lists them with prices."
		return fd
	}
	fd.Kind = chatview.Select
	for _, s := range sizes {
		if s.DeprecationIntent || len(fd.Options) == 100 {
			continue
		}
		label := fmt.Sprintf("%s · %s vCPU, %s · %s/month", s.Slug, s.CPUs, sizeview.MemText(s.MemoryBytes), deploy.Money(docloud.Cents(s.USDPerMonth)))
		fd.Options = append(fd.Options, chatview.Option{Value: s.Slug, Label: label})
	}
	return fd
}

// regionOptions are the region families App Platform runs in.
func regionOptions() []chatview.Option {
	var out []chatview.Option
	for _, r := range dobot.AppRegions() {
		out = append(out, chatview.Option{Value: r, Label: r})
	}
	return out
}

// DenyForm asks why request id is denied; summary says what it asks for.
func DenyForm(id int64, summary string, meta Meta) chatview.Form {
	return chatview.Form{ID: FormDeny, Title: fmt.Sprintf("Deny request #%d", id), Submit: "Deny", Metadata: meta.Encode(),
		Intro: summary, Fields: []chatview.Field{{ID: FieldReason, Label: "Why?", Kind: chatview.Multiline,
			Optional: true, MaxLength: 500, Hint: "The requester sees this on the card."}}}
}

// TeardownForm asks why app is torn down, prefilled with reason.
func TeardownForm(app, reason string, meta Meta) chatview.Form {
	return chatview.Form{ID: FormTeardown, Title: "Tear down " + app, Submit: "Tear down", Metadata: meta.Encode(),
		Intro:  fmt.Sprintf("Deletes %s on DigitalOcean, as `/do teardown %s` does: the teardown policy and any approval apply.", app, app),
		Fields: []chatview.Field{{ID: FieldReason, Label: "Reason", Kind: chatview.Text, Optional: true, MaxLength: maxReason, Initial: reason}}}
}

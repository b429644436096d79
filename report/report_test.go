package report_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/chatview"
	"dobot/holds"
	"dobot/internal/storetest"
	"dobot/report"
	"dobot/store"
)

// planner has the apps DigitalOcean lists, by id; it fails the test when
// asked about an app the test did not expect it to be asked about.
type planner struct {
	t    *testing.T
	live map[string]*godo.App
}

func (p planner) ManagedApp(context.Context, string) (dobot.App, error) {
	p.t.Error("ManagedApp called: the answer should come from the records alone")
	return dobot.App{}, errors.New("unexpected")
}
func (p planner) GetApp(context.Context, dobot.App) (*godo.App, error) {
	p.t.Error("GetApp called")
	return nil, errors.New("unexpected")
}
func (p planner) ListApps(context.Context) (map[string]*godo.App, error) { return p.live, nil }
func (p planner) GoneFromDO(context.Context, dobot.App) (bool, error) {
	p.t.Error("GoneFromDO called for an App Platform app")
	return false, nil
}

// held reads fixed locks and freezes, worded by package holds.
type held struct{ h holds.Holds }

func (h held) Holds(context.Context) (holds.Holds, error) { return h.h, nil }
func (h held) Lines(_ context.Context, app string) string {
	if l, _ := h.h.On(app); l != nil {
		return holds.LockLine(*l)
	}
	return ""
}

// linker links every thread to one URL, or fails.
type linker struct{ url string }

func (l linker) Permalink(_ context.Context, ref chat.Ref) (string, error) {
	if l.url == "" {
		return "", errors.New("no permalink")
	}
	return l.url + "/" + ref.Channel + "/" + ref.ID, nil
}

// views records the home pages published.
type views struct {
	chatview.Views // forms: never opened here
	mu             sync.Mutex
	homes          map[string][]chatview.Home
}

func (v *views) PublishHome(_ context.Context, user string, h chatview.Home) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.homes[user] = append(v.homes[user], h)
}

var at = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

type board struct {
	*report.Board
	db    *store.DB
	views *views
}

func newBoard(t *testing.T, live map[string]*godo.App, h holds.Holds) board {
	t.Helper()
	db := storetest.Open(t)
	v := &views{homes: map[string][]chatview.Home{}}
	b := report.New(report.Deps{Store: db, Plan: planner{t: t, live: live},
		Holds:   held{h},
		Deploys: func(op dobot.Operation) bool { return op.Action != "launch" },
		Age:     func(d time.Duration) string { return d.Round(time.Hour).String() },
		Chat:    linker{url: "https://chat.example/archives"}, Views: v,
		Now: func() time.Time { return at }})
	return board{Board: b, db: db, views: v}
}

// request stores a launch of web by U0REQ in state, with args as JSON.
func (b board) request(t *testing.T, state dobot.OpState, args string) dobot.Operation {
	t.Helper()
	op, err := b.db.CreateOperation(context.Background(), dobot.Operation{Action: "launch", App: "web", State: state, Requester: "U0REQ",
		Args: args, Card: dobot.Card{Channel: "C1"}, Approval: dobot.Approval{ExpiresAt: at.Add(time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func TestStatusOfALaunchWaitingForApproval(t *testing.T) {
	b := newBoard(t, nil, holds.Holds{})
	op := b.request(t, dobot.OpAwaitingApproval, `{"Name":"web","Image":"nginx:1.27","Region":"nyc"}`)
	m, err := b.Status(context.Background(), "web")
	if err != nil {
		t.Fatal(err)
	}
	want := "web waits for approval to launch: request #1, waiting for approval until 2026-03-04 11:00 UTC."
	if op.ID != 1 || m.Text != want {
		t.Errorf("Status(web).Text = %q; want %q", m.Text, want)
	}
	fields := map[string]string{}
	for _, f := range m.Fields {
		fields[f.Label] = f.Value
	}
	if fields["Image"] != "nginx:1.27" || fields["Region"] != "nyc" || fields["Request"] != "#1, asked by "+chat.Mention("U0REQ") {
		t.Errorf("Status(web).Fields = %+v; want the image, region and request", m.Fields)
	}
	if !strings.Contains(m.Footer, "`/do cancel 1` stops it") {
		t.Errorf("Status(web).Footer = %q; want how to stop it", m.Footer)
	}
}

func TestStatusOfADropletBeingCreated(t *testing.T) {
	b := newBoard(t, nil, holds.Holds{})
	b.request(t, dobot.OpRunning, `{"Name":"web","Image":"nginx","Region":"nyc","Droplet":true,"DropletRegion":"nyc3"}`)
	m, err := b.Status(context.Background(), "web")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.Text, "web is being launched: operation #1, ") || strings.Contains(m.Text, "approval") {
		t.Errorf("Status(web).Text = %q; want a running launch", m.Text)
	}
	for _, f := range m.Fields {
		if f.Label == "Region" && f.Value != "nyc3" {
			t.Errorf("Region = %q; want the droplet's region nyc3", f.Value)
		}
	}
}

func TestListShowsAWaitingLaunchAndNoCost(t *testing.T) {
	b := newBoard(t, nil, holds.Holds{})
	b.request(t, dobot.OpAwaitingApproval, `{"Name":"web","Image":"nginx"}`)
	m, err := b.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := "*Being launched (1)*, not counted yet\n• *web* — request #1 by " + chat.Mention("U0REQ") +
		" — waiting for approval until 2026-03-04 11:00 UTC\n*Total: $0.00/month*"
	if m.Text != want {
		t.Errorf("List().Text =\n%q\nwant\n%q", m.Text, want)
	}
}

func TestListCountsOnlyWhatDigitalOceanStillHas(t *testing.T) {
	h := holds.Holds{Freezes: []dobot.Freeze{{Glob: "*", By: "U0ADM", Since: at.Add(-time.Hour), Until: at.Add(time.Hour)}},
		Locks: []dobot.AppHold{{App: "web", Holder: "U0ANA", Since: at.Add(-time.Minute), Reason: "incident"}, {App: "next", Holder: "U0ANA", Since: at}}}
	b := newBoard(t, map[string]*godo.App{"id-web": {ID: "id-web"}}, h)
	ctx := context.Background()
	for _, a := range []dobot.App{
		{Name: "web", Kind: "app", ResourceID: "id-web", Owner: "U0OWN", MonthlyCents: 500, CreatedAt: at.Add(-3 * time.Hour)},
		{Name: "old", Kind: "app", ResourceID: "id-old", Owner: "U0OWN", MonthlyCents: 700, CreatedAt: at.Add(-time.Hour)},
	} {
		if err := b.db.PutApp(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	m, err := b.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(m.Text, "\n")
	want := []string{
		"*2 managed by the bot*",
		holds.FreezeLine(h.Freezes[0]),
		"• *old* (app) — " + chat.Mention("U0OWN") + " — 1h0m0s old — " + chat.IconUnknown + " deleted outside the bot, not counted; `/do forget old` drops it",
		"• *web* (app) — " + chat.Mention("U0OWN") + " — 3h0m0s old — $5.00/month — " + chat.IconLock + " " + holds.LockedText(h.Locks[0]),
		holds.LockLine(h.Locks[1]) + " (not launched)",
		"*Total: $5.00/month*",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("List().Text =\n%s\nwant\n%s", m.Text, strings.Join(want, "\n"))
	}
}

func TestOpsButtonsFollowWhoLooks(t *testing.T) {
	b := newBoard(t, nil, holds.Holds{})
	b.request(t, dobot.OpAwaitingApproval, `{"Name":"web"}`)
	ctx := context.Background()
	for _, tc := range []struct {
		viewer string
		role   dobot.Role
		want   []string
	}{
		{"U0APP", dobot.RoleApprover, []string{"ops_approve#1 Approve #1", "ops_deny#1 Deny #1"}},
		{"U0REQ", dobot.RoleApprover, []string{"ops_cancel#1 Withdraw #1"}},
		{"U0ADM", dobot.RoleAdmin, []string{"ops_approve#1 Approve #1", "ops_deny#1 Deny #1", "ops_cancel#1 Withdraw #1"}},
		{"U0VIEW", dobot.RoleViewer, nil},
	} {
		m, err := b.Ops(ctx, tc.viewer, tc.role)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, bt := range m.Buttons {
			got = append(got, bt.ActionID+" "+bt.Label)
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("Ops(%s, %s) buttons = %q; want %q", tc.viewer, tc.role, got, tc.want)
		}
		if wantFooter := len(tc.want) == 0; wantFooter != (m.Footer != "") {
			t.Errorf("Ops(%s, %s).Footer = %q", tc.viewer, tc.role, m.Footer)
		}
		if !strings.HasPrefix(m.Text, "*Waiting for approval (1)*\n• *request #1*: ") {
			t.Errorf("Ops(%s).Text = %q", tc.viewer, m.Text)
		}
	}
}

func TestAnswersLinkTheLaunchThread(t *testing.T) {
	b := newBoard(t, nil, holds.Holds{})
	web := dobot.App{Name: "web", Channel: "C1", ThreadTS: "1.2"}
	m := b.WithThreadLink(context.Background(), web, chat.Message{Text: "hi", Footer: "Launched by someone"})
	if want := "Launched by someone · " + chat.Link("https://chat.example/archives/C1/1.2", "Launch thread"); m.Footer != want {
		t.Errorf("Footer = %q; want %q", m.Footer, want)
	}
	m = b.WithThreadLink(context.Background(), dobot.App{Name: "web"}, chat.Message{Text: "hi"})
	if m.Footer != "" {
		t.Errorf("Footer of an app without a thread = %q; want none", m.Footer)
	}
}

func TestHomeOpenedPublishesThePage(t *testing.T) {
	b := newBoard(t, nil, holds.Holds{})
	ctx := context.Background()
	if err := b.db.SetRole(ctx, "U0DEV", dobot.RoleDeployer, "U0ADM"); err != nil {
		t.Fatal(err)
	}
	b.HomeOpened(ctx, "U0DEV")
	b.HomeOpened(ctx, "U0NOBODY")
	if got, err := b.db.HomeViewers(ctx, time.Hour); err != nil || len(got) != 2 {
		t.Errorf("HomeViewers() = %q, %v; want both recorded", got, err)
	}
	b.views.mu.Lock()
	defer b.views.mu.Unlock()
	if len(b.views.homes["U0DEV"]) != 1 || len(b.views.homes["U0NOBODY"]) != 1 {
		t.Fatalf("published %d and %d pages; want one each", len(b.views.homes["U0DEV"]), len(b.views.homes["U0NOBODY"]))
	}
	titles := func(h chatview.Home) string {
		var out []string
		for _, s := range h.Sections {
			out = append(out, s.Title)
		}
		return strings.Join(out, ", ")
	}
	if got := titles(b.views.homes["U0NOBODY"][0]); got != "Welcome to dobot" {
		t.Errorf("page of someone without a role has %q; want the welcome alone", got)
	}
	if got := titles(b.views.homes["U0DEV"][0]); !strings.HasPrefix(got, "Your apps") {
		t.Errorf("deployer's page has %q; want their apps first", got)
	}
}

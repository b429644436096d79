package logview

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/reply"
)

type fakeApps struct{ app dobot.App }

func (f fakeApps) ManagedApp(_ context.Context, name string) (dobot.App, error) {
	if name != f.app.Name {
		return dobot.App{}, reply.Errorf("no app %s", name)
	}
	return f.app, nil
}

func (f fakeApps) GetApp(context.Context, dobot.App) (*godo.App, error) {
	return &godo.App{ID: "app-1"}, nil // no current deployment
}

type fakeDeployments []*godo.Deployment

func (f fakeDeployments) ListDeployments(context.Context, string, *godo.ListOptions) ([]*godo.Deployment, *godo.Response, error) {
	return f, nil, nil
}

type fakeLogs struct {
	text string
	got  string // deployment id asked for
}

func (f *fakeLogs) Fetch(_ context.Context, _ *godo.App, id string, _ godo.AppLogType, _ int) (string, error) {
	f.got = id
	return f.text, nil
}

type fakeChat struct {
	err   error
	sent  []string // user/filename
	texts []string
}

func (f *fakeChat) UploadDirect(_ context.Context, user, filename, _, content string) error {
	f.sent = append(f.sent, user+"/"+filename)
	f.texts = append(f.texts, content)
	return f.err
}

func newService(text string, chatErr error) (*Service, *fakeLogs, *fakeChat) {
	logs, ch := &fakeLogs{text: text}, &fakeChat{err: chatErr}
	return &Service{Apps: fakeApps{dobot.App{Name: "web", Kind: "app"}}, Deployments: fakeDeployments{{ID: "dep-9"}}, Logs: logs, Chat: ch}, logs, ch
}

func TestAnswerShapesByLength(t *testing.T) {
	ctx := context.Background()
	who := Asker{UserID: "U0ANA", Ref: "r1"}
	args := Args{Name: "web", Type: godo.AppLogTypeBuild, Lines: 100}

	// Short: a code block, and the newest deployment when none is current.
	s, logs, ch := newService("step 1\nstep <2>\n", nil)
	managed, m, err := s.Answer(ctx, who, args)
	if err != nil || managed.Name != "web" || logs.got != "dep-9" {
		t.Fatalf("Answer = %+v, %v (fetched %q); want web's dep-9", managed, err, logs.got)
	}
	if want := "*web build logs, last 100 lines (deployment dep-9)*\n```step 1\nstep <2>```"; m.Text != want || len(ch.sent) != 0 {
		t.Errorf("short log = %q (uploads %v); want %q", m.Text, ch.sent, want)
	}

	// Empty.
	s, _, _ = newService(" \n", nil)
	if _, m, _ = s.Answer(ctx, who, args); !strings.Contains(m.Text, "is empty: nothing has been written to it yet") {
		t.Errorf("empty log = %q", m.Text)
	}

	// Long: a snippet in a direct message, and a note.
	long := strings.Repeat("a line of the log that goes on\n", 200)
	s, _, ch = newService(long, nil)
	_, m, _ = s.Answer(ctx, who, args)
	if len(ch.sent) != 1 || ch.sent[0] != "U0ANA/web-build.log" || ch.texts[0] != long || !strings.Contains(m.Text, "they are in your direct messages") {
		t.Errorf("long log: uploads %v, answer %q", ch.sent, m.Text)
	}

	// Long, and no direct message: the end of the log, fitting.
	s, _, _ = newService(strings.Repeat("<&>", 3000)+"\nlast line\n", errors.New("no DMs"))
	_, m, _ = s.Answer(ctx, who, args)
	if !strings.Contains(m.Text, "the end only") || !strings.HasSuffix(m.Text, "last line\n```") || reply.RenderedLen(m.Text) > maxInline {
		t.Errorf("fallback = %q (%d rendered bytes); want the end within %d", m.Text, reply.RenderedLen(m.Text), maxInline)
	}

}

func TestAnswerRefuses(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newService("x", nil)
	s.Apps = fakeApps{dobot.App{Name: "box", Kind: "droplet"}}
	if _, _, err := s.Answer(ctx, Asker{}, Args{Name: "box"}); err == nil || !strings.Contains(err.Error(), "box is a droplet") {
		t.Errorf("droplet: %v", err)
	}
	s, _, _ = newService("x", nil)
	s.Deployments = fakeDeployments{}
	if _, _, err := s.Answer(ctx, Asker{}, Args{Name: "web"}); err == nil || !strings.Contains(err.Error(), "web has no deployment yet") {
		t.Errorf("no deployment: %v", err)
	}
}

func TestParse(t *testing.T) {
	got, err := Parse([]string{"web", "--type", "BUILD", "--lines", "300"})
	if want := (Args{Name: "web", Type: godo.AppLogTypeBuild, Lines: 300}); err != nil || got != want {
		t.Errorf("parse = %+v, %v; want %+v", got, err, want)
	}
	if got, _ := Parse([]string{"web"}); got.Type != godo.AppLogTypeRun || got.Lines != 100 {
		t.Errorf("defaults = %+v", got)
	}
	for _, in := range []string{"", "a b", "web --type boot", "web --lines 2001", "Bad_Name"} {
		var ue *reply.UserError
		if _, err := Parse(strings.Fields(in)); !errors.As(err, &ue) {
			t.Errorf("parse(%q) = %v; want a user error", in, err)
		}
	}
}

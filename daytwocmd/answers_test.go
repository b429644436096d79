package daytwocmd_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/daytwocmd"
	"dobot/reply"
)

var _ daytwocmd.DropletGetter = (godo.DropletsService)(nil)

// TestEnvAnswerNeverShowsValues: keys, types, scopes and where, in the
// spec's order, app-wide first; no value, plain or sealed.
func TestEnvAnswerNeverShowsValues(t *testing.T) {
	spec := &godo.AppSpec{
		Envs: []*godo.AppVariableDefinition{{Key: "MODE", Value: "plain-value-1"}},
		Services: []*godo.AppServiceSpec{{Name: "api", Envs: []*godo.AppVariableDefinition{
			{Key: "DB_PASSWORD", Value: "EV[1:sealed-secret]", Type: godo.AppVariableType_Secret, Scope: godo.AppVariableScope_RunTime},
			nil,
			{Key: "LOG_LEVEL", Value: "debug-value-2", Scope: godo.AppVariableScope_BuildTime},
		}}},
	}
	m := daytwocmd.EnvAnswer("web", spec)
	want := "• `MODE` — general, run and build time, app-wide\n" +
		"• `DB_PASSWORD` — secret, run time, api\n" +
		"• `LOG_LEVEL` — general, build time, api"
	if m.Title != "Variables of web" || m.Text != want || m.Footer != "Values are never shown." {
		t.Errorf("EnvAnswer = %+v; want the text\n%s", m, want)
	}
	all := m.Title + m.Text + m.Footer
	for _, v := range []string{"plain-value-1", "sealed-secret", "EV[", "debug-value-2"} {
		if strings.Contains(all, v) {
			t.Errorf("EnvAnswer shows %q: %q", v, all)
		}
	}
	if m := daytwocmd.EnvAnswer("web", &godo.AppSpec{}); m.Text != "web has no environment variables. `/do env set web KEY=VALUE` sets one." {
		t.Errorf("EnvAnswer(no variables) = %q", m.Text)
	}
}

func TestDomainsAnswer(t *testing.T) {
	if m := daytwocmd.DomainsAnswer("web", &godo.App{Spec: &godo.AppSpec{}}); m.Title != "Domains of web" ||
		m.Text != "web has no custom domains; `/do domains add web example.com` adds one." {
		t.Errorf("DomainsAnswer(none) = %+v", m)
	}
	app := &godo.App{DefaultIngress: "https://web-abc.ondigitalocean.app",
		Spec: &godo.AppSpec{Domains: []*godo.AppDomainSpec{{Domain: "example.com", Type: godo.AppDomainSpecType_Primary}, {Domain: "www.example.com"}}}}
	lines := strings.Split(daytwocmd.DomainsAnswer("web", app).Text, "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "• "+chat.IconPending+" example.com (primary) is pending") ||
		!strings.Contains(lines[1], "www.example.com is pending") {
		t.Errorf("DomainsAnswer = %q; want one pending line per domain, the primary first", lines)
	}
}

// droplets is a DropletGetter with a canned answer.
type droplets struct {
	got     int
	droplet *godo.Droplet
	err     error
}

func (d *droplets) Get(_ context.Context, id int) (*godo.Droplet, *godo.Response, error) {
	d.got = id
	return d.droplet, nil, d.err
}

func TestDropletStatus(t *testing.T) {
	ctx := context.Background()
	managed := dobot.App{Name: "build-box", Kind: "droplet", ResourceID: "42", Owner: "U1", Image: "nginx", Region: "nyc3",
		CreatedAt: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)}
	d := &droplets{droplet: &godo.Droplet{Status: "active", SizeSlug: "s-1vcpu-1gb",
		Networks: &godo.Networks{V4: []godo.NetworkV4{{IPAddress: "203.0.113.7", Type: "public"}}}}}
	m, err := daytwocmd.DropletStatus(ctx, d, managed)
	if err != nil || d.got != 42 {
		t.Fatalf("DropletStatus = %v (asked for %d); want droplet 42", err, d.got)
	}
	fields := map[string]string{}
	for _, f := range m.Fields {
		fields[f.Label] = f.Value
	}
	if m.Title != "Status of build-box" || m.Text != "build-box (droplet): active 203.0.113.7" || fields["Address"] != "http://203.0.113.7" ||
		fields["Size"] != "s-1vcpu-1gb" || fields["Droplet id"] != "`42`" || m.Footer != "Launched by "+chat.Mention("U1")+" on 2026-03-01 09:30 UTC" {
		t.Errorf("DropletStatus = %+v", m)
	}

	d.err = &godo.ErrorResponse{Response: &http.Response{StatusCode: http.StatusNotFound}, Message: "not found"}
	_, err = daytwocmd.DropletStatus(ctx, d, managed)
	var ue *reply.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Msg, "build-box was deleted outside the bot: DigitalOcean no longer has the droplet (id 42)") {
		t.Errorf("DropletStatus(deleted) = %v; want the gone refusal", err)
	}
	d.err = errors.New("connection reset")
	if _, err = daytwocmd.DropletStatus(ctx, d, managed); err == nil || errors.As(err, &ue) || !strings.Contains(err.Error(), "get droplet 42") {
		t.Errorf("DropletStatus(failing) = %v; want an internal error naming the droplet", err)
	}
}

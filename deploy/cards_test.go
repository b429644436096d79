package deploy_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
)

// links are the link tokens in s, as "label → url".
func links(s string) []string {
	var out []string
	for _, seg := range chat.Segments(s) {
		if seg.Kind == chat.Href {
			out = append(out, seg.Text+" → "+seg.Target)
		}
	}
	return out
}

func TestLaunchCardFollowsThePhase(t *testing.T) {
	op := dobot.Operation{ID: 7, Action: deploy.ActionLaunch, App: "web", Requester: "U0DEV", Sent: dobot.Sent{ResourceID: "app-1"}}
	args := deploy.LaunchArgs{Name: "web", Image: "nginx:1.27", Region: "nyc"}
	tests := []struct {
		st        deploy.LaunchState
		title     string
		wantLinks []string
	}{
		{deploy.LaunchState{Phase: "BUILDING"}, "🚀 Launching web", []string{"Control panel → https://cloud.digitalocean.com/apps/app-1"}},
		{deploy.LaunchState{Phase: "ACTIVE", URL: "https://web.example"}, "✅ web is live",
			[]string{"Open the app → https://web.example", "Control panel → https://cloud.digitalocean.com/apps/app-1"}},
		{deploy.LaunchState{Phase: "ERROR", Failure: "step `build` failed"}, "❌ web failed", []string{"Control panel → https://cloud.digitalocean.com/apps/app-1"}},
	}
	for _, tt := range tests {
		m := deploy.LaunchCard(op, args, tt.st)
		if m.Title != tt.title {
			t.Errorf("%s: title = %q; want %q", tt.st.Phase, m.Title, tt.title)
		}
		var got []string
		for _, f := range m.Fields {
			got = append(got, links(f.Value)...)
		}
		if strings.Join(got, ", ") != strings.Join(tt.wantLinks, ", ") {
			t.Errorf("%s: links = %q; want %q", tt.st.Phase, got, tt.wantLinks)
		}
		if !strings.Contains(chat.Plain(m.Footer), "Requested by @U0DEV") {
			t.Errorf("%s: footer = %q; want the requester mentioned", tt.st.Phase, chat.Plain(m.Footer))
		}
		if tt.st.Failure != "" && !strings.Contains(m.Body, tt.st.Failure) {
			t.Errorf("%s: body = %q; want the failure", tt.st.Phase, m.Body)
		}
	}
}

func TestDecisionLineNamesWhoDecided(t *testing.T) {
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	base := dobot.Operation{ID: 3, Requester: "U0REQ", Approval: dobot.Approval{DecidedAt: at}}
	denied := base
	denied.State, denied.Decider, denied.Error = dobot.OpCanceled, "U0APP", "not <!here> today"
	withdrawn := base
	withdrawn.State = dobot.OpCanceled
	approved := base
	approved.State, approved.Decider = dobot.OpRunning, "U0APP"
	for op, want := range map[*dobot.Operation]string{
		&denied:    "Denied by @U0APP at 2026-12-03 09:00 UTC — not <!here> today",
		&withdrawn: "Withdrawn by @U0REQ at 2026-12-03 09:00 UTC",
		&approved:  "Approved by @U0APP at 2026-12-03 09:00 UTC",
	} {
		if got := chat.Plain(deploy.DecisionLine(*op)); got != want {
			t.Errorf("DecisionLine(%s) = %q; want %q", op.State, got, want)
		}
	}
}

// Redeploy and rollback cards read as what they are from their first
// message on (issue 13: they said "Creating the app"), and a canceled one
// reads "canceled", never "failed".
func TestChangeCardsNameTheirOperation(t *testing.T) {
	for action, verb := range map[string]string{deploy.ActionRedeploy: "Redeploying web", deploy.ActionRollback: "Rolling back web"} {
		args, err := json.Marshal(deploy.ChangeArgs{Name: "web", From: "nginx:1.26"})
		if err != nil {
			t.Fatal(err)
		}
		op := dobot.Operation{ID: 8, Action: action, App: "web", Requester: "U0DEV", Args: string(args)}
		for _, m := range []chat.Message{deploy.ChangeHead(op), deploy.ChangeCard(op, deploy.ChangeArgs{Name: "web"}, deploy.LaunchState{Phase: "BUILDING"})} {
			all := m.Title + m.Text + m.Body
			for _, f := range m.Fields {
				all += f.Label + ": " + f.Value + "\n"
			}
			if !strings.Contains(m.Title, verb) || strings.Contains(all, "Creating the app") {
				t.Errorf("%s card = %q\n%s; want %q and no \"Creating the app\"", action, m.Title, all, verb)
			}
		}
		c := deploy.ChangeCard(op, deploy.ChangeArgs{Name: "web"}, deploy.LaunchState{Phase: "CANCELED", Failure: "the deployment was canceled"})
		if !strings.Contains(c.Title, "canceled") || strings.Contains(c.Title+c.Body, "failed") {
			t.Errorf("canceled %s card = %q / %q; want canceled, not failed", action, c.Title, c.Body)
		}
	}
}

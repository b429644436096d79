package commands_test

import (
	"context"
	"strings"
	"testing"

	"dobot"
)

// TestAuthorisationMatrix runs every command as every role: a command runs
// exactly when the caller's role reaches the command's role, and a refused
// command reaches neither DigitalOcean nor the channel.
func TestAuthorisationMatrix(t *testing.T) {
	cases := []struct {
		text string
		need dobot.Role
	}{
		{"help", dobot.RoleNone},
		{"help launch", dobot.RoleNone},
		{"status", dobot.RoleViewer},
		{"status web", dobot.RoleViewer},
		{"roles", dobot.RoleViewer},
		{"policy", dobot.RoleViewer},
		{"cancel 999", dobot.RoleViewer},
		{"launch fresh --image nginx", dobot.RoleDeployer},
		{"teardown web", dobot.RoleDeployer},
		{"approve 999", dobot.RoleApprover},
		{"deny 999 no", dobot.RoleApprover},
		{"audit --limit 5", dobot.RoleApprover},
		{"grant @UOTHER1 viewer", dobot.RoleAdmin},
		{"revoke @UOTHER2", dobot.RoleAdmin},
		{"policy launch --approval no", dobot.RoleAdmin},
		{"logs web", dobot.RoleViewer},
		{"sizes", dobot.RoleNone},
		{"redeploy web", dobot.RoleDeployer},
		{"rollback web", dobot.RoleDeployer},
		{"registry", dobot.RoleViewer},
		{"registry repos", dobot.RoleViewer},
		{"registry tags web", dobot.RoleViewer},
		{"registry create acme", dobot.RoleAdmin},
		{"registry delete", dobot.RoleAdmin},
		{"registry gc", dobot.RoleAdmin},
		{"extend web 1h", dobot.RoleDeployer},
		{"list", dobot.RoleViewer},
		{"adopt other-app", dobot.RoleAdmin},
		{"droplet", dobot.RoleNone}, // bad input: names no action
		{"droplet reboot web", dobot.RoleDeployer},
		{"droplet power-off web", dobot.RoleDeployer},
		{"droplet power-on web", dobot.RoleDeployer},
		{"ops", dobot.RoleViewer},
		{"history web", dobot.RoleViewer},
		{"forget web", dobot.RoleDeployer},
		{"lock web --reason x", dobot.RoleDeployer},
		{"unlock web", dobot.RoleDeployer},
		{"freeze 1h --reason x", dobot.RoleAdmin},
		{"unfreeze", dobot.RoleAdmin},
		{"watch web", dobot.RoleViewer},
		{"watch web C0123ABCD", dobot.RoleDeployer},
		{"scale web --instances 2", dobot.RoleDeployer},
		{"restart web", dobot.RoleDeployer},
		{"env web", dobot.RoleViewer},
		{"env set web MODE=x", dobot.RoleDeployer},
		{"env unset web MODE", dobot.RoleDeployer},
		{"domains web", dobot.RoleViewer},
		{"domains add web example.com", dobot.RoleDeployer},
		{"domains remove web example.com", dobot.RoleDeployer},
	}
	// Every command in the table appears in the matrix.
	h := newHarness(t)
	seen := map[string]bool{}
	for _, c := range cases {
		words := strings.Fields(c.text)
		seen[words[0]] = true
		if len(words) > 1 {
			seen[words[0]+" "+words[1]] = true
		}
	}
	for _, cmd := range h.bot.Table().All() {
		if !seen[cmd.Name] {
			t.Errorf("command %q is missing from the authorisation matrix", cmd.Name)
		}
	}

	roles := []dobot.Role{dobot.RoleNone, dobot.RoleViewer, dobot.RoleDeployer, dobot.RoleApprover, dobot.RoleAdmin}
	for _, c := range cases {
		for _, role := range roles {
			t.Run(c.text+"/"+role.String(), func(t *testing.T) {
				h := newHarness(t)
				ctx := context.Background()
				if err := h.db.PutApp(ctx, dobot.App{Name: "web", Kind: "app", ResourceID: "00000000-0000-4000-8000-000000000000", Owner: "UOWNER"}); err != nil {
					t.Fatal(err)
				}
				h.grant(t, "UOTHER2", dobot.RoleViewer)
				h.grant(t, "UADMIN0", dobot.RoleAdmin)
				const user = "UCALLER1"
				if role != dobot.RoleNone {
					h.grant(t, user, role)
				}
				answer := h.run(user, c.text)
				refused := strings.Contains(answer, "needs the "+c.need.String()+" role")
				if want := role < c.need; refused != want {
					t.Fatalf("%s as %s: refused = %v; want %v (answer %q)", c.text, role, refused, want, answer)
				}
				if !refused {
					return
				}
				if reqs := h.do.Requests(); len(reqs) != 0 {
					t.Errorf("refused %q reached DigitalOcean: %+v", c.text, reqs)
				}
				for _, s := range h.chat.sent {
					if s.Kind != "ephemeral" {
						t.Errorf("refused %q sent a %s: %q", c.text, s.Kind, s.Msg.Text)
					}
				}
				if !strings.Contains(answer, "<@UADMIN0>") {
					t.Errorf("refusal %q does not name the admins", answer)
				}
				rows, err := h.db.Audit(ctx, dobot.AuditFilter{UserID: user})
				if err != nil || len(rows) != 1 || rows[0].Decision != "refused" {
					t.Errorf("audit after refusal = %+v, %v; want one refused row", rows, err)
				}
			})
		}
	}
}

// TestRefusedAndBadCommandsNeverReachDigitalOcean sends every mutating
// command in forms that must be refused or rejected, and checks that
// DigitalOcean saw nothing.
func TestRefusedAndBadCommandsNeverReachDigitalOcean(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UVIEW", dobot.RoleViewer)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	for _, c := range []struct{ user, text string }{
		{"UNOBODY", "launch web --image nginx"},
		{"UVIEW", "launch web --image nginx"},
		{"UVIEW", "teardown web"},
		{"UDEP", "launch web --image Bad:Ref"},
		{"UDEP", "launch -web --image nginx"},
		{"UDEP", "launch web --image nginx --instances 0"},
		{"UDEP", "launch web --image 'nginx"},
		{"UDEP", "teardown ghost"},
		{"UDEP", "approve 1"},
		{"UDEP", "frobnicate"},
	} {
		if answer := h.run(c.user, c.text); answer == "" {
			t.Errorf("%s as %s got no answer", c.text, c.user)
		}
	}
	if reqs := h.do.Requests(); len(reqs) != 0 {
		t.Errorf("refused or bad commands reached DigitalOcean: %+v", reqs)
	}
}

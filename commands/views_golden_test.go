package commands_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"dobot"
	"dobot/chatview"
	"dobot/commands"
	"dobot/internal/golden"
	"dobot/slackbot"
)

// TestViewsGolden holds the Block Kit JSON of the bot's forms and home
// pages in testdata/views. Regenerate with
// `go test ./commands -run TestViewsGolden -update`.
func TestViewsGolden(t *testing.T) {
	h, views := newViewsHarness(t, commands.Config{DefaultImage: "ghcr.io/acme/web:1.2.3"})
	h.grant(t, "U0ANA", dobot.RoleAdmin)
	h.grant(t, "U0DEV", dobot.RoleDeployer)
	h.grant(t, "U0RAJ", dobot.RoleApprover)
	ctx := context.Background()
	at := time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
	apps := []dobot.App{
		{Name: "web", Kind: "app", Owner: "U0DEV", CreatedAt: at.Add(-48 * time.Hour), MonthlyCents: 2400, Expiry: dobot.Expiry{ExpiresAt: at.Add(4 * time.Hour)}},
		{Name: "api", Kind: "app", Owner: "U0DEV", CreatedAt: time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC), MonthlyCents: 500},
		{Name: "box", Kind: "droplet", Owner: "U0RAJ", CreatedAt: at.Add(-24 * time.Hour), MonthlyCents: 600},
	}
	ops := []dobot.Operation{
		{ID: 12, Action: "teardown", App: "api", State: dobot.OpAwaitingApproval, Requester: "U0DEV", Reason: "done <testing>", Approval: dobot.Approval{ExpiresAt: at.Add(time.Hour)}, Stamps: dobot.Stamps{CreatedAt: at}},
		{ID: 13, Action: "redeploy", App: "web", State: dobot.OpRunning, Requester: "U0DEV", Stamps: dobot.Stamps{CreatedAt: at.Add(-2 * time.Minute)}},
	}
	denyClick := commands.Click{Ref: "c", UserID: "U0RAJ", ChannelID: "C1", MessageTS: "1.2", ActionID: "deny", Value: "12", TriggerID: "T"}
	h.bot.HandleClick(ctx, denyClick)
	forms := map[string]chatview.Form{
		"form-launch": h.bot.LaunchFormForTest(ctx),
		"form-deny":   views.lastForm(t),
	}
	homes := map[string]chatview.Home{
		"home-no-role":  h.bot.NoRoleHomeForTest(ctx),
		"home-deployer": h.bot.HomeForTest(ctx, "U0DEV", dobot.RoleDeployer, apps, ops, at),
		"home-approver": h.bot.HomeForTest(ctx, "U0RAJ", dobot.RoleApprover, apps, ops, at),
	}
	for name, f := range forms {
		view, err := slackbot.FormView(f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkGolden(t, name, view)
	}
	for name, home := range homes {
		checkGolden(t, name, slackbot.HomeView(home))
	}
}

func checkGolden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden.Check(t, filepath.Join("testdata", "views", name+".json"), name, got, *update)
}

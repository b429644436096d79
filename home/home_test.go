package home_test

import (
	"strings"
	"testing"
	"time"

	"dobot"
	"dobot/chatview"
	"dobot/home"
)

func TestMonthSpend(t *testing.T) {
	now := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC) // half of November
	tests := []struct {
		name string
		app  dobot.App
		want int64
	}{
		{"running all month", dobot.App{MonthlyCents: 3000, CreatedAt: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)}, 1500},
		{"launched a day ago", dobot.App{MonthlyCents: 3000, CreatedAt: now.Add(-24 * time.Hour)}, 100},
		{"not priced", dobot.App{CreatedAt: now.Add(-time.Hour)}, 0},
		{"launched later (clock skew)", dobot.App{MonthlyCents: 3000, CreatedAt: now.Add(time.Hour)}, 0},
	}
	for _, tt := range tests {
		if got := home.MonthSpend(tt.app, now); got != tt.want {
			t.Errorf("%s: MonthSpend = %d; want %d", tt.name, got, tt.want)
		}
	}
	end := time.Date(2026, 11, 30, 23, 59, 59, 0, time.UTC)
	if got := home.MonthSpend(dobot.App{MonthlyCents: 3000, CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}, end); got > 3000 || got < 2999 {
		t.Errorf("MonthSpend at the month's end = %d; want at most the monthly price", got)
	}
}

func text(h chatview.Home) string {
	var sb strings.Builder
	for _, s := range h.Sections {
		sb.WriteString(s.Title + "\n" + s.Text + "\n")
		for _, l := range s.Lines {
			sb.WriteString(l.Text + "\n")
			for _, b := range l.Buttons {
				sb.WriteString("[" + b.ActionID + " " + b.Value + "]\n")
			}
		}
		for _, b := range s.Buttons {
			sb.WriteString("[" + b.ActionID + "]\n")
		}
	}
	return sb.String()
}

func TestPageByRole(t *testing.T) {
	now := time.Date(2026, 11, 16, 12, 0, 0, 0, time.UTC)
	apps := []dobot.App{{Name: "web", Owner: "UDEV", MonthlyCents: 1200, CreatedAt: now.Add(-time.Hour), Expiry: dobot.Expiry{ExpiresAt: now.Add(90 * time.Minute)}},
		{Name: "other", Owner: "UANA", MonthlyCents: 500, CreatedAt: now.Add(-time.Hour)}}
	ops := []dobot.Operation{{ID: 4, Action: "teardown", App: "other", State: dobot.OpAwaitingApproval, Requester: "UANA", Reason: "<!channel>", Approval: dobot.Approval{ExpiresAt: now.Add(time.Hour)}},
		{ID: 5, Action: "launch", App: "api", State: dobot.OpRunning, Requester: "UDEV", Stamps: dobot.Stamps{CreatedAt: now}}}
	url := func(a dobot.App) string { return "https://" + a.Name + ".example" }
	escape := func(s string) string { return strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(s) }

	dev := text(home.Page(home.Input{User: "UDEV", Role: dobot.RoleDeployer, CanLaunch: true, Apps: apps, Unfinished: ops, Now: now, URL: url, Escape: escape}))
	for _, want := range []string{"*web*", "https://web.example", "$12.00/month", "(in 1h30m)", "[home_launch]", "#5 launch api", "Total:"} {
		if !strings.Contains(dev, want) {
			t.Errorf("deployer's page lacks %q:\n%s", want, dev)
		}
	}
	if strings.Contains(dev, "*other*") || strings.Contains(dev, "[approve") {
		t.Errorf("deployer's page shows someone else's app or a decision:\n%s", dev)
	}
	raj := text(home.Page(home.Input{User: "URAJ", Role: dobot.RoleApprover, Apps: apps, Unfinished: ops, Now: now, Escape: escape}))
	for _, want := range []string{"[approve 4]", "[deny 4]", "Reason: &lt;!channel&gt;", "You have no apps running."} {
		if !strings.Contains(raj, want) {
			t.Errorf("approver's page lacks %q:\n%s", want, raj)
		}
	}
	// The requester sees their own request waiting, without buttons.
	ana := text(home.Page(home.Input{User: "UANA", Role: dobot.RoleAdmin, Apps: apps, Unfinished: ops, Now: now}))
	if !strings.Contains(ana, "Your request #4") || strings.Contains(ana, "[approve 4]") {
		t.Errorf("requester's page:\n%s", ana)
	}
	none := text(home.NoRole([]string{"UANA"}))
	if !strings.Contains(none, "no role") || strings.Contains(none, "[home_launch]") {
		t.Errorf("no-role page:\n%s", none)
	}
}

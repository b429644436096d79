package auditview_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"dobot"
	"dobot/auditview"
	"dobot/chat"
	"dobot/reply"
)

func TestParseSinceTakesDays(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"7d", now.Add(-7 * 24 * time.Hour), true},
		{"1d12h", now.Add(-36 * time.Hour), true},
		{"90m", now.Add(-90 * time.Minute), true},
		{"0d", time.Time{}, false},
		{"-3h", time.Time{}, false},
		{"soon", time.Time{}, false},
		{"36501d", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := auditview.ParseSince(tt.in, now)
		if (err == nil) != tt.ok || tt.ok && !got.Equal(tt.want) {
			t.Errorf("parse(%q) = %v, %v; want %v (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want auditview.Args
	}{
		{"", auditview.Args{Filter: dobot.AuditFilter{Limit: 20}}},
		{"--user @U0ANA --app web --action approval.decision --since 7d --limit 50",
			auditview.Args{Filter: dobot.AuditFilter{UserID: "U0ANA", Target: "web", Action: "approval.decision", Limit: 50}, Since: "7d"}},
	}
	for _, tt := range tests {
		got, err := auditview.Parse(strings.Fields(tt.in))
		if err != nil || got != tt.want {
			t.Errorf("parse(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
	bad := map[string]string{
		"web":              "audit takes only flags",
		"--user ana":       "is not a Slack user",
		"--app Web_1":      "",
		"--action DROP;":   "bad --action",
		"--since tomorrow": "use a duration like 24h",
		"--limit 201":      "",
		"--limit 0":        "",
	}
	for in, want := range bad {
		_, err := auditview.Parse(strings.Fields(in))
		var ue *reply.UserError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), want) {
			t.Errorf("parse(%q) = %v; want a user error containing %q", in, err, want)
		}
	}
}

// fakeStore answers Audit from rows, newest first, honouring the limit.
type fakeStore struct {
	rows []dobot.AuditEntry
	got  dobot.AuditFilter
}

func (s *fakeStore) Audit(_ context.Context, f dobot.AuditFilter) ([]dobot.AuditEntry, error) {
	s.got = f
	return s.rows[:min(f.Limit, len(s.rows))], nil
}

func rows(n int) []dobot.AuditEntry {
	out := make([]dobot.AuditEntry, n)
	for i := range out {
		out[i] = dobot.AuditEntry{ID: int64(n - i), Time: time.Date(2026, 12, 3, 12, 0, i, 0, time.UTC), UserID: "U0ANA", Action: "launch", Target: fmt.Sprintf("app%d", i)}
	}
	return out
}

func TestPagesSplitsAndSaysWhenMoreMatch(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	st := &fakeStore{rows: rows(100)}
	pages, err := auditview.Pages(context.Background(), st, auditview.Args{Filter: dobot.AuditFilter{Limit: 50}, Since: "24h"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if st.got.Limit != 51 || !st.got.Since.Equal(now.Add(-24*time.Hour)) {
		t.Errorf("store asked for %+v; want limit 51 since %v", st.got, now.Add(-24*time.Hour))
	}
	if len(pages) != 2 {
		t.Fatalf("got %d pages; want 2", len(pages))
	}
	if !strings.HasPrefix(pages[0].Text, "*Audit, newest first* (rows 1–40, page 1 of 2)\n") || strings.Contains(pages[0].Text, "More rows match") {
		t.Errorf("page 1 = %q", pages[0].Text)
	}
	if !strings.HasPrefix(pages[1].Text, "*Audit, newest first* (rows 41–50, page 2 of 2)\n") || !strings.Contains(pages[1].Text, "More rows match: raise --limit (up to 200)") {
		t.Errorf("page 2 = %q", pages[1].Text)
	}
	if n := strings.Count(pages[0].Text+pages[1].Text, "\n`2026-12-03"); n != 50 {
		t.Errorf("pages hold %d rows; want 50", n)
	}

	st = &fakeStore{rows: rows(3)}
	pages, _ = auditview.Pages(context.Background(), st, auditview.Args{Filter: dobot.AuditFilter{Limit: 20}}, now)
	if len(pages) != 1 || !strings.HasPrefix(pages[0].Text, "*Audit, newest first* (rows 1–3)\n") || strings.Contains(pages[0].Text, "More") {
		t.Errorf("3 rows = %+v", pages)
	}
	st = &fakeStore{}
	pages, _ = auditview.Pages(context.Background(), st, auditview.Args{Filter: dobot.AuditFilter{Limit: 20}}, now)
	if len(pages) != 1 || pages[0].Text != "No audit rows match." {
		t.Errorf("no rows = %+v", pages)
	}
}

func TestLines(t *testing.T) {
	at := time.Date(2026, 12, 3, 9, 5, 1, 0, time.FixedZone("X", 3600))
	row := dobot.AuditEntry{ID: 1234, Hash: "3f9a1c2b9999", Time: at, UserID: "U0ANA", Action: "teardown", Target: "web",
		Decision: "approved", Outcome: "ok", Details: "by @U0RAJ", Error: strings.Repeat("x", 300)}
	want := "`2026-12-03 08:05:01` " + chat.Mention("U0ANA") + " teardown *web* · approved · ok · by @U0RAJ · _" + strings.Repeat("x", 199) + "…_"
	if got := auditview.Line(row); got != want {
		t.Errorf("Line = %q; want %q", got, want)
	}
	if got := auditview.ChannelLine(row); got != "`#1234 · 3f9a1c2b` "+want {
		t.Errorf("ChannelLine = %q", got)
	}
	refused := dobot.AuditEntry{ID: 7, Time: at, UserID: "U0EVE", Action: "launch", Target: "web", Decision: "refused", Outcome: "not permitted",
		CommandText: "launch web <!channel>", Error: "secret stuff"}
	if got, want := auditview.MirrorLine(refused), "`2026-12-03 08:05:01` "+chat.Mention("U0EVE")+" tried `launch` on *web* (refused: not permitted)"; got != want {
		t.Errorf("MirrorLine(refused) = %q; want %q", got, want)
	}
	refused.Action, refused.Target, refused.Outcome = "<!here>", "not an app!", "Anything A Person Typed"
	if got, want := auditview.MirrorLine(refused), "`2026-12-03 08:05:01` "+chat.Mention("U0EVE")+" tried `a command` (refused)"; got != want {
		t.Errorf("MirrorLine(odd refused) = %q; want %q", got, want)
	}
}

func TestWorthMirroring(t *testing.T) {
	tests := []struct {
		e    dobot.AuditEntry
		want bool
	}{
		{dobot.AuditEntry{Action: "launch", Outcome: "started"}, false},
		{dobot.AuditEntry{Action: "launch", Outcome: "ok"}, true},
		{dobot.AuditEntry{Action: "status", Outcome: "ok"}, false},
		{dobot.AuditEntry{Action: "status", Decision: "pending"}, true},
		{dobot.AuditEntry{Action: "do.redeploy"}, true},
		{dobot.AuditEntry{Action: "approval.decision"}, true},
		{dobot.AuditEntry{Action: "policy set"}, true},
		{dobot.AuditEntry{Action: "break-glass"}, true},
		{dobot.AuditEntry{Action: "audit"}, false},
	}
	for _, tt := range tests {
		if got := auditview.WorthMirroring(tt.e); got != tt.want {
			t.Errorf("WorthMirroring(%+v) = %v; want %v", tt.e, got, tt.want)
		}
	}
}

package auditview_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"dobot"
	"dobot/auditview"
)

type allRows []dobot.AuditEntry

func (r allRows) AuditAll(_ context.Context, since time.Time, fn func(dobot.AuditEntry) error) error {
	for _, e := range r {
		if !e.Time.Before(since) {
			if err := fn(e); err != nil {
				return err
			}
		}
	}
	return nil
}

func TestExport(t *testing.T) {
	at := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	src := allRows{
		{ID: 1, Time: at.Add(-48 * time.Hour), UserID: "U0OLD", Action: "grant"},
		{ID: 2, Time: at, UserID: "U0ANA", CommandText: "=HYPERLINK(\"x\")", Action: "launch", Target: "web", Hash: "ab"},
	}
	var out strings.Builder
	if err := auditview.Export(context.Background(), src, "csv", at.Add(-time.Hour), &out); err != nil {
		t.Fatal(err)
	}
	want := "id,time,user_id,user_name,channel,command,action,target,decision,outcome,error,details,prev_hash,hash,instance\n" +
		"2,2026-12-03T12:00:00Z,U0ANA,,,\"'=HYPERLINK(\"\"x\"\")\",launch,web,,,,,,ab,\n"
	if out.String() != want {
		t.Errorf("csv = %q; want %q", out.String(), want)
	}

	out.Reset()
	if err := auditview.Export(context.Background(), src, "json", time.Time{}, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], `"command":"=HYPERLINK(\"x\")"`) || !strings.Contains(lines[0], `"user_id":"U0OLD"`) {
		t.Errorf("json = %q", out.String())
	}

	err := auditview.Export(context.Background(), src, "xml", time.Time{}, &out)
	var ferr *auditview.FormatError
	if !errors.As(err, &ferr) || err.Error() != `audit export: --format must be csv or json, not "xml"` {
		t.Errorf("xml: %v; want a FormatError", err)
	}
}

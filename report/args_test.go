package report_test

import (
	"errors"
	"strings"
	"testing"

	"dobot/reply"
	"dobot/report"
)

func TestParseStatusAndHistory(t *testing.T) {
	tests := []struct {
		parse   func([]string) (report.AppArgs, error)
		in      string
		want    string
		wantErr string
	}{
		{report.ParseStatus, "", "", ""},
		{report.ParseStatus, "web", "web", ""},
		{report.ParseStatus, "web api", "", "at most one app name"},
		{report.ParseStatus, "Web!", "", "app name"},
		{report.ParseHistory, "web", "web", ""},
		{report.ParseHistory, "", "", "one app name"},
		{report.ParseHistory, "web api", "", "one app name"},
		{report.ParseHistory, "-web", "", "app name"},
	}
	for _, tt := range tests {
		got, err := tt.parse(strings.Fields(tt.in))
		if tt.wantErr == "" {
			if err != nil || got.Name != tt.want || got.Target() != tt.want {
				t.Errorf("parse(%q) = %+v, %v; want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		var ue *reply.UserError
		if !errors.As(err, &ue) || !strings.Contains(ue.Msg, tt.wantErr) {
			t.Errorf("parse(%q) error = %v; want a user error containing %q", tt.in, err, tt.wantErr)
		}
	}
}

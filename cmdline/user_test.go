package cmdline

import (
	"errors"
	"testing"

	"dobot"
	"dobot/reply"
)

func TestParseUser(t *testing.T) {
	tests := []struct{ in, want string }{
		{"U123ABC", "U123ABC"},
		{"@U123ABC", "U123ABC"},
		{"@W0ENT", "W0ENT"},
	}
	for _, tt := range tests {
		if got, err := ParseUser(tt.in); err != nil || got != tt.want {
			t.Errorf("ParseUser(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"ana", "@ana", "<#C123>", "u123", "<@U1", "<@U123ABC>"} {
		var ue *reply.UserError
		if _, err := ParseUser(in); !errors.As(err, &ue) {
			t.Errorf("ParseUser(%q) = %v; want a user error", in, err)
		}
	}
}

// FuzzParseUser: whatever is typed, ParseUser returns a user id or a user
// error, never anything else.
func FuzzParseUser(f *testing.F) {
	for _, s := range []string{"<@U123|ana>", "<@W1>", "U123", "@U0ABC", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseUser(s)
		var ue *reply.UserError
		if err == nil && !dobot.IsUserID(id) || err != nil && !errors.As(err, &ue) {
			t.Fatalf("ParseUser(%q) = %q, %v", s, id, err)
		}
	})
}

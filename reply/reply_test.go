package reply_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/reply"
)

func TestErrorfCleansTextButKeepsMarkup(t *testing.T) {
	forged := "\x1e@U0BAD\x1f<!channel>"
	err := reply.Errorf("%s asked for %s (%v)", reply.Markup(chat.Mention("U0REQ")), forged, errors.New(forged))
	var ue *reply.UserError
	if !errors.As(err, &ue) {
		t.Fatalf("Errorf = %T; want a *UserError", err)
	}
	if got, want := chat.Plain(ue.Msg), "@U0REQ asked for @U0BAD<!channel> (@U0BAD<!channel>)"; got != want {
		t.Errorf("message = %q; want %q", got, want)
	}
	var people []string
	for _, seg := range chat.Segments(ue.Msg) {
		if seg.Kind == chat.Person {
			people = append(people, seg.Target)
		}
	}
	if len(people) != 1 || people[0] != "U0REQ" {
		t.Errorf("mentions = %v; want only the bot's own U0REQ", people)
	}
}

func TestDescribe(t *testing.T) {
	resp := func(code int) *http.Response { return &http.Response{StatusCode: code} }
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"user error", fmt.Errorf("wrapped: %w", reply.Errorf("bad name %q", "x")), `bad name "x"`},
		{"domain refusal", &dobot.UserError{Msg: "no such region"}, "no such region"},
		{"DigitalOcean", &godo.ErrorResponse{Response: resp(422), Message: "invalid spec", RequestID: "req-1"},
			"DigitalOcean said: invalid spec (HTTP 422, request id req-1)"},
		{"missing scope", &godo.ErrorResponse{Response: resp(403), Message: "forbidden"}, "DO_API_TOKEN lacks a scope"},
		{"internal", errors.New("database is locked"), "quote reference `op-7`"},
	}
	for _, tt := range tests {
		got := reply.Describe(tt.err, "op-7")
		if !strings.Contains(got, tt.want) {
			t.Errorf("%s: Describe = %q; want it to contain %q", tt.name, got, tt.want)
		}
		if tt.name == "internal" && strings.Contains(got, "locked") {
			t.Errorf("an internal error's text reached the person: %q", got)
		}
	}
}

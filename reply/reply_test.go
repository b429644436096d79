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

func TestRefusals(t *testing.T) {
	tests := []struct{ name, got, want string }{
		{"typed, no role, admins", reply.Refused("launch", dobot.RoleDeployer, dobot.RoleNone, []string{"UA", "UB"}),
			"`launch` needs the deployer role and you have no role. Ask an admin (" + chat.Mention("UA") + ", " + chat.Mention("UB") + ") to run `/do grant @you deployer`."},
		{"typed, viewer, no admins", reply.Refused("grant", dobot.RoleAdmin, dobot.RoleViewer, nil),
			"`grant` needs the admin role and you are a viewer. Ask an admin to run `/do grant @you admin`."},
		{"button", reply.RefusedButton("Approve", dobot.RoleApprover, dobot.RoleViewer),
			"Only an approver or admin may use the Approve button, and you are a viewer. Nothing was changed."},
		{"roles from deployer", reply.RolesFrom(dobot.RoleDeployer), "a deployer, approver or admin"},
		{"roles from admin", reply.RolesFrom(dobot.RoleAdmin), "an admin"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %q; want %q", tt.name, tt.got, tt.want)
		}
	}
}

package launchargs

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"dobot"
	"dobot/chat"
)

func TestWantsForm(t *testing.T) {
	both := New(Config{DefaultApp: "web", DefaultImage: "nginx"}, Deps{})
	appOnly := New(Config{DefaultApp: "web"}, Deps{})
	tests := []struct {
		name string
		f    *Forms
		in   string
		want bool
	}{
		{"bare, settings complete", both, "launch", false},
		{"bare, image missing", appOnly, "launch", true},
		{"bare, any case", appOnly, "LAUNCH", true},
		{"--form", both, "launch --form", true},
		{"named", appOnly, "launch web", false},
		{"--form with more", both, "launch web --form", true},
		{"--form among flags", appOnly, "launch web --image nginx --form --port 80", true},
		{"other command", appOnly, "status", false},
		{"unbalanced quote", appOnly, `launch "`, false},
		{"--form inside a pasted spec", appOnly, "launch --spec ```\nname: web\nservices:\n- name: web\n  run_command: ./serve --form\n```", false},
		{"--form before a pasted spec", appOnly, "launch --form --spec ```\nname: web\n```", true},
	}
	for _, tt := range tests {
		if got := tt.f.WantsForm(tt.in); got != tt.want {
			t.Errorf("%s: WantsForm(%q) = %v; want %v", tt.name, tt.in, got, tt.want)
		}
	}
}

type requests map[int64]dobot.Operation

func (r requests) Operation(_ context.Context, id int64) (dobot.Operation, error) {
	if op, ok := r[id]; ok {
		return op, nil
	}
	return dobot.Operation{}, errors.New("no such request")
}

func TestDenyFormForSaysWhatItDenies(t *testing.T) {
	f := New(Config{}, Deps{Requests: requests{7: {ID: 7, Requester: "U1", Action: "teardown", App: "web"}}})
	got := f.DenyFormFor(context.Background(), 7, Meta{Target: "7"})
	if want := "Request #7: " + chat.Mention("U1") + " asks to teardown web."; got.Intro != want || got.ID != FormDeny {
		t.Errorf("DenyFormFor(7) = %+v; want intro %q", got, want)
	}
	if got := f.DenyFormFor(context.Background(), 8, Meta{}); got.Intro != "Request #8." {
		t.Errorf("DenyFormFor(8), unknown = intro %q; want the id alone", got.Intro)
	}
}

func TestReadReasons(t *testing.T) {
	r, errs := ReadDeny(Meta{Target: "12"}, "  not now \n")
	if errs != nil || r.ID != 12 || r.Reason != "not now" || r.Text != `deny 12 "not now"` {
		t.Errorf("ReadDeny(12) = %+v, %v; want request 12, the reason trimmed", r, errs)
	}
	for _, target := range []string{"", "web", "0", "-3"} {
		if _, errs := ReadDeny(Meta{Target: target}, "x"); errs[FieldReason] == "" {
			t.Errorf("ReadDeny(%q) gave no error on the reason field", target)
		}
	}
	td := ReadTeardown(Meta{Target: "web"}, " --force ")
	if want := []string{"--reason=--force", "--", "web"}; !reflect.DeepEqual(td.Words, want) {
		t.Errorf("ReadTeardown words = %q; want %q", td.Words, want)
	}
	if !strings.HasPrefix(td.Text, "teardown web --reason ") {
		t.Errorf("ReadTeardown text = %q; want the typed command", td.Text)
	}
}

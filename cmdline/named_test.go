package cmdline

import (
	"errors"
	"fmt"
	"testing"

	"dobot/reply"
)

func TestNamedFor(t *testing.T) {
	internal := errors.New("disk full")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"logs", reply.Errorf("bad app name"), "logs: bad app name"},
		{"launch", reply.Errorf("launch takes a name"), "launch takes a name"},
		{"launch", reply.Errorf("launched twice"), "launch: launched twice"},
		{"launch", reply.Errorf("prelaunch check"), "launch: prelaunch check"},
		{"registry create", reply.Errorf("registry create: bad name"), "registry create: bad name"},
		{"registry create", reply.Errorf("bad registry name"), "registry create: bad registry name"},
		{"logs", fmt.Errorf("parse: %w", reply.Errorf("bad app name")), "logs: bad app name"},
		{"logs", internal, "disk full"},
		{"", reply.Errorf("bad app name"), "bad app name"},
	}
	for _, tt := range tests {
		got := NamedFor(tt.name, tt.err)
		if got.Error() != tt.want {
			t.Errorf("NamedFor(%q, %q) = %q; want %q", tt.name, tt.err, got, tt.want)
		}
	}
	if got := NamedFor("logs", internal); got != internal {
		t.Errorf("NamedFor(logs, internal) = %v; want the internal error itself", got)
	}
	var ue *reply.UserError
	if !errors.As(NamedFor("logs", reply.Errorf("bad")), &ue) {
		t.Error("NamedFor lost the user error")
	}
}

package commands_test

import (
	"strings"
	"testing"

	"dobot"
)

// TestPreflightRefusals: what the pre-flight check refuses, it refuses with
// a reply that says what to do, before DigitalOcean hears of it.
func TestPreflightRefusals(t *testing.T) {
	tests := []struct {
		cmd  string
		want []string
	}{
		{"launch typo --image nginx:1.999", []string{"docker.io/library/nginx:1.999 was not found", "no tag 1.999"}},
		{"launch typo --image nginx@sha256:" + strings.Repeat("0", 64), []string{"was not found", "no digest sha256:000"}},
		{"launch hub --image acme/private:1.0", []string{"is private", "BOT_REGISTRY_CREDENTIALS=docker.io=USER:TOKEN", "Docker Hub answers the same"}},
		{"launch gh --image ghcr.io/acme/private:1.0", []string{"is private", "BOT_REGISTRY_CREDENTIALS=ghcr.io=USER:TOKEN", "read:packages"}},
		{"launch missing --image ghcr.io/acme/nothing:1", []string{"was not found"}},
		{"launch arm --image acme/arm-only", []string{"no linux/amd64 image (it has linux/arm64)", "buildx"}},
	}
	h := newHarness(t)
	h.grant(t, "UDEP", dobot.RoleDeployer)
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			before := len(h.do.Requests())
			got := h.run("UDEP", tt.cmd)
			for _, want := range tt.want {
				if !strings.Contains(got, want) {
					t.Errorf("%s = %q; want it to contain %q", tt.cmd, got, want)
				}
			}
			if len(h.do.Requests()) != before {
				t.Errorf("%s sent %d DigitalOcean requests; want none", tt.cmd, len(h.do.Requests())-before)
			}
		})
	}
}

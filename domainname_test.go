package dobot_test

import (
	"strings"
	"testing"

	"dobot"
)

func TestIsDomainName(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"example.com", true},
		{"www.example-shop.co.uk", true},
		{"a1.b2", true},
		{"localhost", false},
		{"Example.com", false}, // the parser lower-cases first
		{"-a.example.com", false},
		{"a-.example.com", false},
		{"a..example.com", false},
		{"example.com.", false},
		{"exa_mple.com", false},
		{strings.Repeat("a", 64) + ".com", false},
		{strings.Repeat("a", 63) + ".com", true},
		{strings.Repeat("abcdefghi.", 25) + "com", true},   // 253 bytes
		{strings.Repeat("abcdefghi.", 25) + "co.m", false}, // 254
	}
	for _, tt := range tests {
		if got := dobot.IsDomainName(tt.in); got != tt.want {
			t.Errorf("IsDomainName(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

func TestIsDeploymentID(t *testing.T) {
	for in, want := range map[string]bool{
		"3aa4d20e-5527-4c00-b496-601fbd22520a":  true,
		"3AA4D20E-5527-4C00-B496-601FBD22520A":  false,
		"3aa4d20e55274c00b496601fbd22520a":      false,
		"3aa4d20e-5527-4c00-b496-601fbd22520a0": false,
		"":                                      false,
	} {
		if got := dobot.IsDeploymentID(in); got != want {
			t.Errorf("IsDeploymentID(%q) = %v; want %v", in, got, want)
		}
	}
}

package config

import (
	"strings"
	"testing"
)

func TestLoadRegistrySettings(t *testing.T) {
	e := valid()
	e["BOT_REGISTRY_CREDENTIALS"] = " ghcr.io=acme:ghp_secret1 , docker.io=bob:dckr_pat_secret2"
	e["BOT_REGISTRY_MIRRORS"] = "docker.io=http://127.0.0.1:5000,registry.digitalocean.com=https://mirror.example.com/"
	c, err := Load(env(e))
	if err != nil {
		t.Fatalf("Load() error %v", err)
	}
	if got := c.RegistryCredentials["ghcr.io"]; got.User != "acme" || got.Token != "ghp_secret1" {
		t.Errorf("ghcr.io credential = %v; want acme", got)
	}
	if got := c.RegistryCredentials["docker.io"]; got.User != "bob" || got.Token != "dckr_pat_secret2" {
		t.Errorf("docker.io credential = %v; want bob", got)
	}
	if got := c.RegistryMirrors["docker.io"].String(); got != "http://127.0.0.1:5000" {
		t.Errorf("docker.io mirror = %q", got)
	}
	if got := c.RegistryMirrors["registry.digitalocean.com"].String(); got != "https://mirror.example.com" {
		t.Errorf("DOCR mirror = %q", got)
	}
}

func TestLoadRegistryErrorsNameTheVariableNotTheValue(t *testing.T) {
	tests := []struct{ key, value string }{
		{"BOT_REGISTRY_CREDENTIALS", "ghcr.io=justsecret"},
		{"BOT_REGISTRY_CREDENTIALS", "ghcr.io:user:secret"},
		{"BOT_REGISTRY_CREDENTIALS", "quay.io=user:secret"},
		{"BOT_REGISTRY_CREDENTIALS", "registry.digitalocean.com=user:secret"},
		{"BOT_REGISTRY_CREDENTIALS", "ghcr.io=user:secret,ghcr.io=user:secret2"},
		{"BOT_REGISTRY_CREDENTIALS", "ghcr.io=:secret"},
		{"BOT_REGISTRY_CREDENTIALS", "ghcr.io=user:sec ret"},
		{"BOT_REGISTRY_MIRRORS", "docker.io"},
		{"BOT_REGISTRY_MIRRORS", "quay.io=http://127.0.0.1:5000"},
		{"BOT_REGISTRY_MIRRORS", "docker.io=ftp://127.0.0.1"},
		{"BOT_REGISTRY_MIRRORS", "docker.io=http://127.0.0.1:5000/prefix"},
		{"BOT_REGISTRY_MIRRORS", "docker.io=http://user:secret@127.0.0.1:5000"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			e := valid()
			e[tt.key] = tt.value
			_, err := Load(env(e))
			if err == nil || !strings.Contains(err.Error(), tt.key) {
				t.Fatalf("Load(%s=%q) error = %v; want it to name %s", tt.key, tt.value, err, tt.key)
			}
			if strings.Contains(err.Error(), "secret") || strings.Count(err.Error(), "\n") != 0 {
				t.Errorf("Load(%s=%q) error = %q; want one line without the value", tt.key, tt.value, err)
			}
		})
	}
}

// FuzzRegistrySettings holds both parsers to their promises on any input:
// no panic, an error that never repeats a token, and hosts from the
// allowed lists only.
func FuzzRegistrySettings(f *testing.F) {
	for _, s := range []string{"", "ghcr.io=u:t", "docker.io=u:t,ghcr.io=v:w", "docker.io=http://127.0.0.1:5000",
		"registry.digitalocean.com=https://m.example.com/", "=", ",,", "ghcr.io=u:t:x", "docker.io=http://[::1]:5000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		creds, err := ParseRegistryCredentials(s)
		if err == nil {
			for host, c := range creds {
				if host != "docker.io" && host != "ghcr.io" || c.User == "" || c.Token == "" {
					t.Fatalf("ParseRegistryCredentials(%q) = %v for %q", s, c, host)
				}
			}
		} else {
			for _, entry := range strings.Split(s, ",") {
				if _, pair, ok := strings.Cut(entry, "="); ok {
					if _, token, ok := strings.Cut(pair, ":"); ok && len(token) > 3 && strings.Contains(err.Error(), token) {
						t.Fatalf("ParseRegistryCredentials(%q) error %q shows a token", s, err)
					}
				}
			}
		}
		mirrors, err := ParseRegistryMirrors(s)
		if err == nil {
			for host, u := range mirrors {
				if host != "docker.io" && host != "ghcr.io" && host != "registry.digitalocean.com" ||
					(u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" {
					t.Fatalf("ParseRegistryMirrors(%q) = %v for %q", s, u, host)
				}
			}
		}
	})
}

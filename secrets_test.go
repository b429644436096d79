package dobot_test

import (
	"testing"

	"dobot"
)

// DECISIONS.md: a key is secret when its name contains PASSWORD, SECRET,
// TOKEN, KEY or CREDENTIAL, in any case.
func TestSecretLooking(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"API_KEY", true}, {"db_password", true}, {"GitHub_Token", true}, {"client_secret", true},
		{"AWS_CREDENTIALS", true}, {"monkey", true}, {"MODE", false}, {"PORT", false}, {"DATABASE_URL", false},
	}
	for _, tt := range tests {
		if got := dobot.SecretLooking(tt.key); got != tt.want {
			t.Errorf("SecretLooking(%q) = %v; want %v", tt.key, got, tt.want)
		}
	}
}

package auditchain

import (
	"strings"
	"testing"

	"dobot"
)

func TestParseCheckpoint(t *testing.T) {
	tests := []struct {
		in   string
		want Checkpoint
		ok   bool
	}{
		{"1234:3f9a1c2b", Checkpoint{1234, "3f9a1c2b"}, true},
		{"#1234 · 3F9A1C2B", Checkpoint{1234, "3f9a1c2b"}, true},
		{" #7:3f9a1c2b00 ", Checkpoint{7, "3f9a1c2b00"}, true},
		{"1234:3f9a", Checkpoint{}, false},
		{"0:3f9a1c2b", Checkpoint{}, false},
		{"1234", Checkpoint{}, false},
		{"x:3f9a1c2b", Checkpoint{}, false},
		{"12:3f9a1c2g", Checkpoint{}, false},
		{"12:" + strings.Repeat("a", 65), Checkpoint{}, false},
	}
	for _, tt := range tests {
		got, err := ParseCheckpoint(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseCheckpoint(%q) = %+v, %v; want %+v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// The hash encodings are pinned: a change would break every stored chain.
// The v1 value is what the store computed before the chain was keyed.
func TestHashEncodings(t *testing.T) {
	e := dobot.AuditEntry{UserID: "U1", UserName: "ana", Channel: "C1", CommandText: "launch web <&>", Action: "launch",
		Target: "web", Decision: "allowed", Outcome: "ok", Details: "d", PrevHash: "prev"}
	const at = "2025-03-14T15:09:26.535897932Z"
	if got, want := LegacyHash(at, e), "c58f982d1b90fc97266d569be4e5bf490e59e633917c4a9e20b22e04aa5e7ef7"; got != want {
		t.Errorf("LegacyHash() = %s; want %s", got, want)
	}
	key := []byte(strings.Repeat("k", 32))
	if got, want := Hash(key, 7, at, e), "2af764e3d130e6e28b0802b77dd745fbe9f2f042bed953e68ba931a241b2e5b5"; got != want {
		t.Errorf("Hash() = %s; want %s", got, want)
	}
}

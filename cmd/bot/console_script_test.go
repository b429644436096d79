package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// consoleOutput runs `bot console` on the simulated DigitalOcean with a
// fresh database, feeds it lines, and returns what it printed.
func consoleOutput(t *testing.T, lines ...string) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "dobot.db")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"console", "--sim-phase", "100ms", "--wait", "1m"},
		env(map[string]string{"BOT_DB": db}), strings.NewReader(strings.Join(lines, "\n")+"\n"), &stdout, &stderr)
	if err != nil {
		t.Fatalf("bot console: %v\nstderr:\n%s", err, &stderr)
	}
	return stdout.String()
}

// Package botproc helps tests run the real bot binary: it builds it once as
// the Dockerfile does, builds the world it runs in (the Slack, DigitalOcean
// and registry test servers, a database and the environment pointing at
// them), starts and stops it, and collects its output safely. The e2e tests
// and the benchmarks share it. It is test support: the binary never links
// it.
package botproc

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// Main builds the bot into a temporary directory, sets *binary to its
// path, runs the tests and exits. Call it from TestMain; repoRoot is the
// path from the test package to the module root ("..").
func Main(m *testing.M, repoRoot string, binary *string) {
	dir, err := os.MkdirTemp("", "dobot-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	*binary = filepath.Join(dir, "bot")
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", *binary, "./cmd/bot")
	build.Dir = repoRoot
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build bot: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// LockedBuffer collects a process's output safely across goroutines.
type LockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *LockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *LockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// The Slack identities the e2e tests and the benchmarks share: the admin
// the bot starts with and the channel commands are typed in.
const (
	Admin   = "UADMIN1"
	Channel = "CDEPLOYS"
)

// Tokens are a harness's own Slack bot, Slack app and DigitalOcean
// tokens, named after it so that a leak says whose it was.
func Tokens(harness string) (bot, app, do string) {
	return "xoxb-" + harness + "-secret-bot-token", "xapp-" + harness + "-secret-app-token", "dop_v1_" + harness + "_secret_do_token"
}

package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for one writer and a polling reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// The console takes a pasted spec over several lines, and /sim starts a
// deployment outside the bot, which the bot reports in the launch thread
// with its failing step's log.
func TestConsoleSpecLaunchAndSimPush(t *testing.T) {
	db := filepath.Join(t.TempDir(), "dobot.db")
	in, feed := io.Pipe()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{"console", "--sim-phase", "100ms", "--wait", "1m"},
			env(map[string]string{"BOT_DB": db, "BOT_ELSEWHERE_INTERVAL": "100ms"}), in, &stdout, &stderr)
	}()
	waitOut := func(what string, want ...string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			out, ok := stdout.String(), true
			for _, w := range want {
				ok = ok && strings.Contains(out, w)
			}
			if ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; output:\n%s\nstderr:\n%s", what, out, stderr.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	write := func(s string) {
		t.Helper()
		if _, err := io.WriteString(feed, s); err != nil {
			t.Fatal(err)
		}
	}
	write("/sim push shop\n")
	waitOut("the /sim refusal", "manages no App Platform app named \"shop\"")
	write("/do launch --spec\n```\nname: shop\nservices:\n- name: web\n  image: {registry_type: DOCKER_HUB, registry: library, repository: nginx, tag: \"1.27\"}\n  http_port: 80\n  envs:\n  - {key: DB_PASSWORD, value: hunter2-console}\n```\n")
	waitOut("the spec launch", "shop is live at https://shop-")
	write("/sim push shop --fail build\n")
	waitOut("the push reported with its log", "started elsewhere", "push of ", "started elsewhere failed", "build log")
	if err := feed.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("bot console: %v\nstderr:\n%s", err, stderr.String())
	}
	// Only the echo of what was typed holds the secret value.
	for _, line := range strings.Split(stdout.String(), "\n") {
		if strings.Contains(line, "hunter2-console") && !strings.HasPrefix(line, "ULOCAL> ") {
			t.Errorf("the bot showed the secret value: %q", line)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// With BOT_HTTP_ADDR=off there is no /healthz: healthcheck says so and
// fails, rather than probing a host named "off".
func TestHealthcheckWithHealthChecksOff(t *testing.T) {
	env := map[string]string{"BOT_HTTP_ADDR": "off"}
	var stdout bytes.Buffer
	err := run(context.Background(), []string{"healthcheck"}, func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stdout)
	if err == nil {
		t.Fatalf("bot healthcheck with BOT_HTTP_ADDR=off succeeded; want an error")
	}
	if code := exitCode(err); code == 0 {
		t.Errorf("exit code = 0; want non-zero")
	}
	if msg := err.Error(); !strings.Contains(msg, "health checks are off") || strings.Contains(msg, "off:80") || strings.Contains(msg, "\n") {
		t.Errorf("bot healthcheck with BOT_HTTP_ADDR=off = %q; want one line saying health checks are off", msg)
	}
}

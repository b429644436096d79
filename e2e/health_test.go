package e2e

import (
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestHealthAndMetrics(t *testing.T) {
	addr := freeAddr(t)
	w := newWorld(t, withEnv("BOT_HTTP_ADDR="+addr))
	w.launchLive("web", "nginx")
	w.run(stranger, "launch nope --image nginx")
	w.waitEphemeral(stranger, "needs the deployer role")

	body := get(t, "http://"+addr+"/healthz", http.StatusOK)
	if !strings.Contains(body, `"store":"ok"`) || !strings.Contains(body, `"slack":"connected"`) {
		t.Errorf("/healthz = %s; want store ok and slack connected", body)
	}
	// The launch's operation counts as finished once its goroutine returns,
	// just after the "is live" reply: wait for that rather than race it.
	metrics := get(t, "http://"+addr+"/metrics", http.StatusOK)
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(metrics, "dobot_operations_in_flight 0") && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond) // polling interval, not ordering
		metrics = get(t, "http://"+addr+"/metrics", http.StatusOK)
	}
	for _, want := range []string{
		`dobot_commands_total{command="launch",result="ok"} 1`,
		`dobot_commands_total{command="launch",result="refused"} 1`,
		`dobot_ack_latency_seconds_count`,
		`dobot_do_requests_total{endpoint="/v2/apps",method="POST",status="200"}`,
		`dobot_slack_requests_total{endpoint="chat.postMessage"`,
		`dobot_operations_in_flight 0`,
		`dobot_do_ratelimit_remaining`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	assertNoTokens(t, "/metrics", metrics)

	cmd := exec.Command(botBinary, "healthcheck")
	cmd.Env = []string{"BOT_HTTP_ADDR=" + addr}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("bot healthcheck = %v\n%s", err, out)
	}
	w.stop(sigterm, stopBudget)
	cmd = exec.Command(botBinary, "healthcheck")
	cmd.Env = []string{"BOT_HTTP_ADDR=" + addr}
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("bot healthcheck passed with the bot stopped:\n%s", out)
	}
}

func get(t *testing.T, url string, want int) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s = %d; want %d\n%s", url, resp.StatusCode, want, b)
	}
	return string(b)
}

package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// scrape returns what a Prometheus server would read from m.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: status %d; want 200", rec.Code)
	}
	return rec.Body.String()
}

// wantSeries fails unless every line is in the scrape, exactly.
func wantSeries(t *testing.T, body string, lines ...string) {
	t.Helper()
	have := map[string]bool{}
	for _, l := range strings.Split(body, "\n") {
		have[l] = true
	}
	for _, l := range lines {
		if !have[l] {
			t.Errorf("scrape lacks %q", l)
		}
	}
	if t.Failed() {
		t.Logf("scrape:\n%s", grepDobot(body))
	}
}

func grepDobot(body string) string {
	var b strings.Builder
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "dobot_") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// do sends one request through rt and drains the answer.
func do(t *testing.T, rt http.RoundTripper, method, url string, header http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		return // counted as status "error"
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// fakeDO answers like DigitalOcean: with rate-limit headers on success and
// without them on a 404, as some error answers do.
func fakeDO(t *testing.T) *httptest.Server {
	t.Helper()
	var remaining atomic.Int64
	remaining.Store(5000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/deployments/") {
			http.Error(w, `{"id":"not_found"}`, http.StatusNotFound)
			return
		}
		w.Header().Set("ratelimit-limit", "5000")
		w.Header().Set("ratelimit-remaining", strconv.FormatInt(remaining.Add(-1), 10))
		w.Header().Set("ratelimit-reset", "1767225600")
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusCreated)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestDigitalOceanTransport(t *testing.T) {
	m := New()
	srv := fakeDO(t)
	rt := m.Transport(DigitalOcean, nil)

	do(t, rt, http.MethodGet, srv.URL+"/v2/apps/"+appID, nil)
	do(t, rt, http.MethodGet, srv.URL+"/v2/apps/"+appID, nil)
	do(t, rt, http.MethodPost, srv.URL+"/v2/apps", nil)
	// The 404 carries no rate-limit headers: the last values seen stand.
	do(t, rt, http.MethodGet, srv.URL+"/v2/apps/"+appID+"/deployments/"+depID, nil)

	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	do(t, rt, http.MethodGet, closed.URL+"/v2/apps", nil)

	wantSeries(t, scrape(t, m),
		`dobot_do_requests_total{endpoint="/v2/apps/{id}",method="GET",status="200"} 2`,
		`dobot_do_requests_total{endpoint="/v2/apps",method="POST",status="201"} 1`,
		`dobot_do_requests_total{endpoint="/v2/apps/{id}/deployments/{id}",method="GET",status="404"} 1`,
		`dobot_do_requests_total{endpoint="/v2/apps",method="GET",status="error"} 1`,
		`dobot_do_ratelimit_limit 5000`,
		`dobot_do_ratelimit_remaining 4997`,
	)
}

func TestSlackTransport(t *testing.T) {
	m := New()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/chat.update" {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		// Slack's rate-limit headers are not DigitalOcean's budget.
		w.Header().Set("ratelimit-remaining", "1")
		io.WriteString(w, `{"ok":true}`)
	}))
	defer srv.Close()
	rt := m.Transport(Slack, http.DefaultTransport)

	do(t, rt, http.MethodPost, srv.URL+"/api/chat.postMessage", nil)
	do(t, rt, http.MethodPost, srv.URL+"/api/chat.postMessage", nil)
	do(t, rt, http.MethodPost, srv.URL+"/api/chat.update", nil)
	do(t, rt, http.MethodPost, srv.URL+"/api/apps.connections.open", nil)
	do(t, rt, http.MethodPost, srv.URL+"/response/T0123/0a1b2c3d4e5f", nil)

	body := scrape(t, m)
	wantSeries(t, body,
		`dobot_slack_requests_total{endpoint="chat.postMessage",method="POST",status="200"} 2`,
		`dobot_slack_requests_total{endpoint="chat.update",method="POST",status="429"} 1`,
		`dobot_slack_requests_total{endpoint="apps.connections.open",method="POST",status="200"} 1`,
		`dobot_slack_requests_total{endpoint="response_url",method="POST",status="200"} 1`,
		`dobot_do_ratelimit_remaining 0`,
	)
	if strings.Contains(body, "dobot_do_requests_total{") {
		t.Errorf("Slack requests were counted as DigitalOcean's:\n%s", grepDobot(body))
	}
}

// TestNoSecretsInScrape sends tokens every way a request can carry them and
// checks that none reaches the metrics.
func TestNoSecretsInScrape(t *testing.T) {
	const secret = "s3cr3tT0k3n"
	m := New()
	srv := fakeDO(t)
	auth := http.Header{"Authorization": {"Bearer dop_v1_" + secret}, "Cookie": {"d=xoxd-" + secret}}

	do(t, m.Transport(DigitalOcean, nil), http.MethodGet, srv.URL+"/v2/apps/"+appID+"?access_token=dop_v1_"+secret, auth)
	do(t, m.Transport(DigitalOcean, nil), http.MethodGet, srv.URL+"/v2/xoxb-"+secret+"/"+secret, auth)
	do(t, m.Transport(DigitalOcean, nil), http.MethodGet, srv.URL+"/v2/registry/"+secret+"/repositories/"+secret+"/tags", auth)
	do(t, m.Transport(Slack, nil), http.MethodPost, srv.URL+"/api/chat.postMessage?token=xoxb-"+secret, auth)
	do(t, m.Transport(Slack, nil), http.MethodPost, srv.URL+"/commands/T0123/4567/"+secret, auth)
	do(t, m.Transport(Slack, nil), http.MethodPost, srv.URL+"/api/xoxb-"+secret, auth)

	body := scrape(t, m)
	if strings.Contains(body, secret) {
		t.Errorf("scrape contains the secret:\n%s", grepDobot(body))
	}
	wantSeries(t, body,
		`dobot_do_requests_total{endpoint="/v2/apps/{id}",method="GET",status="200"} 1`,
		`dobot_do_requests_total{endpoint="/v2/{id}/{id}",method="GET",status="200"} 1`,
		`dobot_do_requests_total{endpoint="/v2/registry/{registry}/repositories/{repo}/tags",method="GET",status="200"} 1`,
		`dobot_slack_requests_total{endpoint="chat.postMessage",method="POST",status="201"} 1`,
		`dobot_slack_requests_total{endpoint="response_url",method="POST",status="201"} 2`,
	)
}

func TestCommandsAcksAndOperations(t *testing.T) {
	m := New()
	m.CommandDone("launch", "ok")
	m.CommandDone("launch", "ok")
	m.CommandDone("launch", "refused")
	m.CommandDone("unknown", "invalid")
	m.AckLatency(300 * time.Microsecond)
	m.AckLatency(2 * time.Millisecond)
	m.OperationStarted()
	m.OperationStarted()
	m.OperationFinished()

	body := scrape(t, m)
	wantSeries(t, body,
		`dobot_commands_total{command="launch",result="ok"} 2`,
		`dobot_commands_total{command="launch",result="refused"} 1`,
		`dobot_commands_total{command="unknown",result="invalid"} 1`,
		`dobot_ack_latency_seconds_bucket{le="0.0001"} 0`,
		`dobot_ack_latency_seconds_bucket{le="0.0005"} 1`,
		`dobot_ack_latency_seconds_bucket{le="0.0025"} 2`,
		`dobot_ack_latency_seconds_bucket{le="+Inf"} 2`,
		`dobot_ack_latency_seconds_count 2`,
		`dobot_operations_in_flight 1`,
	)
	for _, name := range []string{"go_goroutines", "process_start_time_seconds"} {
		if !strings.Contains(body, "\n"+name+" ") {
			t.Errorf("scrape lacks %s from the Go and process collectors", name)
		}
	}
}

// TestSeparateRegistries checks that two Metrics share nothing, so tests
// and in-process bots may each build their own.
func TestSeparateRegistries(t *testing.T) {
	a, b := New(), New()
	a.CommandDone("help", "ok")
	if body := scrape(t, b); strings.Contains(body, `command="help"`) {
		t.Errorf("a command counted on one Metrics shows on another:\n%s", grepDobot(body))
	}
}

func TestNilMetrics(t *testing.T) {
	var m *Metrics
	m.CommandDone("launch", "ok")
	m.AckLatency(time.Millisecond)
	m.OperationStarted()
	m.OperationFinished()

	base := &countingTransport{}
	if rt := m.Transport(DigitalOcean, base); rt != base {
		t.Errorf("nil Metrics: Transport(%q, base) = %T; want base itself", DigitalOcean, rt)
	}
	if rt := m.Transport("anything", nil); rt != http.DefaultTransport {
		t.Errorf("nil Metrics: Transport(_, nil) = %T; want http.DefaultTransport", rt)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("nil Metrics: GET /metrics status %d; want 404", rec.Code)
	}
}

func TestTransportUnknownService(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error(`Transport("github", nil) did not panic; want a panic naming the known services`)
		}
	}()
	New().Transport("github", nil)
}

func TestTransportPassesThrough(t *testing.T) {
	base := &countingTransport{}
	rt := New().Transport(DigitalOcean, base)
	do(t, rt, http.MethodGet, "http://example.invalid/v2/apps", nil)
	if base.requests != 1 {
		t.Errorf("base saw %d requests; want 1", base.requests)
	}
	rt.(interface{ CloseIdleConnections() }).CloseIdleConnections()
	if base.closed != 1 {
		t.Errorf("CloseIdleConnections reached base %d times; want 1", base.closed)
	}
}

type countingTransport struct{ requests, closed int }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.requests++
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Header: http.Header{}, Request: r}, nil
}

func (c *countingTransport) CloseIdleConnections() { c.closed++ }

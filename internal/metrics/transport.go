package metrics

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// Services that Transport knows how to label.
const (
	DigitalOcean = "digitalocean"
	Slack        = "slack"
)

// Transport wraps base (http.DefaultTransport when nil) so that every
// request to service, DigitalOcean or Slack, is counted by endpoint, method
// and status code; for DigitalOcean it also records the ratelimit-limit and
// ratelimit-remaining headers. Each attempt of a retried call counts once.
//
// Only the endpoint template, the method and the status code are read from
// a request: never its query string, headers or body, where tokens live.
// An unknown service is a wiring mistake, so Transport panics on one. On a
// nil *Metrics it returns base.
func (m *Metrics) Transport(service string, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if m == nil {
		return base
	}
	switch service {
	case DigitalOcean:
		return &transport{base: base, requests: m.doRequests, endpoint: doEndpoint, m: m, rate: true}
	case Slack:
		return &transport{base: base, requests: m.slackRequests, endpoint: slackEndpoint, m: m}
	}
	panic(fmt.Sprintf("metrics.Transport: unknown service %q; want %q or %q", service, DigitalOcean, Slack))
}

type transport struct {
	base     http.RoundTripper
	requests *prometheus.CounterVec
	endpoint func(*url.URL) string
	m        *Metrics
	rate     bool // record DigitalOcean's rate-limit headers
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	status := "error" // no response: refused, timed out, cancelled
	if err == nil {
		status = strconv.Itoa(resp.StatusCode)
		if t.rate {
			t.m.noteRate(resp.Header)
		}
	}
	t.requests.WithLabelValues(t.endpoint(req.URL), methodLabel(req.Method), status).Inc()
	return resp, err
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach base.
func (t *transport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// noteRate keeps the rate-limit headers of the latest response that has
// them; an error response may lack them, and then the last values stand.
func (m *Metrics) noteRate(h http.Header) {
	if v, err := strconv.ParseInt(h.Get("Ratelimit-Limit"), 10, 64); err == nil {
		m.rateLimit.Set(float64(v))
	}
	if v, err := strconv.ParseInt(h.Get("Ratelimit-Remaining"), 10, 64); err == nil {
		m.rateRemaining.Set(float64(v))
	}
}

// methodLabel keeps the method label to the standard methods.
func methodLabel(m string) string {
	switch m {
	case "":
		return http.MethodGet // net/http's meaning of an empty method
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// Package metrics holds the bot's Prometheus metrics: commands run, how fast
// envelopes are acknowledged, requests to DigitalOcean and Slack, operations
// in flight and DigitalOcean's rate-limit headroom.
//
// Every method is safe on a nil *Metrics and then does nothing, so code
// paths and tests that run without metrics need no checks.
//
// Label values are chosen so that their number stays bounded and no secret
// reaches them: request endpoints are normalised templates, never raw paths,
// query strings or headers.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ackBuckets resolve sub-millisecond acks, since acking before any work is
// the point, and end past Slack's 3 s deadline, after which Slack counts the
// envelope as unacknowledged and sends it again.
var ackBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3}

// Metrics is the bot's set of metrics on a registry of its own, so that
// tests can build as many as they like and nothing leaks between them.
type Metrics struct {
	reg *prometheus.Registry

	commands   *prometheus.CounterVec
	ackLatency prometheus.Histogram
	inFlight   prometheus.Gauge

	doRequests    *prometheus.CounterVec
	slackRequests *prometheus.CounterVec
	rateLimit     prometheus.Gauge
	rateRemaining prometheus.Gauge
}

// New returns metrics registered on a new registry, together with the Go
// runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dobot_commands_total",
			Help: "Commands finished, by command name and result (ok, error, refused, invalid).",
		}, []string{"command", "result"}),
		ackLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "dobot_ack_latency_seconds",
			Help:    "Time from receiving a Socket Mode envelope to acknowledging it.",
			Buckets: ackBuckets,
		}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dobot_operations_in_flight",
			Help: "Operations (launches, teardowns, …) running now.",
		}),
		doRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dobot_do_requests_total",
			Help: "HTTP requests to the DigitalOcean API, by endpoint template, method and status code (\"error\" when no response came).",
		}, []string{"endpoint", "method", "status"}),
		slackRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dobot_slack_requests_total",
			Help: "HTTP requests to Slack, by Web API method (or \"response_url\"), HTTP method and status code (\"error\" when no response came).",
		}, []string{"endpoint", "method", "status"}),
		rateLimit: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dobot_do_ratelimit_limit",
			Help: "DigitalOcean's ratelimit-limit header as last seen: requests allowed per window.",
		}),
		rateRemaining: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dobot_do_ratelimit_remaining",
			Help: "DigitalOcean's ratelimit-remaining header as last seen: requests left in the window.",
		}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.commands, m.ackLatency, m.inFlight,
		m.doRequests, m.slackRequests, m.rateLimit, m.rateRemaining,
	)
	return m
}

// CommandDone counts one finished command. name must come from the command
// table (pass "unknown" for anything else), never from what the person
// typed, so that the label stays bounded and cannot carry a pasted token.
// result is "ok", "error", "refused" or "invalid".
func (m *Metrics) CommandDone(name, result string) {
	if m == nil {
		return
	}
	m.commands.WithLabelValues(name, result).Inc()
}

// AckLatency records how long one envelope took to be acknowledged.
func (m *Metrics) AckLatency(d time.Duration) {
	if m == nil {
		return
	}
	m.ackLatency.Observe(d.Seconds())
}

// OperationStarted counts an operation as in flight until the matching
// OperationFinished.
func (m *Metrics) OperationStarted() {
	if m == nil {
		return
	}
	m.inFlight.Inc()
}

// OperationFinished ends what OperationStarted began.
func (m *Metrics) OperationFinished() {
	if m == nil {
		return
	}
	m.inFlight.Dec()
}

// Handler serves the metrics in Prometheus text format. On a nil *Metrics
// it answers 404, as if there were no metrics endpoint.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

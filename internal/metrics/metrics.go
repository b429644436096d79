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
)

// ackBuckets resolve sub-millisecond acks, since acking before any work is
// the point, and end past Slack's 3 s deadline, after which Slack counts the
// envelope as unacknowledged and sends it again.
var ackBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3}

// Metrics is the bot's set of metrics, its own, so that tests can build as
// many as they like and nothing leaks between them.
type Metrics struct {
	started time.Time

	commands   *counterVec
	ackLatency *histogram
	inFlight   *gauge

	doRequests    *counterVec
	slackRequests *counterVec
	rateLimit     *gauge
	rateRemaining *gauge
}

// New returns a new set of metrics, beside which the handler also shows
// the Go runtime's and the process's own gauges.
func New() *Metrics {
	return &Metrics{
		started: processStart,
		commands: newCounterVec("dobot_commands_total",
			"Commands finished, by command name and result (ok, error, refused, invalid).", "command", "result"),
		ackLatency: newHistogram("dobot_ack_latency_seconds",
			"Time from receiving a Socket Mode envelope to acknowledging it.", ackBuckets),
		inFlight: &gauge{name: "dobot_operations_in_flight", help: "Operations (launches, teardowns, …) running now."},
		doRequests: newCounterVec("dobot_do_requests_total",
			"HTTP requests to the DigitalOcean API, by endpoint template, method and status code (\"error\" when no response came).",
			"endpoint", "method", "status"),
		slackRequests: newCounterVec("dobot_slack_requests_total",
			"HTTP requests to Slack, by Web API method (or \"response_url\"), HTTP method and status code (\"error\" when no response came).",
			"endpoint", "method", "status"),
		rateLimit: &gauge{name: "dobot_do_ratelimit_limit",
			help: "DigitalOcean's ratelimit-limit header as last seen: requests allowed per window."},
		rateRemaining: &gauge{name: "dobot_do_ratelimit_remaining",
			help: "DigitalOcean's ratelimit-remaining header as last seen: requests left in the window."},
	}
}

// processStart is when this process started, near enough: when the
// package was initialised.
var processStart = time.Now()

// CommandDone counts one finished command. name must come from the command
// table (pass "unknown" for anything else), never from what the person
// typed, so that the label stays bounded and cannot carry a pasted token.
// result is "ok", "error", "refused" or "invalid".
func (m *Metrics) CommandDone(name, result string) {
	if m == nil {
		return
	}
	m.commands.inc(name, result)
}

// AckLatency records how long one envelope took to be acknowledged.
func (m *Metrics) AckLatency(d time.Duration) {
	if m == nil {
		return
	}
	m.ackLatency.observe(d.Seconds())
}

// OperationStarted counts an operation as in flight until the matching
// OperationFinished.
func (m *Metrics) OperationStarted() {
	if m == nil {
		return
	}
	m.inFlight.add(1)
}

// OperationFinished ends what OperationStarted began.
func (m *Metrics) OperationFinished() {
	if m == nil {
		return
	}
	m.inFlight.add(-1)
}

// Handler serves the metrics in Prometheus text format. On a nil *Metrics
// it answers 404, as if there were no metrics endpoint.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return http.HandlerFunc(m.serve)
}

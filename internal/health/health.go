// Package health serves the bot's HTTP endpoints for operators: /healthz,
// which says whether the store is reachable and the Slack socket connected,
// and /metrics. Probe is the client side of /healthz, for `bot healthcheck`
// in an image that has no shell and so no curl.
package health

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"dobot/internal/metrics"
)

// DefaultAddr is where the endpoints listen when BOT_HTTP_ADDR is unset.
const DefaultAddr = ":8080"

// storeTimeout bounds the store check, so that a locked or stuck database
// makes /healthz answer 503 rather than hang the container's health check.
const storeTimeout = 2 * time.Second

// Checks are what /healthz asks. A nil check counts as failing, so that a
// wiring mistake shows at once instead of hiding behind a 200.
type Checks struct {
	// Store reports whether the store answers, such as by a trivial query.
	Store func(ctx context.Context) error
	// SlackConnected reports whether the Socket Mode connection is up now.
	// SlackState, when set, is asked instead.
	SlackConnected func() bool
	// SlackState names the Socket Mode connection's state: SlackConnected,
	// SlackConnecting, SlackReconnecting or SlackDisconnected.
	SlackState func() string
	// Instance is the process's instance id (BOT_INSTANCE), reported so a
	// load balancer's probe says which replica answered.
	Instance string
}

// The states of the Slack connection /healthz reports.
const (
	SlackConnected    = "connected"
	SlackConnecting   = "connecting"   // started, not yet connected once
	SlackReconnecting = "reconnecting" // was connected; the socket is down and the bot is connecting again
	SlackDisconnected = "disconnected" // not trying: stopped, or a token was refused
)

// Report is the JSON body of /healthz.
type Report struct {
	Instance string `json:"instance,omitempty"` // BOT_INSTANCE of the replica answering
	Store    string `json:"store"`              // "ok" or "unreachable"
	Slack    string `json:"slack"`              // one of the Slack states above
	Error    string `json:"error,omitempty"`    // what is wrong, when something is
}

// OK reports whether everything r covers is fine.
func (r Report) OK() bool { return r.Store == "ok" && r.Slack == SlackConnected }

// check runs c, the store check under its own timeout.
func (c Checks) check(ctx context.Context) Report {
	r := Report{Instance: c.Instance, Store: "ok", Slack: SlackConnected}
	var problems []string
	if c.Store == nil {
		r.Store = "unreachable"
		problems = append(problems, "store: no check configured")
	} else {
		ctx, cancel := context.WithTimeout(ctx, storeTimeout)
		err := c.Store(ctx)
		cancel()
		if err != nil {
			r.Store = "unreachable"
			problems = append(problems, "store: "+oneLine(err.Error()))
		}
	}
	switch {
	case c.SlackState != nil:
		r.Slack = c.SlackState()
		switch r.Slack {
		case SlackConnected:
		case SlackConnecting:
			problems = append(problems, "slack: connecting to Socket Mode")
		case SlackReconnecting:
			problems = append(problems, "slack: Socket Mode connection lost; reconnecting")
		default:
			r.Slack = SlackDisconnected
			problems = append(problems, "slack: Socket Mode is not connected")
		}
	case c.SlackConnected == nil:
		r.Slack = SlackDisconnected
		problems = append(problems, "slack: no check configured")
	case !c.SlackConnected():
		r.Slack = SlackDisconnected
		problems = append(problems, "slack: Socket Mode is not connected")
	}
	r.Error = strings.Join(problems, "; ")
	return r
}

// Handler serves /healthz: 200 with {"store":"ok","slack":"connected"} when
// both are fine, else 503 with the same fields and an "error" naming what
// is wrong; "slack":"reconnecting" while a lost socket is being replaced.
func Handler(c Checks) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "use GET", http.StatusMethodNotAllowed)
			return
		}
		rep := c.check(r.Context())
		status := http.StatusOK
		if !rep.OK() {
			status = http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(rep)
	})
}

// NewServer returns a server for /healthz and /metrics on addr (DefaultAddr
// when empty). m may be nil, and then /metrics answers 404. The caller runs
// it with ListenAndServe and stops it with Shutdown.
func NewServer(addr string, c Checks, m *metrics.Metrics) *http.Server {
	if addr == "" {
		addr = DefaultAddr
	}
	mux := http.NewServeMux()
	mux.Handle("/healthz", Handler(c))
	mux.Handle("GET /metrics", m.Handler())
	return &http.Server{
		Addr:              addr,
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second, // a scrape of a busy bot still fits
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
	}
}

// URL returns the /healthz URL for a server listening on addr, as
// `bot healthcheck` reaches it from inside the container: a wildcard or
// empty host becomes the loopback address.
func URL(addr string) string {
	if addr == "" {
		addr = DefaultAddr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = addr, "80"
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz"
}

// probeTimeout bounds a probe whose ctx has no deadline.
const probeTimeout = 5 * time.Second

// Probe asks endpoint, a /healthz URL such as URL returns, whether the bot
// is healthy. It returns nil on 200 and otherwise a one-line error saying
// what failed: the connection, or the parts /healthz reported as broken.
func Probe(ctx context.Context, endpoint string) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, probeTimeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return fmt.Errorf("health check: bad URL %q: %v", endpoint, err)
	}
	// The probe goes to the bot itself: no proxy from the environment.
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // drop net/http's "Get <url>:" prefix; the message names the URL once
		}
		return fmt.Errorf("health check: cannot reach %s: %s", endpoint, oneLine(err.Error()))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	var rep Report
	if json.Unmarshal(body, &rep) == nil && rep.Error != "" {
		return fmt.Errorf("health check: %s: %s", resp.Status, oneLine(rep.Error))
	}
	return fmt.Errorf("health check: %s from %s", resp.Status, endpoint)
}

// oneLine keeps an error to one line, as a health check's output is read
// in `docker inspect` and logs.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}

package dosim

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// behaviour holds the switches a test flips to make the server misbehave.
type behaviour struct {
	faults     []*fault
	errorRates map[string]float64
	delays     map[string]time.Duration
	failBuilds map[string]string // image repository -> reason
}

type fault struct {
	route  string
	status int
	left   int
}

// FailBuild makes deployments created from now on fail in BUILDING when a
// component's image repository is imageRepository: the deployment ends in
// phase ERROR and the component's build step, and the "build" step above it,
// have status ERROR and reason {code: "BuildJobExitNonZero", message: reason}.
func (s *Server) FailBuild(imageRepository, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failBuilds == nil {
		s.failBuilds = map[string]string{}
	}
	s.failBuilds[imageRepository] = reason
}

// Fault makes the next times requests to route (such as "POST /v2/apps", or
// "*" for any route) fail with status and a DigitalOcean error body. A 429
// also carries Retry-After: 1 and ratelimit-remaining: 0, as DigitalOcean's
// does. Faults are used up in the order they were added.
func (s *Server) Fault(route string, status int, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{route: route, status: status, left: times})
}

// ErrorRate makes a random fraction rate (0 to 1) of requests to route (or
// "*") fail with 500 or 503. A rate of 0 turns it off.
func (s *Server) ErrorRate(route string, rate float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.errorRates == nil {
		s.errorRates = map[string]float64{}
	}
	s.errorRates[route] = rate
}

// Delay holds every request to route (or "*") for d before answering it, or
// until the client gives up. A route's own delay wins over "*".
func (s *Server) Delay(route string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.delays == nil {
		s.delays = map[string]time.Duration{}
	}
	s.delays[route] = d
}

// misbehave applies the delay, faults and error rate set for route. It
// returns a reply with status 0 when the request should be served normally.
func (s *Server) misbehave(ctx context.Context, route string) reply {
	s.mu.Lock()
	d, ok := s.delays[route]
	if !ok {
		d = s.delays["*"]
	}
	s.mu.Unlock()
	sleep(ctx, d)

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if f.left > 0 && (f.route == route || f.route == "*") {
			f.left--
			return faultReply(f.status)
		}
	}
	rate, ok := s.errorRates[route]
	if !ok {
		rate = s.errorRates["*"]
	}
	if rate > 0 && rand.Float64() < rate {
		if rand.IntN(2) == 0 {
			return faultReply(http.StatusInternalServerError)
		}
		return faultReply(http.StatusServiceUnavailable)
	}
	return reply{}
}

// faultReply is DigitalOcean's answer for status.
func faultReply(status int) reply {
	switch status {
	case http.StatusTooManyRequests:
		r := errReply(status, "too_many_requests", "API Rate limit exceeded.")
		r.header = http.Header{"Retry-After": {"1"}, "Ratelimit-Remaining": {"0"}}
		return r
	case http.StatusInternalServerError:
		return errReply(status, "server_error", "Server was unable to give you a response.")
	case http.StatusServiceUnavailable:
		return errReply(status, "service_unavailable", "The service is temporarily unavailable. Please try again later.")
	case http.StatusUnauthorized:
		return errReply(status, "unauthorized", "Unable to authenticate you")
	case http.StatusNotFound:
		return notFound()
	}
	text := http.StatusText(status)
	if text == "" {
		text = "error"
	}
	return errReply(status, strings.ReplaceAll(strings.ToLower(text), " ", "_"), text)
}

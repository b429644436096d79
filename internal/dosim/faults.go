package dosim

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"dobot/internal/dosim/wire"
)

// behaviour holds the switches a test flips to make the server misbehave.
type behaviour struct {
	faults     []*fault
	errorRates map[string]float64
	delays     map[string]time.Duration
}

type fault struct {
	route  string
	status int
	left   int
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
func (s *Server) misbehave(ctx context.Context, route string) wire.Reply {
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
	return wire.Reply{}
}

// faultReply is DigitalOcean's answer for status.
func faultReply(status int) wire.Reply {
	switch status {
	case http.StatusTooManyRequests:
		r := wire.Err(status, "too_many_requests", "API Rate limit exceeded.")
		r.Header = http.Header{"Retry-After": {"1"}, "Ratelimit-Remaining": {"0"}}
		return r
	case http.StatusInternalServerError:
		return wire.Err(status, "server_error", "Server was unable to give you a response.")
	case http.StatusServiceUnavailable:
		return wire.Err(status, "service_unavailable", "The service is temporarily unavailable. Please try again later.")
	case http.StatusUnauthorized:
		return wire.Err(status, "unauthorized", "Unable to authenticate you")
	case http.StatusNotFound:
		return wire.NotFound()
	}
	text := http.StatusText(status)
	if text == "" {
		text = "error"
	}
	return wire.Err(status, strings.ReplaceAll(strings.ToLower(text), " ", "_"), text)
}

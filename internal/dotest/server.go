// Package dotest is a DigitalOcean API server for tests: it speaks the parts
// of the API the bot uses (App Platform, Droplets and their actions, sizes,
// and the container registry) the way DigitalOcean does, and it is held to
// DigitalOcean's own OpenAPI description.
//
// Every request it receives and every response it gives is validated against
// the description with kin-openapi; a request to a route the description does
// not have, or that this server does not implement, gets a 404. Both are
// reported through the testing.TB at cleanup, so a test fails when the code
// under test talks to DigitalOcean in a way the real API would not accept.
// Known gaps between godo and the description are excused in one commented
// list, knownGaps in validate.go. One route the API has is missing from the
// description: POST /v2/apps/detect (godo's Apps.Detect); it is served
// outside the checks, shaped as godo's DetectRequest and DetectResponse.
//
// The state machines are internal/dosim's, which the bot's console also runs
// on: deployments, droplets, actions and garbage collections move on as time
// passes on Options.Clock, so a test steps a fake clock instead of sleeping.
// This package adds what only tests need: the description, the strict
// router, token scopes, the request record and the testing.TB reports.
package dotest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/google/uuid"

	"dobot/internal/dosim"
)

// Options configures a Server. The zero value is ready to use.
type Options struct {
	// Token is the bearer token the server accepts; default "do-test-token".
	// Any other token, or none, gets 401 as from DigitalOcean; a request
	// with no bearer token at all is also a violation of the description.
	Token string
	// PhaseDelay is the time a deployment spends in each of PENDING_BUILD,
	// BUILDING and DEPLOYING, a droplet action or a garbage collection's
	// phase takes, and half the time a new droplet takes to become active;
	// default 200ms.
	PhaseDelay time.Duration
	// Scopes gives more tokens, each with its custom scopes, such as
	// "app:create" or "droplet:read". The server accepts these tokens too,
	// and answers 403 as DigitalOcean does when a route needs a scope the
	// token lacks: the one the description lists for the route (any one of
	// them, when it lists several), plus the associated scopes that
	// DigitalOcean documents, such as tag:create to tag a new droplet.
	Scopes map[string][]string
	// Clock tells the time; default time.Now. Deployment phases are derived
	// from it on every read, so stepping it moves deployments along.
	Clock func() time.Time
}

// Server is a fake DigitalOcean API on an httptest.Server: the simulator,
// whose methods (App, Fault, PushImage, …) it shares, behind the
// description's router and checks. Its methods are safe for concurrent use.
type Server struct {
	*dosim.Server
	opts   Options
	router routers.Router
	ts     *httptest.Server
	close  sync.Once

	mu         sync.Mutex
	arrived    map[string]int // by route, counted before the answer
	requests   []Request
	violations []string
	excused    []string // findings that knownGaps excuse, logged at cleanup
}

// DropletCreate is one droplet the server was asked to create.
type DropletCreate = dosim.DropletCreate

// ConsolePhaseDelay is the simulator's phase delay in the bot's console.
const ConsolePhaseDelay = dosim.ConsolePhaseDelay

// Request is one request the server received, as recorded.
type Request struct {
	Method string
	Path   string
	Query  string
	Body   []byte
	Status int
	At     time.Time
	// Route is the method and the description's path template, such as
	// "POST /v2/apps" or "GET /v2/apps/{id}"; empty for an unknown route.
	// Requests for the log files that the logs routes point at have the
	// route "GET /logs/".
	Route string
}

// newServer applies the defaults and builds a server that is not yet
// listening.
func newServer(opts Options) (*Server, error) {
	router, err := apiRouter()
	if err != nil {
		return nil, err
	}
	sim := dosim.New(dosim.Options{Token: opts.Token, PhaseDelay: opts.PhaseDelay, Clock: opts.Clock})
	opts.Token = sim.Token()
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	return &Server{Server: sim, opts: opts, router: router}, nil
}

// New starts a server and registers its Close with tb.Cleanup. At cleanup it
// calls tb.Errorf for every OpenAPI violation and every request to an unknown
// route.
func New(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s, err := newServer(opts)
	if err != nil {
		tb.Fatalf("dotest: %v", err)
	}
	s.ts = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(func() {
		s.Close()
		s.mu.Lock()
		excused := append([]string(nil), s.excused...)
		s.mu.Unlock()
		for _, e := range excused {
			tb.Logf("dotest: excused: %s", e)
		}
		for _, v := range s.Violations() {
			tb.Errorf("dotest: %s", v)
		}
	})
	return s
}

// URL is the base URL with a trailing slash, as godo.SetBaseURL wants it.
func (s *Server) URL() string { return s.ts.URL + "/" }

// Close shuts the server down; it is safe to call more than once.
func (s *Server) Close() {
	s.close.Do(func() {
		s.Server.Close()
		s.ts.Close()
	})
}

// Violations lists every request or response that broke the description
// (less knownGaps) and every request to an unknown route, in order, then
// every request the simulator does not implement.
func (s *Server) Violations() []string {
	s.mu.Lock()
	out := append([]string(nil), s.violations...)
	s.mu.Unlock()
	return append(out, s.Server.Unsupported()...)
}

// Requests returns every request received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Body = append([]byte(nil), r.Body...)
		out[i] = r
	}
	return out
}

// Arrived is the number of requests for route that have reached the
// simulator, answered or not: a request held by Delay counts here before
// Count sees it.
func (s *Server) Arrived(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.arrived[route]
}

// Count is the number of requests received for route, such as
// "POST /v2/apps" or "GET /v2/apps/{id}".
func (s *Server) Count(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if r.Route == route {
			n++
		}
	}
	return n
}

func (s *Server) now() time.Time { return s.opts.Clock().UTC() }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: body, At: s.now()}
	reqID := uuid.NewString()

	if strings.HasPrefix(r.URL.Path, dosim.LogsPrefix) && r.Method == http.MethodGet {
		rec.Route = "GET " + dosim.LogsPrefix
		rec.Status = s.ServeLogFile(w, r)
		s.record(rec)
		return
	}

	if op, ok := unlistedRoute(r); ok {
		rec.Route = r.Method + " " + r.URL.Path
		rec.Status = s.write(w, r, nil, s.serveUnlisted(r, op, body, reqID))
		s.record(rec)
		return
	}

	route, params, err := s.router.FindRoute(r)
	if err == nil {
		rec.Route = r.Method + " " + route.Path
		if !dosim.Implements(route.Operation.OperationID) {
			s.violate(fmt.Sprintf("unknown route: %s %s (%s, %s is in the description but dotest does not implement it)",
				r.Method, r.URL.Path, route.Operation.OperationID, rec.Route))
			route = nil
		}
	} else {
		s.violate(fmt.Sprintf("unknown route: %s %s is not in the DigitalOcean API description (%v)", r.Method, r.URL.Path, err))
	}
	if route == nil {
		rec.Route = ""
		rec.Status = s.write(w, r, nil, s.Error(http.StatusNotFound, "not_found", "The resource you requested could not be found.", reqID))
		s.record(rec)
		return
	}

	op := route.Operation.OperationID
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route}
	bad := s.judge(op, rec.Route, body, checkRequest(r.Context(), in, body))

	var resp dosim.Response
	token, known := s.token(r)
	switch {
	case !known:
		resp = s.Error(http.StatusUnauthorized, "unauthorized", "Unable to authenticate you", reqID)
	case s.lacksScope(token, route.Operation, r, body):
		resp = s.Error(http.StatusForbidden, "forbidden", "You do not have permission to perform this action.", reqID)
	case len(bad) > 0:
		// DigitalOcean refuses what its description forbids.
		resp = s.Error(http.StatusBadRequest, "bad_request", bad[0], reqID)
	default:
		s.mu.Lock()
		if s.arrived == nil {
			s.arrived = map[string]int{}
		}
		s.arrived[rec.Route]++
		s.mu.Unlock()
		resp = s.Do(r.Context(), op, r, params, body, reqID)
	}
	rec.Status = s.write(w, r, in, resp)
	s.record(rec)
}

// unlistedRoute finds the simulator's name for a request to a route that
// DigitalOcean's description does not have but its API serves (dosim's
// Unlisted: POST /v2/apps/detect, godo's Apps.Detect). Such a request is
// served outside the description checks, since there is no description to
// hold it to; the simulator shapes it as godo's types.
func unlistedRoute(r *http.Request) (string, bool) {
	for op, rt := range dosim.Unlisted() {
		if rt == r.Method+" "+r.URL.Path {
			return op, true
		}
	}
	return "", false
}

// serveUnlisted answers a request to an unlisted route: the token must be
// one the server knows; a token with custom scopes needs app:create, as
// proposing an app does.
func (s *Server) serveUnlisted(r *http.Request, op string, body []byte, reqID string) dosim.Response {
	token, known := s.token(r)
	switch {
	case !known:
		return s.Error(http.StatusUnauthorized, "unauthorized", "Unable to authenticate you", reqID)
	case s.opts.Scopes[token] != nil && !slices.Contains(s.opts.Scopes[token], "app:create"):
		return s.Error(http.StatusForbidden, "forbidden", "You do not have permission to perform this action.", reqID)
	}
	s.mu.Lock()
	if s.arrived == nil {
		s.arrived = map[string]int{}
	}
	s.arrived[r.Method+" "+r.URL.Path]++
	s.mu.Unlock()
	return s.Do(r.Context(), op, r, nil, body, reqID)
}

// write validates resp when in is not nil, sends it and returns its status.
func (s *Server) write(w http.ResponseWriter, r *http.Request, in *openapi3filter.RequestValidationInput, resp dosim.Response) int {
	h := w.Header()
	for k, v := range resp.Header {
		h[k] = v
	}
	if in != nil {
		s.judge(in.Route.Operation.OperationID, r.Method+" "+in.Route.Path, resp.Body, checkResponse(r.Context(), in, resp.Status, h, resp.Body))
	}
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
	return resp.Status
}

// judge records every finding that no known gap excuses and returns them.
func (s *Server) judge(operation, route string, body []byte, found []string) []string {
	var bad []string
	for _, f := range found {
		if g, excused := gapFor(operation, f, body); excused {
			s.mu.Lock()
			s.excused = append(s.excused, fmt.Sprintf("%s (%s): %s [known gap: %s]", route, operation, f, g.reason))
			s.mu.Unlock()
			continue
		}
		bad = append(bad, f)
		s.violate(fmt.Sprintf("OpenAPI violation in %s (%s): %s", route, operation, f))
	}
	return bad
}

func (s *Server) violate(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.violations = append(s.violations, v)
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
}

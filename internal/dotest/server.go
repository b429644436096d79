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
// list, knownGaps in validate.go.
//
// Deployments move through PENDING_BUILD, BUILDING and DEPLOYING to ACTIVE
// (or ERROR), droplets from "new" to "active", actions from "in-progress" to
// "completed" and registry garbage collections from "requested" to
// "succeeded", all as time passes on Options.Clock, so a test steps a fake
// clock instead of sleeping.
package dotest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/google/uuid"
)

const (
	defaultToken      = "do-test-token"
	defaultPhaseDelay = 200 * time.Millisecond
	rateLimit         = 5000
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

// Server is a fake DigitalOcean API on an httptest.Server. Its methods are
// safe for concurrent use.
type Server struct {
	opts   Options
	router routers.Router
	ts     *httptest.Server
	close  sync.Once
	done   chan struct{} // closed by Close: live log streams end

	mu            sync.Mutex
	apps          map[string]*app
	order         []string // app ids, oldest first, as DigitalOcean lists them
	requests      []Request
	violations    []string
	excused       []string // findings that knownGaps excuse, logged at cleanup
	remaining     int      // ratelimit-remaining
	behaviour              // faults.go
	fleet                  // droplets.go
	registryState          // registry.go
	hiddenImages  []string // sizes.go: slugs RemoveImage took out
	dockerSecrets []string // registry.go: docker credentials handed out
	liveBreak     int      // logs.go: lines before live streams break; -1 for never
}

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
	if opts.Token == "" {
		opts.Token = defaultToken
	}
	if opts.PhaseDelay <= 0 {
		opts.PhaseDelay = defaultPhaseDelay
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	router, err := apiRouter()
	if err != nil {
		return nil, err
	}
	return &Server{opts: opts, router: router, apps: map[string]*app{}, remaining: rateLimit, done: make(chan struct{}), liveBreak: -1}, nil
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
		close(s.done)
		s.ts.Close()
	})
}

// Violations lists every request or response that broke the description
// (less knownGaps) and every request to an unknown route, in order.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
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

// call is what a handler needs from one request.
type call struct {
	r      *http.Request
	params map[string]string
	body   []byte
	now    time.Time
}

// reply is what a handler answers: a body to encode as JSON, or an error.
type reply struct {
	status int
	body   any
	err    *apiError
	header http.Header
	empty  bool // no body at all, as in a 204
}

// apiError is DigitalOcean's error body, less the request id that serve adds.
type apiError struct {
	status  int
	id      string
	message string
}

func errReply(status int, id, message string) reply {
	return reply{status: status, err: &apiError{status: status, id: id, message: message}}
}

func notFound() reply {
	return errReply(http.StatusNotFound, "not_found", "The resource you requested could not be found.")
}

func ok(body any) reply { return reply{status: http.StatusOK, body: body} }

// noBody is a reply of status with an empty body, as DigitalOcean sends for
// deletes (204) and for a few actions (200).
func noBody(status int) reply { return reply{status: status, empty: true} }

// errorBody is the JSON of every error DigitalOcean returns.
type errorBody struct {
	ID        string `json:"id"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
}

// logsPrefix is where the log files that the logs routes point at are
// served; DigitalOcean serves them from another host, outside the API.
const logsPrefix = "/logs/"

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: body, At: s.now()}
	reqID := uuid.NewString()

	if strings.HasPrefix(r.URL.Path, logsPrefix) && r.Method == http.MethodGet {
		rec.Route = "GET " + logsPrefix
		rec.Status = s.serveLogFile(w, r)
		s.record(rec)
		return
	}

	route, params, err := s.router.FindRoute(r)
	var handler handlerFunc
	if err == nil {
		rec.Route = r.Method + " " + route.Path
		handler = handlers[route.Operation.OperationID]
		if handler == nil {
			s.violate(fmt.Sprintf("unknown route: %s %s (%s, %s is in the description but dotest does not implement it)",
				r.Method, r.URL.Path, route.Operation.OperationID, rec.Route))
		}
	} else {
		s.violate(fmt.Sprintf("unknown route: %s %s is not in the DigitalOcean API description (%v)", r.Method, r.URL.Path, err))
	}
	if handler == nil {
		rec.Route = ""
		rep := notFound()
		rec.Status = s.write(w, r, nil, reqID, rep)
		s.record(rec)
		return
	}

	op := route.Operation.OperationID
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route}
	bad := s.judge(op, rec.Route, checkRequest(r.Context(), in, body))

	var rep reply
	token, known := s.token(r)
	switch {
	case !known:
		rep = errReply(http.StatusUnauthorized, "unauthorized", "Unable to authenticate you")
	case s.lacksScope(token, route.Operation, r, body):
		rep = errReply(http.StatusForbidden, "forbidden", "You do not have permission to perform this action.")
	case len(bad) > 0:
		// DigitalOcean refuses what its description forbids.
		rep = errReply(http.StatusBadRequest, "bad_request", bad[0])
	default:
		rep = s.misbehave(r.Context(), rec.Route)
		if rep.status == 0 {
			s.mu.Lock()
			rep = handler(s, &call{r: r, params: params, body: body, now: s.now()})
			s.mu.Unlock()
		}
	}
	rec.Status = s.write(w, r, in, reqID, rep)
	s.record(rec)
}

// write encodes rep with DigitalOcean's headers, validates it when in is not
// nil, sends it and returns its status.
func (s *Server) write(w http.ResponseWriter, r *http.Request, in *openapi3filter.RequestValidationInput, reqID string, rep reply) int {
	var payload []byte
	switch {
	case rep.empty:
	case rep.err != nil:
		payload, _ = json.Marshal(errorBody{ID: rep.err.id, Message: rep.err.message, RequestID: reqID})
	default:
		var err error
		if payload, err = json.Marshal(rep.body); err != nil {
			rep = errReply(http.StatusInternalServerError, "server_error", "dotest: encode response: "+err.Error())
			payload, _ = json.Marshal(errorBody{ID: rep.err.id, Message: rep.err.message, RequestID: reqID})
		}
	}
	h := w.Header()
	for k, v := range rep.header {
		h[k] = v
	}
	s.mu.Lock()
	if s.remaining > 0 {
		s.remaining--
	}
	remaining := s.remaining
	s.mu.Unlock()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("ratelimit-limit", strconv.Itoa(rateLimit))
	if h.Get("ratelimit-remaining") == "" {
		h.Set("ratelimit-remaining", strconv.Itoa(remaining))
	}
	h.Set("ratelimit-reset", strconv.FormatInt(s.now().Add(time.Minute).Unix(), 10))
	h.Set("x-request-id", reqID)
	if in != nil {
		s.judge(in.Route.Operation.OperationID, r.Method+" "+in.Route.Path, checkResponse(r.Context(), in, rep.status, h, payload))
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(payload)
	return rep.status
}

// judge records every finding that no known gap excuses and returns them.
func (s *Server) judge(operation, route string, found []string) []string {
	var bad []string
	for _, f := range found {
		if g, excused := gapFor(operation, f); excused {
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

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

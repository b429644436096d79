// Package dosim simulates the parts of DigitalOcean's API the bot uses: App
// Platform apps and their deployments, Droplets and their actions, sizes and
// images, the container registry and its garbage collections, and logs.
//
// Deployments move through PENDING_BUILD, BUILDING and DEPLOYING to ACTIVE
// (or ERROR), droplets from "new" to "active", actions from "in-progress" to
// "completed" and registry garbage collections from "requested" to
// "succeeded", all as time passes on Options.Clock.
//
// It is production code: the bot's console runs against it when no
// DigitalOcean token is set, so it links neither the testing package nor
// the OpenAPI description. internal/dotest wraps it for tests, holding every
// request and response to DigitalOcean's OpenAPI description.
package dosim

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"dobot/internal/dosim/apps"
	"dobot/internal/dosim/droplets"
	"dobot/internal/dosim/registry"
	"dobot/internal/dosim/wire"

	"github.com/google/uuid"
)

const (
	defaultToken      = "do-test-token"
	defaultPhaseDelay = 200 * time.Millisecond
	rateLimit         = 5000
)

// ConsolePhaseDelay is the phase delay the bot's console gives its simulated
// DigitalOcean: slow enough to watch a launch move through its phases, fast
// enough that it goes live in under ten seconds.
const ConsolePhaseDelay = 2 * time.Second

// Options configures a Server. The zero value is ready to use.
type Options struct {
	// Token is the bearer token the server accepts; default "do-test-token".
	// ServeHTTP answers any other token, or none, with 401 as DigitalOcean
	// does.
	Token string
	// PhaseDelay is the time a deployment spends in each of PENDING_BUILD,
	// BUILDING and DEPLOYING, a droplet action or a garbage collection's
	// phase takes, and half the time a new droplet takes to become active;
	// default 200ms.
	PhaseDelay time.Duration
	// Clock tells the time; default time.Now. Deployment phases are derived
	// from it on every read, so stepping it moves deployments along.
	Clock func() time.Time
}

// Server is a simulated DigitalOcean API. Its methods are safe for
// concurrent use.
type Server struct {
	opts  Options
	mux   *http.ServeMux
	close sync.Once
	done  chan struct{} // closed by Close: live log streams end
	http  *http.Server  // set by Start

	url string // set by Start

	// mu guards everything below, and the resource packages' state: they
	// hold no lock of their own.
	mu           sync.Mutex
	apps         *apps.State
	drops        *droplets.State
	reg          *registry.State
	handlers     map[string]wire.Handler // by operationId
	unsupported  []string                // requests the simulator does not implement
	remaining    int                     // ratelimit-remaining
	projectState                         // projects.go
	behaviour                            // faults.go
}

// New builds a server that is not listening: serve it with ServeHTTP, or
// answer single operations with Do.
func New(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = defaultToken
	}
	if opts.PhaseDelay <= 0 {
		opts.PhaseDelay = defaultPhaseDelay
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	s := &Server{opts: opts, remaining: rateLimit, done: make(chan struct{}), projectState: projectState{projects: defaultProjects(opts.Clock().UTC())}}
	report := func(what string) { s.unsupported = append(s.unsupported, what) }
	s.reg = registry.New(opts.PhaseDelay, report)
	s.drops = droplets.New(opts.PhaseDelay, report)
	s.apps = apps.New(apps.Options{Delay: opts.PhaseDelay, Clock: opts.Clock, Registry: s.reg, Lock: &s.mu, Done: s.done,
		Project: func(id string) bool { return s.findProject(id) != nil }})
	s.handlers = map[string]wire.Handler{}
	for _, part := range []map[string]wire.Handler{s.apps.Handlers(), s.drops.Handlers(), s.reg.Handlers(), s.projectHandlers()} {
		for op, h := range part {
			s.handlers[op] = h
		}
	}
	s.mux = http.NewServeMux()
	for _, rt := range routes {
		s.mux.HandleFunc(rt.method+" "+rt.path, s.serveRoute(rt))
	}
	for op, rt := range unlisted {
		s.mux.HandleFunc(rt, s.serveRoute(route{operation: op}))
	}
	s.mux.HandleFunc("GET "+LogsPrefix, func(w http.ResponseWriter, r *http.Request) { s.ServeLogFile(w, r) })
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.write(w, s.finish(wire.NotFound(), uuid.NewString()))
	})
	return s
}

// Start builds a server with New and serves it on a free port of the
// loopback interface, until Close.
func Start(opts Options) (*Server, error) {
	s := New(opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.url = "http://" + ln.Addr().String()
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.http.Serve(ln) }()
	return s, nil
}

// URL is the base URL of a server from Start, with a trailing slash, as
// godo.SetBaseURL wants it.
func (s *Server) URL() string { return s.url + "/" }

// Token is the bearer token the server accepts.
func (s *Server) Token() string { return s.opts.Token }

// Close ends live log streams and, for a server from Start, stops serving.
// It is safe to call more than once.
func (s *Server) Close() {
	s.close.Do(func() {
		close(s.done)
		if s.http != nil {
			_ = s.http.Close()
		}
	})
}

// Unsupported lists the requests the simulator received but does not
// implement, such as a droplet action type it does not know.
func (s *Server) Unsupported() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.unsupported...)
}

// Implements reports whether the simulator serves operation, an operationId
// of DigitalOcean's OpenAPI description such as "apps_create".
func Implements(operation string) bool {
	_, unlisted := unlisted[operation]
	_, ok := routeOf[operation]
	return ok && !unlisted
}

// Routes lists every route the simulator serves, as "METHOD /path/{param}"
// keyed by operationId.
func Routes() map[string]string {
	out := make(map[string]string, len(routes))
	for _, rt := range routes {
		out[rt.operation] = rt.method + " " + rt.path
	}
	return out
}

// Response is one answer, as DigitalOcean would send it.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// ServeHTTP serves the API: it routes by method and path, checks the bearer
// token and answers as DigitalOcean does. Log files the logs routes point
// at are served from /logs/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) serveRoute(rt route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		reqID := uuid.NewString()
		body, err := io.ReadAll(r.Body)
		if err != nil {
			s.write(w, s.Error(http.StatusBadRequest, "bad_request", "unable to read the request body", reqID))
			return
		}
		if !s.authorized(r) {
			s.write(w, s.Error(http.StatusUnauthorized, "unauthorized", "Unable to authenticate you", reqID))
			return
		}
		params := map[string]string{}
		for _, name := range rt.params() {
			params[name] = r.PathValue(name)
		}
		s.write(w, s.Do(r.Context(), rt.operation, r, params, body, reqID))
	}
}

func (s *Server) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	return strings.HasPrefix(h, "Bearer ") && h[len("Bearer "):] == s.opts.Token
}

func (s *Server) write(w http.ResponseWriter, resp Response) {
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
}

// Do answers one call of operation (an operationId of DigitalOcean's
// description) with its path parameters and body, after any delay, fault or
// error rate set for its route. The caller has checked the token.
func (s *Server) Do(ctx context.Context, operation string, r *http.Request, params map[string]string, body []byte, reqID string) Response {
	handler := s.handlers[operation]
	if handler == nil {
		return s.finish(wire.NotFound(), reqID)
	}
	rep := s.misbehave(ctx, routeOf[operation])
	if rep.Status == 0 {
		s.mu.Lock()
		rep = handler(&wire.Call{R: r, Params: params, Body: body, Now: s.now()})
		s.mu.Unlock()
	}
	return s.finish(rep, reqID)
}

// Error is DigitalOcean's error answer: status, with a body of id, message
// and request id.
func (s *Server) Error(status int, id, message, reqID string) Response {
	return s.finish(wire.Err(status, id, message), reqID)
}

func (s *Server) now() time.Time { return s.opts.Clock().UTC() }

// errorBody is the JSON of every error DigitalOcean returns.
type errorBody struct {
	ID        string `json:"id"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
}

// LogsPrefix is the path under which ServeLogFile serves log files.
const LogsPrefix = apps.LogsPrefix

// finish encodes rep with DigitalOcean's headers.
func (s *Server) finish(rep wire.Reply, reqID string) Response {
	var payload []byte
	switch {
	case rep.Empty:
	case rep.Err != nil:
		payload, _ = json.Marshal(errorBody{ID: rep.Err.ID, Message: rep.Err.Message, RequestID: reqID})
	default:
		var err error
		if payload, err = json.Marshal(rep.Body); err != nil {
			rep = wire.Err(http.StatusInternalServerError, "server_error", "dosim: encode response: "+err.Error())
			payload, _ = json.Marshal(errorBody{ID: rep.Err.ID, Message: rep.Err.Message, RequestID: reqID})
		}
	}
	h := http.Header{}
	for k, v := range rep.Header {
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
	return Response{Status: rep.Status, Header: h, Body: payload}
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

package dotest

import (
	"net/http"
	"net/http/httptest"
	"sync"
)

// NewSimulator starts the same server as New without a testing.TB, for a
// harness that runs outside a test. (The bot's console does not use it: it
// runs on internal/dosim, so that the binary links no OpenAPI checks.)
// Nothing fails when the client breaks DigitalOcean's description; each
// violation goes to onViolation (when not nil) as it happens, and Violations
// lists them all. The caller closes the server.
//
// The error is only ever a failure to load the embedded description.
func NewSimulator(opts Options, onViolation func(string)) (*Server, error) {
	s, err := newServer(opts)
	if err != nil {
		return nil, err
	}
	handler := http.Handler(http.HandlerFunc(s.serve))
	if onViolation != nil {
		handler = reportViolations(s, handler, onViolation)
	}
	s.ts = httptest.NewServer(handler)
	return s, nil
}

// reportViolations passes each new violation to report, once and in order,
// before the response that found it leaves: the server records a request's
// violations before it writes a byte of its answer.
func reportViolations(s *Server, next http.Handler, report func(string)) http.Handler {
	var mu sync.Mutex // orders reports across concurrent requests
	reported := 0
	flush := func() {
		mu.Lock()
		defer mu.Unlock()
		all := s.Violations()
		for _, v := range all[reported:] {
			report(v)
		}
		reported = len(all)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&reportingWriter{ResponseWriter: w, flush: flush}, r)
		flush()
	})
}

// reportingWriter reports violations before the status line goes out.
type reportingWriter struct {
	http.ResponseWriter
	flush func()
	wrote bool
}

func (w *reportingWriter) WriteHeader(status int) {
	if !w.wrote {
		w.wrote = true
		w.flush()
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *reportingWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

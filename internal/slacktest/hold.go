package slacktest

import (
	"net/url"
	"sync"
)

// hold is one Hold: matching calls wait on release before they are answered.
type hold struct {
	match   func(method string, form url.Values) bool
	release chan struct{}
	once    sync.Once
}

func (h *hold) open() { h.once.Do(func() { close(h.release) }) }

// Hold makes every Web API call matching match wait, after it took effect
// and was recorded but before it is answered, until release is called. A
// test uses it to act at a precise point in the bot's work: while the bot
// still waits for Slack to confirm a message, whatever it does next has not
// happened yet. release may be called more than once; Close releases too.
func (s *Server) Hold(match func(method string, form url.Values) bool) (release func()) {
	h := &hold{match: match, release: make(chan struct{})}
	s.holdMu.Lock()
	s.holds = append(s.holds, h)
	s.holdMu.Unlock()
	return h.open
}

// waitHolds blocks a call that matches a Hold until it is released.
func (s *Server) waitHolds(req *apiRequest) {
	s.holdMu.Lock()
	var waits []chan struct{}
	for _, h := range s.holds {
		if h.match(req.method, req.form) {
			waits = append(waits, h.release)
		}
	}
	s.holdMu.Unlock()
	for _, w := range waits {
		<-w
	}
}

// releaseHolds lets every held call through, for Close.
func (s *Server) releaseHolds() {
	s.holdMu.Lock()
	defer s.holdMu.Unlock()
	for _, h := range s.holds {
		h.open()
	}
}

package slackbot

import "sync"

// recentSet remembers the last n keys it was given.
type recentSet struct {
	mu    sync.Mutex
	keys  map[string]struct{}
	order []string
	n     int
}

func newRecentSet(n int) *recentSet {
	return &recentSet{keys: make(map[string]struct{}, n), n: n}
}

// add records key and reports whether it was new.
func (s *recentSet) add(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.keys[key]; ok {
		return false
	}
	if len(s.order) >= s.n {
		delete(s.keys, s.order[0])
		s.order = s.order[1:]
	}
	s.keys[key] = struct{}{}
	s.order = append(s.order, key)
	return true
}

package dosim

import "testing"

// Every route the simulator places has a handler in one of the resource
// packages, and every handler has a route: a handler without one could
// never be reached, and a route without one would answer 404.
func TestEveryRouteHasAHandler(t *testing.T) {
	s := New(Options{})
	for _, rt := range routes {
		if s.handlers[rt.operation] == nil {
			t.Errorf("route %s %s (%s) has no handler", rt.method, rt.path, rt.operation)
		}
	}
	for op := range unlisted {
		if s.handlers[op] == nil {
			t.Errorf("unlisted route %s has no handler", op)
		}
	}
	for op := range s.handlers {
		if _, ok := routeOf[op]; !ok {
			t.Errorf("handler %s has no route", op)
		}
	}
}

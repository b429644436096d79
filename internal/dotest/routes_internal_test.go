package dotest

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"dobot/internal/dosim"
)

// TestSimulatorRoutesMatchDescription checks that the simulator's own
// router, which the console uses without the description, places every
// operation where DigitalOcean's description does.
func TestSimulatorRoutesMatchDescription(t *testing.T) {
	router, err := apiRouter()
	if err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`\{[a-z_]+\}`)
	for op, rt := range dosim.Routes() {
		method, path, _ := strings.Cut(rt, " ")
		r := httptest.NewRequest(method, param.ReplaceAllString(path, "x1"), nil)
		route, _, err := router.FindRoute(r)
		if err != nil {
			t.Errorf("simulator route %s (%s): not in the description: %v", rt, op, err)
			continue
		}
		if route.Operation.OperationID != op || route.Path != path {
			t.Errorf("simulator route %s is %s; the description has %s %s there", rt, op, route.Operation.OperationID, route.Path)
		}
	}
}

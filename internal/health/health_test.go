package health

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"dobot/internal/metrics"
)

func storeOK(context.Context) error { return nil }

func storeDown(context.Context) error {
	return errors.New("ping: database is locked\n(SQLITE_BUSY)")
}

func connected() bool    { return true }
func disconnected() bool { return false }

func TestHandler(t *testing.T) {
	tests := []struct {
		name       string
		checks     Checks
		wantStatus int
		wantBody   string
	}{
		{"all well", Checks{Store: storeOK, SlackConnected: connected}, 200,
			`{"store":"ok","slack":"connected"}`},
		{"store down", Checks{Store: storeDown, SlackConnected: connected}, 503,
			`{"store":"unreachable","slack":"connected","error":"store: ping: database is locked (SQLITE_BUSY)"}`},
		{"slack down", Checks{Store: storeOK, SlackConnected: disconnected}, 503,
			`{"store":"ok","slack":"disconnected","error":"slack: Socket Mode is not connected"}`},
		{"both down", Checks{Store: storeDown, SlackConnected: disconnected}, 503,
			`{"store":"unreachable","slack":"disconnected","error":"store: ping: database is locked (SQLITE_BUSY); slack: Socket Mode is not connected"}`},
		{"slack reconnecting", Checks{Store: storeOK, SlackState: func() string { return SlackReconnecting }}, 503,
			`{"store":"ok","slack":"reconnecting","error":"slack: Socket Mode connection lost; reconnecting"}`},
		{"slack connecting", Checks{Store: storeOK, SlackState: func() string { return SlackConnecting }}, 503,
			`{"store":"ok","slack":"connecting","error":"slack: connecting to Socket Mode"}`},
		{"slack state connected", Checks{Store: storeOK, SlackState: func() string { return SlackConnected }}, 200,
			`{"store":"ok","slack":"connected"}`},
		{"no checks", Checks{}, 503,
			`{"store":"unreachable","slack":"disconnected","error":"store: no check configured; slack: no check configured"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			Handler(tt.checks).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
			if rec.Code != tt.wantStatus {
				t.Errorf("GET /healthz status = %d; want %d", rec.Code, tt.wantStatus)
			}
			if got := strings.TrimSpace(rec.Body.String()); got != tt.wantBody {
				t.Errorf("GET /healthz body = %s; want %s", got, tt.wantBody)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q; want application/json", ct)
			}
		})
	}
}

// TestHandlerStoreDeadline checks that the store check runs under a short
// deadline of its own, so a stuck store cannot hang the health check.
func TestHandlerStoreDeadline(t *testing.T) {
	c := Checks{SlackConnected: connected, Store: func(ctx context.Context) error {
		deadline, ok := ctx.Deadline()
		if !ok {
			t.Error("store check ran without a deadline")
		} else if d := time.Until(deadline); d > storeTimeout {
			t.Errorf("store check deadline in %v; want at most %v", d, storeTimeout)
		}
		return nil
	}}
	rec := httptest.NewRecorder()
	Handler(c).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("GET /healthz status = %d; want 200", rec.Code)
	}
}

func TestHandlerMethods(t *testing.T) {
	h := Handler(Checks{Store: storeOK, SlackConnected: connected})
	for method, want := range map[string]int{http.MethodHead: 200, http.MethodPost: 405, http.MethodDelete: 405} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, "/healthz", nil))
		if rec.Code != want {
			t.Errorf("%s /healthz status = %d; want %d", method, rec.Code, want)
		}
	}
}

func TestProbe(t *testing.T) {
	healthy := httptest.NewServer(Handler(Checks{Store: storeOK, SlackConnected: connected}))
	defer healthy.Close()
	sick := httptest.NewServer(Handler(Checks{Store: storeDown, SlackConnected: disconnected}))
	defer sick.Close()
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom\nstack trace", http.StatusInternalServerError)
	}))
	defer broken.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()

	ctx := context.Background()
	if err := Probe(ctx, healthy.URL+"/healthz"); err != nil {
		t.Errorf("Probe(healthy) = %v; want nil", err)
	}
	tests := []struct {
		name, url string
		want      []string // substrings of the error
	}{
		{"unhealthy", sick.URL + "/healthz",
			[]string{"503 Service Unavailable", "store: ping: database is locked (SQLITE_BUSY)", "slack: Socket Mode is not connected"}},
		{"not JSON", broken.URL + "/healthz", []string{"500 Internal Server Error", broken.URL}},
		{"not listening", gone.URL + "/healthz", []string{"cannot reach " + gone.URL + "/healthz", "refused"}},
		{"bad URL", "http://[::1", []string{"bad URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Probe(ctx, tt.url)
			if err == nil {
				t.Fatalf("Probe(%s) = nil; want an error", tt.name)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("Probe(%s) = %q; want one line", tt.name, msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("Probe(%s) = %q; want it to mention %q", tt.name, msg, w)
				}
			}
		})
	}
}

func TestProbeTimeout(t *testing.T) {
	stuck := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stuck:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(stuck)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := Probe(ctx, srv.URL+"/healthz")
	if err == nil || !strings.Contains(err.Error(), "deadline exceeded") {
		t.Errorf("Probe(stuck server) = %v; want a deadline error", err)
	}
}

func TestServer(t *testing.T) {
	tests := []struct {
		name        string
		m           *metrics.Metrics
		wantMetrics int
	}{
		{"with metrics", metrics.New(), 200},
		{"without metrics", nil, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.m.CommandDone("help", "ok")
			srv := NewServer("127.0.0.1:0", Checks{Store: storeOK, SlackConnected: connected}, tt.m)
			if srv.ReadHeaderTimeout == 0 || srv.ReadTimeout == 0 || srv.WriteTimeout == 0 || srv.IdleTimeout == 0 {
				t.Errorf("NewServer timeouts: header %v, read %v, write %v, idle %v; want all set",
					srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout)
			}
			ln, err := net.Listen("tcp", srv.Addr)
			if err != nil {
				t.Fatal(err)
			}
			go srv.Serve(ln)
			defer srv.Shutdown(context.Background())

			if err := Probe(context.Background(), URL(ln.Addr().String())); err != nil {
				t.Errorf("Probe(%s) = %v; want nil", URL(ln.Addr().String()), err)
			}
			resp, err := http.Get("http://" + ln.Addr().String() + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantMetrics {
				t.Fatalf("GET /metrics status = %d; want %d", resp.StatusCode, tt.wantMetrics)
			}
			if tt.m != nil && !strings.Contains(string(body), `dobot_commands_total{command="help",result="ok"} 1`) {
				t.Errorf("GET /metrics lacks the help command:\n%s", body)
			}
		})
	}
}

func TestNewServerDefaultAddr(t *testing.T) {
	if got := NewServer("", Checks{}, nil).Addr; got != DefaultAddr {
		t.Errorf("NewServer(\"\").Addr = %q; want %q", got, DefaultAddr)
	}
}

func TestURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "http://127.0.0.1:8080/healthz"},
		{":8080", "http://127.0.0.1:8080/healthz"},
		{"0.0.0.0:9090", "http://127.0.0.1:9090/healthz"},
		{"[::]:8080", "http://127.0.0.1:8080/healthz"},
		{"localhost:8081", "http://localhost:8081/healthz"},
		{"10.0.0.5:8080", "http://10.0.0.5:8080/healthz"},
		{"[::1]:8080", "http://[::1]:8080/healthz"},
	}
	for _, tt := range tests {
		if got := URL(tt.in); got != tt.want {
			t.Errorf("URL(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// TestHandlerNamesTheInstance: with several replicas behind one address,
// /healthz says which one answered.
func TestHandlerNamesTheInstance(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler(Checks{Store: storeOK, SlackConnected: connected, Instance: "web-1"}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if got, want := strings.TrimSpace(rec.Body.String()), `{"instance":"web-1","store":"ok","slack":"connected"}`; got != want {
		t.Errorf("GET /healthz = %s; want %s", got, want)
	}
}

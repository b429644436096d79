package bench

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"dobot/internal/regtest"
)

// regTimer records when each registry request arrived and when its answer
// was written, behind a proxy in front of each of regtest's registries.
type regTimer struct {
	mu          sync.Mutex
	first, last time.Time
	n           int
}

func (r *regTimer) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.first, r.last, r.n = time.Time{}, time.Time{}, 0
}

// span is the time from the first request's arrival to the last answer.
func (r *regTimer) span() (time.Duration, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last.Sub(r.first), r.n
}

func (r *regTimer) wrap(target string) (http.Handler, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	return http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
		arrived := time.Now()
		proxy.ServeHTTP(w, q)
		done := time.Now()
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.first.IsZero() || arrived.Before(r.first) {
			r.first = arrived
		}
		if done.After(r.last) {
			r.last = done
		}
		r.n++
	}), nil
}

// timedRegistries starts regtest's registries behind timing proxies and
// returns the BOT_REGISTRY_MIRRORS value that points the bot at them.
func timedRegistries(t *testing.T) (*regTimer, string) {
	reg, err := regtest.Start(regtest.Options{DOToken: doToken})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Close)
	timer := &regTimer{}
	var mirrors []string
	for _, host := range []string{regtest.HostDockerHub, regtest.HostGHCR, regtest.HostDOCR} {
		h, err := timer.wrap(reg.URL(host))
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		mirrors = append(mirrors, host+"="+srv.URL)
	}
	return timer, strings.Join(mirrors, ",")
}

// measurePreflight launches sz.preflights apps one after another, each from
// an image in the local registry, and takes for each the time the
// pre-flight check adds before the launch's first card: the check runs
// before the card is posted (the card shows the port it found), so it is
// the span from the check's first registry request to its last answer.
// The whole command → card time is noted beside it.
func measurePreflight(t *testing.T, sz sizes, res *results) {
	timer, mirrors := timedRegistries(t)
	r := newRig(t, rigOptions{phaseDelay: 10 * time.Minute, env: []string{"BOT_REGISTRY_MIRRORS=" + mirrors}})
	var added, card []time.Duration
	requests := 0
	for i := range sz.preflights {
		app := fmt.Sprintf("pf%02d", i)
		timer.reset()
		env := r.slash("launch " + app + " --image ghcr.io/acme/web:1.2.3")
		heads := r.waitMessages(1, 60*time.Second, isHead(app))
		if len(heads) == 0 {
			t.Fatalf("no card for the launch of %s\nmessages: %v\n%s", app, r.slack.Messages(), r.logs)
		}
		if !strings.Contains(string(heads[0].Blocks), "from the image") {
			t.Fatalf("the card of %s does not show the port from the image, so no check ran: %.300s", app, heads[0].Text)
		}
		span, n := timer.span()
		if n == 0 {
			t.Fatalf("the launch of %s made no registry request", app)
		}
		a, ok := r.waitAcks([]string{env}, 10*time.Second)[env]
		if !ok {
			t.Fatalf("no ack for the launch of %s", app)
		}
		added, card = append(added, span), append(card, heads[0].At.Sub(a.SentAt))
		requests = n
	}
	added, card = sortDurations(added), sortDurations(card)
	res.add(fmt.Sprintf("pre-flight: time the image check adds before a launch's first card, local registry (%d launches)", len(added)),
		"p50 ≤ 300 ms",
		fmt.Sprintf("p50 %s, max %s", ms(percentile(added, 50)), ms(added[len(added)-1])),
		percentile(added, 50) <= 300*time.Millisecond)
	res.note("pre-flight: %d registry requests per launch (ghcr.io/acme/web:1.2.3 through BOT_REGISTRY_MIRRORS); command → first card p50 %s, max %s",
		requests, ms(percentile(card, 50)), ms(card[len(card)-1]))
}

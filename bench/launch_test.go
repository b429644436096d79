package bench

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"dobot/internal/botproc"
	"dobot/internal/dotest"
	"dobot/internal/slacktest"
)

// isHead matches the head message of the launch of app.
func isHead(app string) func(slacktest.Message) bool {
	return func(m slacktest.Message) bool {
		return m.Method == "chat.postMessage" && m.Channel == channel && m.ThreadTS == "" &&
			strings.Contains(m.Text, "is launching "+app+" (")
	}
}

// isLive matches the final reply of a successful launch of app.
func isLive(app string) func(slacktest.Message) bool {
	return func(m slacktest.Message) bool {
		return m.Method == "chat.postMessage" && m.Channel == channel && m.ThreadTS != "" &&
			strings.Contains(m.Text, app+" is live at ")
	}
}

// launchMessages counts the launch's own Slack calls in channel: posts and
// updates, not acks (which are socket frames) nor private answers.
func launchMessages(calls []slacktest.Call, from, to time.Time) (n int, byMethod map[string]int) {
	byMethod = map[string]int{}
	for _, c := range calls {
		if c.At.Before(from) || c.At.After(to) {
			continue
		}
		if (c.Method == "chat.postMessage" || c.Method == "chat.update") && c.Form.Get("channel") == channel {
			n++
			byMethod[c.Method]++
		}
	}
	return n, byMethod
}

func countRoutes(reqs []dotest.Request) string {
	by := map[string]int{}
	for _, q := range reqs {
		by[q.Route]++
	}
	keys := make([]string, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s ×%d", k, by[k])
	}
	return strings.Join(parts, ", ")
}

// measureOneLaunch launches one app whose deployment takes three phases of
// sz.launchPhase, and counts the DigitalOcean and Slack requests from the
// command to the final "is live" reply.
func measureOneLaunch(t *testing.T, sz sizes, res *results) {
	r := newRig(t, rigOptions{phaseDelay: sz.launchPhase}) // returns once start-up calls are done
	before := time.Now()
	doBefore := len(r.do.Requests())
	r.slash("launch web --image ghcr.io/acme/web:1.2.3")
	timeout := 3*sz.launchPhase + 90*time.Second
	live := r.waitMessages(1, timeout, isLive("web"))
	if len(live) == 0 {
		t.Fatalf("no live reply within %v\nmessages: %v\n%s", timeout, r.slack.Messages(), r.logs)
	}
	end := live[0].At
	doReqs := r.do.Requests()[doBefore:]
	var counted []dotest.Request
	for _, q := range doReqs {
		if !q.At.After(end) {
			counted = append(counted, q)
		}
	}
	slackN, byMethod := launchMessages(r.slack.Calls(), before, end)
	var deployedIn time.Duration
	if apps := r.do.Apps(); len(apps) == 1 {
		deployedIn = end.Sub(apps[0].CreatedAt.Add(3 * sz.launchPhase))
	}
	res.add(fmt.Sprintf("one launch, deployment of %v (adaptive pace)", 3*sz.launchPhase),
		"≤ 15 DigitalOcean requests, ≤ 8 Slack requests",
		fmt.Sprintf("%d DigitalOcean, %d Slack (%d chat.postMessage + %d chat.update)",
			len(counted), slackN, byMethod["chat.postMessage"], byMethod["chat.update"]),
		len(counted) <= 15 && slackN <= 8)
	res.note("one launch: command to \"is live\" reply %s, of which %s after DigitalOcean went ACTIVE; DigitalOcean requests: %s",
		ms(end.Sub(before)), ms(deployedIn), countRoutes(counted))
	var thread []string
	for _, m := range r.slack.Messages() {
		if (m.Method == "chat.postMessage" || m.Method == "chat.update") && m.Channel == channel && !m.At.Before(before) && !m.At.After(end) {
			thread = append(thread, fmt.Sprintf("+%.1fs %s %q", m.At.Sub(before).Seconds(), m.Method, clip(m.Text, 60)))
		}
	}
	res.note("one launch Slack calls: %s", strings.Join(thread, "; "))
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// phase is one deployment phase change and the thread reply that shows it.
type phase struct {
	name  string              // as it starts on DigitalOcean
	after int                 // phase delays after creation
	text  func(string) string // text of the thread reply for app
}

var phases = []phase{
	{"PENDING_BUILD", 0, func(string) string { return "Waiting to build" }},
	{"BUILDING", 1, func(string) string { return "🔨 Building" }},
	{"DEPLOYING", 2, func(string) string { return "🚀 Deploying" }},
	{"ACTIVE", 3, func(app string) string { return app + " is live at " }},
}

// measureFleet launches sz.fleet apps at once and reports DigitalOcean's
// request rate while they are watched, and how late each thread shows each
// phase change.
func measureFleet(t *testing.T, sz sizes, res *results) {
	r := newRig(t, rigOptions{phaseDelay: sz.fleetPhase})
	watchFleet(t, r, sz, res, fmt.Sprintf("%d launches watched at once, deployment of %v", sz.fleet, 3*sz.fleetPhase))
}

// watchFleet launches sz.fleet apps at once through r and adds the row
// named measure.
func watchFleet(t *testing.T, r *rig, sz sizes, res *results, measure string) {
	before := time.Now()
	doBefore := len(r.do.Requests())
	names := make([]string, sz.fleet)
	for i := range names {
		names[i] = fmt.Sprintf("fleet-%03d", i)
		r.slash(fmt.Sprintf("launch %s --image nginx:1.27", names[i]))
	}
	timeout := 3*sz.fleetPhase + 3*time.Minute
	lives := r.waitMessages(len(names), timeout, func(m slacktest.Message) bool {
		return m.Method == "chat.postMessage" && m.ThreadTS != "" && strings.Contains(m.Text, " is live at ")
	})
	if len(lives) < len(names) {
		t.Errorf("%d of %d launches went live within %v\n%s", len(lives), len(names), timeout, botproc.Tail(r.logs.String(), 4000))
	}
	if len(lives) == 0 {
		t.FailNow()
	}
	end := lives[len(lives)-1].At

	// DigitalOcean requests while watching: everything but the creations.
	var watching []time.Time
	creations := 0
	for _, q := range r.do.Requests()[doBefore:] {
		if q.At.After(end) {
			continue
		}
		if q.Route == "POST /v2/apps" {
			creations++
			continue
		}
		watching = append(watching, q.At)
	}
	peak := peakPerMinute(watching)
	span := end.Sub(before)
	mean := float64(len(watching)) / span.Minutes()

	// Phase changes, from dotest's creation times, against thread replies.
	created := map[string]time.Time{}
	for _, a := range r.do.Apps() {
		if a.Spec != nil {
			created[a.Spec.Name] = a.CreatedAt
		}
	}
	msgs := r.slack.Messages()
	heads := map[string]string{} // app → head ts
	for _, name := range names {
		for _, m := range msgs {
			if isHead(name)(m) {
				heads[name] = m.TS
				break
			}
		}
	}
	var delays []time.Duration
	missed := 0
	var worstWhat string
	var worst time.Duration
	for _, name := range names {
		head, ok := heads[name]
		c, ok2 := created[name]
		if !ok || !ok2 {
			missed += len(phases)
			continue
		}
		for _, p := range phases {
			startAt := c.Add(time.Duration(p.after) * sz.fleetPhase)
			text := p.text(name)
			found := false
			for _, m := range msgs {
				if m.Method == "chat.postMessage" && m.ThreadTS == head && strings.Contains(m.Text, text) {
					d := m.At.Sub(startAt)
					delays = append(delays, d)
					if d > worst {
						worst, worstWhat = d, name+" "+p.name
					}
					found = true
					break
				}
			}
			if !found {
				missed++
			}
		}
	}
	if len(delays) == 0 {
		t.Fatalf("no phase change shown in any thread\n%s", r.logs)
	}
	sorted := sortDurations(delays)
	res.add(measure,
		"≤ 60 DigitalOcean requests a minute; every phase change in its thread within 30 s",
		fmt.Sprintf("peak %d requests in any minute (mean %.1f/min, %d in %s); phase change → reply max %s, p50 %s; %d of %d phase changes not shown",
			peak, mean, len(watching), ms(span), ms(worst), ms(percentile(sorted, 50)), missed, len(names)*len(phases)),
		peak <= 60 && missed == 0 && worst <= 30*time.Second)
	res.note("%s: %d creations (not counted); watching requests: %s; slowest phase change shown: %s; first to last live reply %s",
		measure, creations, countRoutes(watchingReqs(r.do.Requests()[doBefore:], end)), worstWhat, ms(end.Sub(lives[0].At)))
}

func watchingReqs(reqs []dotest.Request, end time.Time) []dotest.Request {
	var out []dotest.Request
	for _, q := range reqs {
		if q.Route != "POST /v2/apps" && !q.At.After(end) {
			out = append(out, q)
		}
	}
	return out
}

// peakPerMinute is the most requests in any 60-second window.
func peakPerMinute(at []time.Time) int {
	s := append([]time.Time(nil), at...)
	sort.Slice(s, func(i, j int) bool { return s[i].Before(s[j]) })
	peak, lo := 0, 0
	for hi := range s {
		for s[hi].Sub(s[lo]) >= time.Minute {
			lo++
		}
		peak = max(peak, hi-lo+1)
	}
	return peak
}

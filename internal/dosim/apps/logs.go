package apps

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"dobot/internal/dosim/wire"

	"github.com/digitalocean/godo"
	"github.com/gorilla/websocket"
)

// getLogs serves the four logs routes. Like DigitalOcean's they answer
// {"live_url": ..., "historic_urls": [...]}: URLs of plain-text log files,
// here on this server under /logs/. A finished deployment's log is also
// listed in historic_urls.
func (s *State) getLogs(c *wire.Call) wire.Reply {
	a := s.apps[c.Params["app_id"]]
	if a == nil {
		return wire.NotFound()
	}
	i := -1
	if id, ok := c.Params["deployment_id"]; ok {
		i = a.deployment(id)
	} else {
		_, _, i, _ = a.phases(c.Now)
	}
	if i < 0 {
		return wire.NotFound()
	}
	q := c.R.URL.Query()
	comp := c.Params["component_name"]
	if comp == "" {
		comp = q.Get("component_name")
	}
	if comp != "" && !hasComponent(a.deployments[i].spec, comp) {
		return wire.NotFound()
	}
	v := url.Values{"type": {q.Get("type")}}
	if comp != "" {
		v.Set("component", comp)
	}
	link := fmt.Sprintf("%s%s%s/%s?%s", c.Base(), LogsPrefix, a.id, a.deployments[i].id, v.Encode())
	if p, _ := a.deployments[i].phase(c.Now); !inProgress(p) && p != godo.DeploymentPhase_Active {
		// A past deployment's logs are archived files.
		return wire.OK(godo.AppLogs{HistoricURLs: []string{link}})
	}
	// An in-progress or active deployment's logs are a live stream: a
	// websocket (wss:// on DigitalOcean, ws:// here) that keeps pushing
	// lines and never ends by itself.
	v.Set("live", "1")
	live := fmt.Sprintf("ws%s%s%s/%s?%s", strings.TrimPrefix(c.Base(), "http"), LogsPrefix, a.id, a.deployments[i].id, v.Encode())
	return wire.OK(godo.AppLogs{LiveURL: live, HistoricURLs: []string{}})
}

func hasComponent(spec *godo.AppSpec, name string) bool {
	for _, c := range components(spec) {
		if c.name == name {
			return true
		}
	}
	return false
}

// ServeLogFile serves a log file that a logs route pointed at, as plain
// text: one "COMPONENT TIMESTAMP MESSAGE" line per event so far. It returns
// the status it answered.
func (s *State) ServeLogFile(w http.ResponseWriter, r *http.Request) int {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, LogsPrefix), "/")
	s.lock.Lock()
	var text string
	found := false
	if len(parts) == 2 {
		if a := s.apps[parts[0]]; a != nil {
			if i := a.deployment(parts[1]); i >= 0 {
				found = true
				text = a.deployments[i].logText(s.now(), r.URL.Query().Get("type"), r.URL.Query().Get("component"))
			}
		}
	}
	s.lock.Unlock()
	if !found {
		http.Error(w, "log not found", http.StatusNotFound)
		return http.StatusNotFound
	}
	if r.URL.Query().Get("live") == "1" {
		return s.streamLog(w, r, parts[0], parts[1])
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(text))
	return http.StatusOK
}

// logText is what the deployment's log of logType says at now.
func (d *deployment) logText(now time.Time, logType, only string) string {
	var b strings.Builder
	line := func(at time.Time, comp, format string, args ...any) {
		if !at.After(now) && (d.stoppedAt.IsZero() || !at.After(d.stoppedAt)) {
			fmt.Fprintf(&b, "%s %s %s\n", comp, at.UTC().Format(time.RFC3339Nano), fmt.Sprintf(format, args...))
		}
	}
	build, deploy := logType == "" || logType == "UNSPECIFIED" || logType == "BUILD", logType == "" || logType == "UNSPECIFIED" || logType == "DEPLOY"
	run := logType == "" || logType == "UNSPECIFIED" || logType == "RUN"
	q := d.delay / 4
	for _, c := range components(d.spec) {
		if only != "" && c.name != only {
			continue
		}
		b0, p := d.buildAt(), d.deployAt()
		if build && !d.restart {
			switch {
			case c.imageRepository != "":
				line(b0.Add(q), c.name, "Pulling image %s", c.imageRepository)
			case c.repo != "":
				line(b0.Add(q), c.name, "Cloning %s at commit %s", c.repo, d.commit)
				line(b0.Add(q), c.name, "Building %s from source", c.kind)
			default:
				line(b0.Add(q), c.name, "Building %s from source", c.kind)
			}
			if reason, failed := d.failing[c.name]; failed {
				line(p, c.name, "ERROR: build failed: %s", reason)
				continue
			}
			line(p, c.name, "Build complete")
		}
		if len(d.failing) > 0 {
			continue
		}
		if deploy && d.deploys(c.name) {
			line(p.Add(q), c.name, "Starting %s", c.kind)
			if why, failed := d.deployFailing[c.name]; failed {
				line(d.doneAt(), c.name, "ERROR: %s", why.message)
				continue
			}
			line(p.Add(2*q), c.name, "Health checks passed")
		}
		if run {
			line(d.doneAt(), c.name, "%s %s is running", c.kind, c.name)
		}
	}
	return b.String()
}

// LogsPrefix is where the log files that the logs routes point at are
// served; DigitalOcean serves them from another host, outside the API.
const LogsPrefix = "/logs/"

var logUpgrader = websocket.Upgrader{}

// streamLog serves a live log as DigitalOcean does: a websocket whose text
// messages are JSON objects {"data": "LINE"} (the shape doctl's `apps logs
// --follow` reads). It sends the lines so far, then each new one as it
// appears; a running app's run log gains a request line every phase delay.
// It never closes the stream: only the client, or the server's Close, ends
// it. A plain GET gets 400, as a websocket endpoint answers.
func (s *State) streamLog(w http.ResponseWriter, r *http.Request, appID, depID string) int {
	if !websocket.IsWebSocketUpgrade(r) {
		http.Error(w, "this log is a live stream: connect with a websocket", http.StatusBadRequest)
		return http.StatusBadRequest
	}
	conn, err := logUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return http.StatusBadRequest
	}
	defer conn.Close()
	// Notice the client going away: reading fails once it has.
	gone := make(chan struct{})
	go func() {
		defer close(gone)
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	q := r.URL.Query()
	sent := 0
	tick := time.NewTicker(s.delay / 4)
	defer tick.Stop()
	for {
		s.lock.Lock()
		var text string
		if a := s.apps[appID]; a != nil {
			if i := a.deployment(depID); i >= 0 {
				text = a.deployments[i].logText(s.now(), q.Get("type"), q.Get("component")) + a.deployments[i].requestLines(s.now(), q.Get("type"), q.Get("component"))
			}
		}
		s.lock.Unlock()
		lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
		if text == "" {
			lines = nil
		}
		for ; sent < len(lines); sent++ {
			if s.breakLive(sent) {
				// Drop the connection without a close frame, as a network
				// failure would.
				conn.NetConn().Close()
				return http.StatusSwitchingProtocols
			}
			msg, _ := json.Marshal(map[string]string{"data": lines[sent] + "\n"})
			if err := conn.WriteMessage(websocket.TextMessage, msg); err != nil {
				return http.StatusSwitchingProtocols
			}
		}
		select {
		case <-gone:
			return http.StatusSwitchingProtocols
		case <-s.done:
			return http.StatusSwitchingProtocols
		case <-tick.C:
		}
	}
}

// requestLines are the lines a running service logs after it is up: one
// request every phase delay, for as long as it runs.
func (d *deployment) requestLines(now time.Time, logType, only string) string {
	if logType != "" && logType != "UNSPECIFIED" && logType != "RUN" || len(d.failing) > 0 || now.Before(d.doneAt()) {
		return ""
	}
	end := now
	if !d.stoppedAt.IsZero() && d.stoppedAt.Before(end) {
		end = d.stoppedAt
	}
	var b strings.Builder
	for _, c := range components(d.spec) {
		if only != "" && c.name != only || c.kind != "service" {
			continue
		}
		for at := d.doneAt().Add(d.delay); !at.After(end); at = at.Add(d.delay) {
			fmt.Fprintf(&b, "%s %s GET / 200\n", c.name, at.UTC().Format(time.RFC3339Nano))
		}
	}
	return b.String()
}

// BreakLiveLogs makes every live log stream opened from now on drop its
// connection after sending n lines, as a broken network would; a negative n
// turns it off.
func (s *State) BreakLiveLogs(n int) {
	s.liveBreak = n
}

func (s *State) breakLive(sent int) bool {
	s.lock.Lock()
	defer s.lock.Unlock()
	return s.liveBreak >= 0 && sent >= s.liveBreak
}

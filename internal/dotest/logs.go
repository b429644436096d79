package dotest

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/digitalocean/godo"
)

// getLogs serves the four logs routes. Like DigitalOcean's they answer
// {"live_url": ..., "historic_urls": [...]}: URLs of plain-text log files,
// here on this server under /logs/. A finished deployment's log is also
// listed in historic_urls.
func getLogs(s *Server, c *call) reply {
	a := s.apps[c.params["app_id"]]
	if a == nil {
		return notFound()
	}
	i := -1
	if id, ok := c.params["deployment_id"]; ok {
		i = a.deployment(id)
	} else {
		_, _, i, _ = a.phases(c.now)
	}
	if i < 0 {
		return notFound()
	}
	q := c.r.URL.Query()
	comp := c.params["component_name"]
	if comp == "" {
		comp = q.Get("component_name")
	}
	if comp != "" && !hasComponent(a.deployments[i].spec, comp) {
		return notFound()
	}
	v := url.Values{"type": {q.Get("type")}}
	if comp != "" {
		v.Set("component", comp)
	}
	link := fmt.Sprintf("%s%s%s/%s?%s", s.ts.URL, logsPrefix, a.id, a.deployments[i].id, v.Encode())
	historic := []string{}
	if p, _ := a.deployments[i].phase(c.now); !inProgress(p) && p != godo.DeploymentPhase_Active {
		historic = append(historic, link)
	}
	return ok(godo.AppLogs{LiveURL: link, HistoricURLs: historic})
}

func hasComponent(spec *godo.AppSpec, name string) bool {
	for _, c := range components(spec) {
		if c.name == name {
			return true
		}
	}
	return false
}

// serveLogFile serves a log file that a logs route pointed at, as plain
// text: one "COMPONENT TIMESTAMP MESSAGE" line per event so far.
func (s *Server) serveLogFile(w http.ResponseWriter, r *http.Request) int {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, logsPrefix), "/")
	s.mu.Lock()
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
	s.mu.Unlock()
	if !found {
		http.Error(w, "log not found", http.StatusNotFound)
		return http.StatusNotFound
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
		if build {
			if c.imageRepository != "" {
				line(b0.Add(q), c.name, "Pulling image %s", c.imageRepository)
			} else {
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
		if deploy {
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

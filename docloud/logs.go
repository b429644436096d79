package docloud

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/digitalocean/godo"

	"dobot"
)

// maxLogBytes is the most read from one log URL.
const maxLogBytes = 4 << 20

// Logs reads App Platform's deployment logs: the archived files and the
// live stream the logs routes point at. These are not API calls, so they
// go through HTTP, an injected client, and carry no token.
type Logs struct {
	Apps godo.AppsService
	HTTP *http.Client
	// LiveWindow is the longest a live stream is read, since it never ends
	// by itself; default 5s.
	LiveWindow time.Duration
	Log        *slog.Logger // nil: discard
}

func (l Logs) window() time.Duration {
	if l.LiveWindow <= 0 {
		return 5 * time.Second
	}
	return l.LiveWindow
}

// client is the HTTP client for log files: never http.DefaultClient,
// which has no timeout.
func (l Logs) client() *http.Client {
	if l.HTTP == nil {
		return &http.Client{Timeout: 30 * time.Second}
	}
	return l.HTTP
}

func (l Logs) log() *slog.Logger {
	if l.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l.Log
}

// Fetch asks App Platform where a deployment's logs are, reads them and
// keeps the last lines.
//
// The rule, after doctl's `apps logs` and DigitalOcean's description of the
// logs routes: the bot asks without follow. A past deployment's logs come as
// historic_urls, archived files read with a plain GET. An in-progress or
// active deployment's come as live_url, a websocket (wss://, or ws:// for an
// http:// URL, as doctl maps them) that keeps pushing {"data": "LINE"}
// messages and never ends; the bot reads it for at most lines lines or
// LiveWindow, whichever comes first, and keeps what it got. When
// historic logs exist the live stream is read only if they fail, and a
// failure of the live stream is then only a note.
func (l Logs) Fetch(ctx context.Context, app *godo.App, deploymentID string, typ godo.AppLogType, lines int) (string, error) {
	component := ""
	if app.Spec != nil && len(app.Spec.Services) > 0 {
		component = app.Spec.Services[0].Name
	}
	logs, _, err := l.Apps.GetLogs(ctx, app.ID, deploymentID, component, typ, false, lines)
	if err != nil {
		return "", fmt.Errorf("get %s logs of %s: %w", typ, app.ID, err)
	}
	if len(logs.HistoricURLs) == 0 && logs.LiveURL == "" {
		return "", dobot.UserErrorf("DigitalOcean has no %s logs for this deployment yet.", strings.ToLower(string(typ)))
	}
	var all []string
	var historicErr error
	for _, u := range logs.HistoricURLs {
		part, err := l.readLogURL(ctx, u)
		if err != nil {
			historicErr = err
			continue
		}
		all = append(all, part...)
	}
	if len(all) == 0 && logs.LiveURL != "" {
		live, err := l.readLiveLog(ctx, logs.LiveURL, lines)
		all = live
		switch {
		case err != nil && len(live) == 0:
			l.log().Warn("read live logs", "app", app.ID, "err", errors.Join(historicErr, err))
			return "", dobot.UserErrorf("DigitalOcean's live %s log stream for this deployment could not be read. Try again in a minute, or open the app's logs in the control panel.", strings.ToLower(string(typ)))
		case err != nil:
			l.log().Warn("live log stream ended early", "app", app.ID, "err", err)
			all = append(all, "(dobot: the live log stream broke off here)")
		}
		historicErr = nil
	}
	if historicErr != nil && len(all) == 0 {
		return "", historicErr
	}
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	if len(all) == 0 {
		return "", nil // an empty log: callers say so in their own words
	}
	return strings.Join(all, "\n") + "\n", nil
}

// readLiveLog reads a live log websocket until it has max lines or the live
// window is over, whichever comes first. Running out of time is the normal
// end of a stream that never closes, not an error.
func (l Logs) readLiveLog(ctx context.Context, liveURL string, max int) ([]string, error) {
	u, err := url.Parse(liveURL)
	if err != nil {
		return nil, fmt.Errorf("read live logs: bad live_url")
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
	default:
		u.Scheme = "wss"
	}
	window, cancel := context.WithTimeout(ctx, l.window())
	defer cancel()
	conn, _, err := websocket.Dial(window, u.String(), &websocket.DialOptions{HTTPClient: l.client()})
	if err != nil {
		// Signed log URLs are secrets: keep them out of the error.
		return nil, fmt.Errorf("open live logs: %w", hideURL(err))
	}
	defer conn.CloseNow()
	conn.SetReadLimit(1 << 20)
	var lines []string
	for len(lines) < max {
		_, msg, err := conn.Read(window)
		if err != nil {
			if window.Err() != nil && ctx.Err() == nil {
				break // the window is over: keep what came
			}
			return lines, fmt.Errorf("read live logs: %w", hideURL(err))
		}
		var m struct {
			Data *string `json:"data"`
		}
		text := string(msg)
		if json.Unmarshal(msg, &m) == nil && m.Data != nil {
			text = *m.Data
		}
		for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
			lines = append(lines, l)
		}
	}
	conn.Close(websocket.StatusNormalClosure, "enough")
	if len(lines) > max {
		lines = lines[len(lines)-max:]
	}
	return lines, nil
}

// hideURL drops the URL from a *url.Error, since signed log URLs carry
// tokens.
func hideURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// readLogURL reads one signed log URL. These are not API calls, so they
// carry no token.
func (l Logs) readLogURL(ctx context.Context, logURL string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, logURL, nil)
	if err != nil {
		return nil, fmt.Errorf("log request: %w", hideURL(err))
	}
	resp, err := l.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("read logs: %w", hideURL(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("read logs: %s", resp.Status)
	}
	var lines []string
	sc := bufio.NewScanner(io.LimitReader(resp.Body, maxLogBytes))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read logs: %w", err)
	}
	return lines, nil
}

package commands

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/digitalocean/godo"

	"dobot"
)

// Log tail limits.
const (
	defaultLogLines = 100
	maxLogLines     = 2000
	failureLogLines = 60
	maxLogBytes     = 4 << 20 // read no more than this from a log URL
)

// LogsArgs are logs's parsed arguments.
type LogsArgs struct {
	Name  string
	Type  godo.AppLogType
	Lines int
}

func (a LogsArgs) target() string { return a.Name }

var logsCommand = &Command{
	Name:        "logs",
	Usage:       "logs NAME [--type build|deploy|run] [--lines N]",
	Description: "Post the last lines of an app's logs in its thread, as a snippet.",
	Examples:    []string{"logs web", "logs web --type build --lines 300"},
	MinRole:     dobot.RoleViewer,
	Parse: func(words []string, _ Config) (any, error) {
		fs := newFlagSet("logs")
		typ := fs.String("type", "run", "")
		lines := &intFlag{name: "lines", min: 1, max: maxLogLines, value: defaultLogLines}
		fs.Var(lines, "lines", "")
		pos, err := parseFlags(fs, words)
		if err != nil {
			return nil, err
		}
		if len(pos) != 1 {
			return nil, userErrorf("logs takes one app name, like `/do logs web --type build`")
		}
		if err := ValidAppName(pos[0]); err != nil {
			return nil, err
		}
		args := LogsArgs{Name: pos[0], Lines: lines.value}
		switch strings.ToLower(*typ) {
		case "build":
			args.Type = godo.AppLogTypeBuild
		case "deploy":
			args.Type = godo.AppLogTypeDeploy
		case "run":
			args.Type = godo.AppLogTypeRun
		default:
			return nil, userErrorf("--type takes build, deploy or run, not %q", *typ)
		}
		return args, nil
	},
	Run: runLogs,
}

func runLogs(ctx context.Context, b *Bot, inv *Invocation) error {
	args := inv.Args.(LogsArgs)
	managed, err := b.managedApp(ctx, args.Name)
	if err != nil {
		return err
	}
	if managed.Kind == kindDroplet {
		return userErrorf("%s is a droplet; App Platform logs exist for apps only. Use the droplet's console or SSH.", args.Name)
	}
	app, _, err := b.apps.Get(ctx, managed.ResourceID)
	if err != nil {
		return fmt.Errorf("get app %s: %w", managed.ResourceID, err)
	}
	d := currentDeployment(app)
	if d == nil {
		// No deployment in progress or active, as after a failed first
		// deployment: the newest one's logs are the ones that explain it.
		if deps, _, err := b.apps.ListDeployments(ctx, app.ID, &godo.ListOptions{Page: 1, PerPage: 1}); err == nil && len(deps) > 0 {
			d = deps[0]
		}
	}
	if d == nil {
		return userErrorf("%s has no deployment yet, so there are no logs.", args.Name)
	}
	text, err := b.fetchLogs(ctx, app, d.ID, args.Type, args.Lines)
	if err != nil {
		return err
	}
	title := fmt.Sprintf("%s %s logs, last %d lines (deployment %s)", args.Name, strings.ToLower(string(args.Type)), args.Lines, d.ID)
	channel, thread := managed.Channel, managed.ThreadTS
	if thread == "" {
		channel, thread = inv.Req.ChannelID, ""
	}
	if err := b.chat.Upload(ctx, channel, thread, args.Name+"-"+strings.ToLower(string(args.Type))+".log", title, text); err != nil {
		// No file access: fall back to a code block where it was asked.
		b.tell(ctx, inv.Req, Message{Text: fmt.Sprintf("*%s*\n```%s```", Escape(title), Escape(clipTail(text, 2800)))})
		return nil
	}
	if thread != "" {
		b.tell(ctx, inv.Req, infoMessage(fmt.Sprintf("Posted the %s logs of %s in its launch thread in <#%s>.", strings.ToLower(string(args.Type)), args.Name, channel)))
	}
	return nil
}

// currentDeployment is the deployment whose logs matter now: the one in
// progress, else the active one.
func currentDeployment(app *godo.App) *godo.Deployment {
	for _, d := range []*godo.Deployment{app.InProgressDeployment, app.ActiveDeployment, app.PendingDeployment} {
		if d != nil && d.ID != "" {
			return d
		}
	}
	return nil
}

// fetchLogs asks App Platform where a deployment's logs are, reads them and
// keeps the last lines.
//
// The rule, after doctl's `apps logs` and DigitalOcean's description of the
// logs routes: the bot asks without follow. A past deployment's logs come as
// historic_urls, archived files read with a plain GET. An in-progress or
// active deployment's come as live_url, a websocket (wss://, or ws:// for an
// http:// URL, as doctl maps them) that keeps pushing {"data": "LINE"}
// messages and never ends; the bot reads it for at most lines lines or
// Config.LiveLogWindow, whichever comes first, and keeps what it got. When
// historic logs exist the live stream is read only if they fail, and a
// failure of the live stream is then only a note.
func (b *Bot) fetchLogs(ctx context.Context, app *godo.App, deploymentID string, typ godo.AppLogType, lines int) (string, error) {
	component := ""
	if app.Spec != nil && len(app.Spec.Services) > 0 {
		component = app.Spec.Services[0].Name
	}
	logs, _, err := b.apps.GetLogs(ctx, app.ID, deploymentID, component, typ, false, lines)
	if err != nil {
		return "", fmt.Errorf("get %s logs of %s: %w", typ, app.ID, err)
	}
	if len(logs.HistoricURLs) == 0 && logs.LiveURL == "" {
		return "", userErrorf("DigitalOcean has no %s logs for this deployment yet.", strings.ToLower(string(typ)))
	}
	var all []string
	var historicErr error
	for _, u := range logs.HistoricURLs {
		part, err := b.readLogURL(ctx, u)
		if err != nil {
			historicErr = err
			continue
		}
		all = append(all, part...)
	}
	if len(all) == 0 && logs.LiveURL != "" {
		live, err := b.readLiveLog(ctx, logs.LiveURL, lines)
		all = live
		switch {
		case err != nil && len(live) == 0:
			b.log.Warn("read live logs", "app", app.ID, "err", errors.Join(historicErr, err))
			return "", userErrorf("DigitalOcean's live %s log stream for this deployment could not be read. Try again in a minute, or open the app's logs in the control panel.", strings.ToLower(string(typ)))
		case err != nil:
			b.log.Warn("live log stream ended early", "app", app.ID, "err", err)
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
		return "(no log lines yet)\n", nil
	}
	return strings.Join(all, "\n") + "\n", nil
}

// readLiveLog reads a live log websocket until it has max lines or the live
// window is over, whichever comes first. Running out of time is the normal
// end of a stream that never closes, not an error.
func (b *Bot) readLiveLog(ctx context.Context, liveURL string, max int) ([]string, error) {
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
	window, cancel := context.WithTimeout(ctx, b.cfg.LiveLogWindow)
	defer cancel()
	conn, _, err := websocket.Dial(window, u.String(), &websocket.DialOptions{HTTPClient: b.http})
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
func (b *Bot) readLogURL(ctx context.Context, logURL string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, logURL, nil)
	if err != nil {
		return nil, fmt.Errorf("log request: %w", hideURL(err))
	}
	resp, err := b.http.Do(req)
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

// attachFailureLogs posts the tail of the failing step's log in the thread
// of a failed deployment, so the reason is one click away.
func (b *Bot) attachFailureLogs(ctx context.Context, op dobot.Operation, st launchState, rep *reporter) {
	if rep.ts == "" || op.DeploymentID == "" {
		return
	}
	typ := godo.AppLogTypeDeploy
	if st.FailedStep == "build" || st.FailedStep == "" {
		typ = godo.AppLogTypeBuild
	}
	app, _, err := b.apps.Get(ctx, op.ResourceID)
	if err != nil {
		b.log.Warn("get app for failure logs", "op", op.ID, "err", err)
		return
	}
	text, err := b.fetchLogs(ctx, app, op.DeploymentID, typ, failureLogLines)
	if err != nil {
		b.log.Warn("fetch failure logs", "op", op.ID, "err", err)
		return
	}
	title := fmt.Sprintf("%s: last %d lines of the %s log", op.App, failureLogLines, strings.ToLower(string(typ)))
	if err := b.chat.Upload(ctx, rep.channel, rep.ts, op.App+"-"+strings.ToLower(string(typ))+".log", title, text); err != nil {
		rep.reply(ctx, Message{Text: fmt.Sprintf("*%s*\n```%s```", Escape(title), Escape(clipTail(text, 2800)))})
	}
}

// clipTail keeps the last n bytes of s, at a line start when it can.
func clipTail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	if i := strings.IndexByte(s, '\n'); i >= 0 && i < len(s)-1 {
		s = s[i+1:]
	}
	return s
}

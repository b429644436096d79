package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/cmdline"
	"dobot/deploy"
	"dobot/docloud"
)

// Log tail limits.
const (
	defaultLogLines = 100
	maxLogLines     = 2000
	maxLogBytes     = 4 << 20 // read no more than this from a log URL
)

// LogsArgs are logs's parsed arguments.
type LogsArgs struct {
	Name  string
	Type  godo.AppLogType
	Lines int
}

func (a LogsArgs) Target() string { return a.Name }

var logsCommand = &Command{
	Name:        "logs",
	Usage:       "logs NAME [--type build|deploy|run] [--lines N]",
	Description: "Show you the last lines of an app's logs, privately: here when they fit, else as a snippet in a direct message.",
	Examples:    []string{"logs web", "logs web --type build --lines 300"},
	MinRole:     dobot.RoleViewer,
	Parse: func(words []string, _ Config) (any, error) {
		fs := cmdline.NewFlagSet("logs")
		typ := fs.String("type", "run", "")
		lines := &cmdline.IntFlag{Name: "lines", Min: 1, Max: maxLogLines, Value: defaultLogLines}
		fs.Var(lines, "lines", "")
		pos, err := cmdline.ParseFlags(fs, words)
		if err != nil {
			return nil, err
		}
		if len(pos) != 1 {
			return nil, userErrorf("logs takes one app name, like `/do logs web --type build`")
		}
		if err := ValidAppName(pos[0]); err != nil {
			return nil, err
		}
		args := LogsArgs{Name: pos[0], Lines: lines.Value}
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
	args, err := argsOf[LogsArgs](inv)
	if err != nil {
		return err
	}
	managed, err := b.plan.ManagedApp(ctx, args.Name)
	if err != nil {
		return err
	}
	if managed.Kind == kindDroplet {
		return userErrorf("%s is a droplet; App Platform logs exist for apps only. Use the droplet's console or SSH.", args.Name)
	}
	app, err := b.plan.GetApp(ctx, managed)
	if err != nil {
		return err
	}
	d := docloud.CurrentDeployment(app)
	if d == nil {
		// No deployment in progress or active, as after a failed first
		// deployment: the newest one's logs are the ones that explain it.
		if deps, _, err := b.cloud.Apps.ListDeployments(ctx, app.ID, &godo.ListOptions{Page: 1, PerPage: 1}); err == nil && len(deps) > 0 {
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
	b.answerLogs(ctx, inv.Req, managed, args, d.ID, text)
	return nil
}

// maxInlineLog is the most log text, escaped and with its heading, that a
// private reply shows as one code block: Slack's section text holds 3,000
// characters, and a code block split across two sections loses its
// formatting. Longer logs go to the asker as a snippet.
const maxInlineLog = 2900

// answerLogs shows the asker the log text privately where they asked: as a
// code block when it fits, else as a snippet in a direct message with a
// one-line note here.
func (b *Bot) answerLogs(ctx context.Context, req Request, managed dobot.App, args LogsArgs, deploymentID, text string) {
	typ := strings.ToLower(string(args.Type))
	if strings.TrimSpace(text) == "" {
		b.answerPrivately(ctx, req, managed, infoMessage(fmt.Sprintf(
			"The %s log of %s (deployment `%s`) is empty: nothing has been written to it yet.", typ, args.Name, Escape(deploymentID))))
		return
	}
	title := fmt.Sprintf("%s %s logs, last %d lines (deployment %s)", args.Name, typ, args.Lines, deploymentID)
	inline := "*" + Escape(title) + "*\n```" + Escape(strings.TrimRight(text, "\n")) + "```"
	if renderedLen(inline) <= maxInlineLog {
		b.answerPrivately(ctx, req, managed, Message{Text: inline})
		return
	}
	if err := b.chat.UploadDirect(ctx, req.UserID, args.Name+"-"+typ+".log", title, text); err != nil {
		// No direct message: the end of the log, clipped to fit, still
		// answers the question.
		b.log.Warn("send log snippet by direct message", "ref", req.Ref, "err", err)
		head := "*" + Escape(title) + "* (the end only: the whole log could not be sent to you as a direct message)\n```"
		b.answerPrivately(ctx, req, managed, Message{Text: head + clipTailToFit(text, maxInlineLog-renderedLen(head)-3) + "```"})
		return
	}
	b.answerPrivately(ctx, req, managed, infoMessage(fmt.Sprintf(
		"The last %d lines of the %s log of %s are too long to show here: they are in your direct messages with the bot, as a snippet.", args.Lines, typ, args.Name)))
}

// renderedLen is the most bytes s can take once an adapter has escaped it:
// Slack writes each &, < and > as an entity of up to five bytes.
func renderedLen(s string) int {
	return len(s) + 4*(strings.Count(s, "&")+strings.Count(s, "<")+strings.Count(s, ">"))
}

// clipTailToFit is the escaped end of text, at most n bytes once escaped.
func clipTailToFit(text string, n int) string {
	for limit := n; limit > 0; limit -= limit / 4 {
		if out := Escape(deploy.ClipTail(text, limit)); renderedLen(out) <= n {
			return out
		}
	}
	return ""
}

// fetchLogs reads the last lines of a deployment's logs through docloud,
// with its refusals as user errors.
func (b *Bot) fetchLogs(ctx context.Context, app *godo.App, deploymentID string, typ godo.AppLogType, lines int) (string, error) {
	l := docloud.Logs{Apps: b.cloud.Apps, HTTP: b.http, LiveWindow: b.cfg.LiveLogWindow, Log: b.log}
	text, err := l.Fetch(ctx, app, deploymentID, typ, lines)
	return text, fromDomain(err)
}

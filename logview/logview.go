// Package logview answers /do logs: it finds the deployment whose logs
// explain an app (the current one, else the newest), has them fetched,
// and shapes the answer: a code block when it fits a private reply, else
// a snippet sent to the asker directly with a one-line note.
package logview

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/cmdline"
	"dobot/deploy"
	"dobot/docloud"
	"dobot/reply"
)

// Log tail limits.
const (
	defaultLines = 100
	maxLines     = 2000
)

// Args are logs's parsed arguments.
type Args struct {
	Name  string
	Type  godo.AppLogType
	Lines int
}

// Target is the app the logs are of, for the audit row.
func (a Args) Target() string { return a.Name }

// Parse reads /do logs's words: NAME [--type build|deploy|run] [--lines N].
func Parse(words []string) (Args, error) {
	fs := cmdline.NewFlagSet("logs")
	typ := fs.String("type", "run", "")
	lines := &cmdline.IntFlag{Name: "lines", Min: 1, Max: maxLines, Value: defaultLines}
	fs.Var(lines, "lines", "")
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return Args{}, err
	}
	if len(pos) != 1 {
		return Args{}, reply.Errorf("logs takes one app name, like `/do logs web --type build`")
	}
	if err := reply.FromDomain(dobot.ValidAppName(pos[0])); err != nil {
		return Args{}, err
	}
	args := Args{Name: pos[0], Lines: lines.Value}
	switch strings.ToLower(*typ) {
	case "build":
		args.Type = godo.AppLogTypeBuild
	case "deploy":
		args.Type = godo.AppLogTypeDeploy
	case "run":
		args.Type = godo.AppLogTypeRun
	default:
		return Args{}, reply.Errorf("--type takes build, deploy or run, not %q", *typ)
	}
	return args, nil
}

// Apps finds the bot's app and reads it from DigitalOcean (plan.Planner's),
// with refusals as user errors.
type Apps interface {
	ManagedApp(ctx context.Context, name string) (dobot.App, error)
	GetApp(ctx context.Context, managed dobot.App) (*godo.App, error)
}

// Deployments lists an app's deployments, newest first (godo's).
type Deployments interface {
	ListDeployments(ctx context.Context, appID string, opts *godo.ListOptions) ([]*godo.Deployment, *godo.Response, error)
}

// Fetcher reads the last lines of a deployment's log (docloud.Logs).
type Fetcher interface {
	Fetch(ctx context.Context, app *godo.App, deploymentID string, typ godo.AppLogType, lines int) (string, error)
}

// DirectUploader sends text as a snippet to user alone (chat.Chat's).
type DirectUploader interface {
	UploadDirect(ctx context.Context, user, filename, title, content string) error
}

// Service answers /do logs.
type Service struct {
	Apps        Apps
	Deployments Deployments
	Logs        Fetcher
	Chat        DirectUploader
	Log         *slog.Logger
}

// Asker is who asked, for the direct message and the log line.
type Asker struct {
	UserID string
	Ref    string // the command's reference, for the log
}

// Answer is what to show the asker privately where they asked, and the app
// it is about (for its launch thread). A log too long to show there has
// been sent to them as a snippet first; the message then says so.
func (s *Service) Answer(ctx context.Context, who Asker, args Args) (dobot.App, chat.Message, error) {
	managed, err := s.Apps.ManagedApp(ctx, args.Name)
	if err != nil {
		return dobot.App{}, chat.Message{}, err
	}
	if managed.Kind == deploy.KindDroplet {
		return dobot.App{}, chat.Message{}, reply.Errorf("%s is a droplet; App Platform logs exist for apps only. Use the droplet's console or SSH.", args.Name)
	}
	app, err := s.Apps.GetApp(ctx, managed)
	if err != nil {
		return dobot.App{}, chat.Message{}, err
	}
	d := docloud.CurrentDeployment(app)
	if d == nil {
		// No deployment in progress or active, as after a failed first
		// deployment: the newest one's logs are the ones that explain it.
		if deps, _, err := s.Deployments.ListDeployments(ctx, app.ID, &godo.ListOptions{Page: 1, PerPage: 1}); err == nil && len(deps) > 0 {
			d = deps[0]
		}
	}
	if d == nil {
		return dobot.App{}, chat.Message{}, reply.Errorf("%s has no deployment yet, so there are no logs.", args.Name)
	}
	text, err := s.Logs.Fetch(ctx, app, d.ID, args.Type, args.Lines)
	if err != nil {
		return dobot.App{}, chat.Message{}, reply.FromDomain(err)
	}
	return managed, s.shape(ctx, who, args, d.ID, text), nil
}

// maxInline is the most log text, escaped and with its heading, that a
// private reply shows as one code block: Slack's section text holds 3,000
// characters, and a code block split across two sections loses its
// formatting. Longer logs go to the asker as a snippet.
const maxInline = 2900

// shape is the private answer for a log's text: a code block when it
// fits, else a note after the snippet has gone to the asker directly, or
// the end of the log when it could not.
func (s *Service) shape(ctx context.Context, who Asker, args Args, deploymentID, text string) chat.Message {
	typ := strings.ToLower(string(args.Type))
	if strings.TrimSpace(text) == "" {
		return chat.Message{Text: fmt.Sprintf(
			"The %s log of %s (deployment `%s`) is empty: nothing has been written to it yet.", typ, args.Name, reply.Escape(deploymentID))}
	}
	title := fmt.Sprintf("%s %s logs, last %d lines (deployment %s)", args.Name, typ, args.Lines, deploymentID)
	inline := "*" + reply.Escape(title) + "*\n```" + reply.Escape(strings.TrimRight(text, "\n")) + "```"
	if reply.RenderedLen(inline) <= maxInline {
		return chat.Message{Text: inline}
	}
	if err := s.Chat.UploadDirect(ctx, who.UserID, args.Name+"-"+typ+".log", title, text); err != nil {
		// No direct message: the end of the log, clipped to fit, still
		// answers the question.
		s.log().Warn("send log snippet by direct message", "ref", who.Ref, "err", err)
		head := "*" + reply.Escape(title) + "* (the end only: the whole log could not be sent to you as a direct message)\n```"
		return chat.Message{Text: head + reply.EscapedTail(text, maxInline-reply.RenderedLen(head)-3) + "```"}
	}
	return chat.Message{Text: fmt.Sprintf(
		"The last %d lines of the %s log of %s are too long to show here: they are in your direct messages with the bot, as a snippet.", args.Lines, typ, args.Name)}
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

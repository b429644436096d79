package commands

import (
	"context"

	"dobot"
	"dobot/report"
)

var statusCommand = &Command{
	Name:        "status",
	Usage:       "status [NAME]",
	Description: "Show an app's phase, live URL and current deployment; without NAME, every app the bot manages.",
	Examples:    []string{"status web", "status"},
	MinRole:     dobot.RoleViewer,
	Parse:       parsedBy(report.ParseStatus),
	Run: replyWith(func(ctx context.Context, b *Bot, _ *Invocation, a report.AppArgs) (Message, error) {
		return b.svc.board.Status(ctx, a.Name)
	}),
}

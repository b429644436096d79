package commands

import (
	"context"
	"time"

	"dobot"
	"dobot/chatview"
	"dobot/launchargs"
)

// LaunchFormForTest is the launch form as opened from channel C1.
func (b *Bot) LaunchFormForTest(ctx context.Context) chatview.Form {
	return b.svc.launch.LaunchForm(ctx, launchargs.Meta{Channel: "C1"})
}

// NoRoleHomeForTest is the home page of someone without a role.
func (b *Bot) NoRoleHomeForTest(ctx context.Context) chatview.Home {
	h, _ := b.svc.board.Home(ctx, "UNOBODY")
	return h
}

// HomeForTest is userID's home page from the given records, at now.
func (b *Bot) HomeForTest(ctx context.Context, userID string, role dobot.Role, apps []dobot.App, unfinished []dobot.Operation, now time.Time) chatview.Home {
	return b.svc.board.HomeOf(ctx, userID, role, apps, unfinished, now)
}

package commands

import (
	"context"

	"dobot"
)

// answerPrivately shows m to the person who asked, where they asked (the
// tell path: ephemeral, or the response_url where the bot is not a member),
// with a link to the app's launch thread when it has one. Read-only
// commands answer this way so that asking never adds to a shared thread.
func (b *Bot) answerPrivately(ctx context.Context, req Request, managed dobot.App, m Message) {
	b.tell(ctx, req, b.svc.board.WithThreadLink(ctx, managed, m))
}

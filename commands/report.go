package commands

import (
	"context"

	"dobot"
	"dobot/report"
)

// answerPrivately shows m to the person who asked, where they asked (the
// tell path: ephemeral, or the response_url where the bot is not a member),
// with a link to the app's launch thread when it has one. Read-only
// commands answer this way so that asking never adds to a shared thread.
func (b *Bot) answerPrivately(ctx context.Context, req Request, managed dobot.App, m Message) {
	b.tell(ctx, req, b.svc.board.WithThreadLink(ctx, managed, m))
}

// wordedHolds reads the holds in force for the board, in holds.go's words.
func (b *Bot) wordedHolds(ctx context.Context) (report.Holds, error) {
	h, err := b.Holds(ctx)
	return heldWords{h}, err
}

// heldWords are the holds in force as the board shows them.
type heldWords struct{ Holds }

func (h heldWords) FreezeLines() []string {
	var out []string
	for _, f := range h.Freezes {
		out = append(out, FreezeLine(f))
	}
	return out
}

func (h heldWords) Locked(app string) string {
	if l, _ := h.On(app); l != nil {
		return lockedText(*l)
	}
	return ""
}

func (h heldWords) Unmanaged(apps []dobot.App) string { return unmanagedLocks(h.Holds, apps) }

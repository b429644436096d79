package commands

import (
	"context"
	"runtime/debug"

	"dobot"
)

// HandleClick runs one button click. A click on a button the bot does not
// know, or whose request is gone, gets a clear private answer and changes
// nothing.
func (b *Bot) HandleClick(ctx context.Context, c Click) {
	log := b.log.With("ref", c.Ref, "user", c.UserID, "action", c.ActionID)
	req := Request{Ref: c.Ref, UserID: c.UserID, UserName: c.UserName, ChannelID: c.ChannelID, ResponseURL: c.ResponseURL}
	defer func() {
		if p := recover(); p != nil {
			log.Error("panic handling click", "panic", p, "stack", string(debug.Stack()))
			b.tell(ctx, req, errorMessage(describeError(errPanic, c.Ref)))
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, b.cfg.CommandTimeout)
	defer cancel()
	h, ok := b.table.clicks[c.ActionID]
	if !ok {
		b.audit(ctx, log, dobot.AuditEntry{UserID: c.UserID, UserName: c.UserName, Channel: c.ChannelID,
			Action: "click", Target: c.ActionID, Decision: "refused", Outcome: "unknown button"})
		b.tell(ctx, req, errorMessage("That button is not one the bot knows (it may be from an older version). Nothing was changed."))
		return
	}
	if err := h.run(ctx, b, c); err != nil {
		if _, isUser := err.(*UserError); !isUser {
			log.Error("click failed", "err", err)
		}
		b.tell(ctx, req, errorMessage(describeError(err, c.Ref)))
	}
}

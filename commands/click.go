package commands

import (
	"context"
	"runtime/debug"

	"dobot"
	"dobot/reply"
)

// HandleClick runs one button click as the command the button stands for.
// A click on a button the bot does not know, or whose request is gone, gets
// a clear private answer and changes nothing.
func (b *Bot) HandleClick(ctx context.Context, c Click) {
	log := b.log.With("ref", c.Ref, "user", c.UserID, "action", c.ActionID)
	req := Request{Ref: c.Ref, UserID: c.UserID, UserName: c.UserName, ChannelID: c.ChannelID, ResponseURL: c.ResponseURL}
	defer func() {
		if p := recover(); p != nil {
			log.Error("panic handling click", "panic", p, "stack", string(debug.Stack()))
			b.tell(context.WithoutCancel(ctx), req, reply.Warning(reply.Describe(reply.ErrPanic, c.Ref)))
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, b.cfg.CommandTimeout)
	defer cancel()
	entry := dobot.AuditEntry{UserID: c.UserID, UserName: c.UserName, Channel: c.ChannelID, CommandText: commandText(req)}
	route, ok := b.table.clickRouteFor(c.ActionID)
	if !ok {
		entry.Action, entry.Target, entry.Decision, entry.Outcome = "click", c.ActionID, "refused", "unknown button"
		if !b.eng.trail.First(ctx, log, entry) {
			return
		}
		b.tell(ctx, req, reply.Warning("That button is not one the bot knows (it may be from an older version). Nothing was changed."))
		return
	}
	req.Button = route.label
	if b.askReason(ctx, c, route) {
		return // the reason form's submission runs the command
	}
	cmd := b.table.lookup(route.command)
	args, err := route.args(c)
	if err != nil {
		entry.Action, entry.Target, entry.Decision, entry.Outcome, entry.Error = cmd.refusedAs(), c.Value, "refused", "bad button value", err.Error()
		b.observe.CommandDone(cmd.Name, "invalid")
		if !b.eng.trail.First(ctx, log, entry) {
			return
		}
		b.tell(ctx, req, reply.Warning(reply.Describe(err, c.Ref)))
		return
	}
	b.dispatch(ctx, log, req, cmd, args, entry)
}

package commands

import (
	"context"
	"dobot/chat"
	"errors"
	"log/slog"
)

// reporter keeps one operation's message current and replies in its thread.
// When the bot may not post in the channel it falls back to the command's
// response_url, so the person still hears every phase change.
type reporter struct {
	chat        Chat
	log         *slog.Logger
	channel     string
	head        chat.Ref // head message; ID empty until started or when falling back
	responseURL string
	// responses counts response_url posts: Slack takes five per command, so
	// on fallback the last one is kept for the final word.
	responses int
}

// responseURLBudget is how many times Slack accepts a response_url.
const responseURLBudget = 5

// start posts the head message, keeping its ref (none on fallback).
func (r *reporter) start(ctx context.Context, m Message) error {
	ref, err := r.chat.Post(ctx, r.channel, m)
	if err == nil {
		r.head = ref
		return nil
	}
	if errors.Is(err, ErrCannotPost) && r.responseURL != "" {
		r.log.Info("cannot post in channel; answering through response_url", "channel", r.channel)
		r.responses++
		return r.chat.Respond(ctx, r.responseURL, m)
	}
	return err
}

// update replaces the head message. On fallback there is no message to
// update; the thread replies carry the news instead.
func (r *reporter) update(ctx context.Context, m Message) {
	if !r.posted() {
		return
	}
	if err := r.chat.Update(ctx, r.head, m); err != nil {
		r.log.Warn("update head message", "message", r.head, "err", err)
	}
}

// reply posts m in the head message's thread, or through the response_url.
func (r *reporter) reply(ctx context.Context, m Message) { r.send(ctx, m, false) }

// final posts the operation's last word; it always gets through if it can.
func (r *reporter) final(ctx context.Context, m Message) { r.send(ctx, m, true) }

// note posts a detail that matters less than a phase change: it is left out
// when replies go through the response_url, whose uses are few.
func (r *reporter) note(ctx context.Context, m Message) {
	if r.posted() {
		r.send(ctx, m, false)
	}
}

func (r *reporter) send(ctx context.Context, m Message, final bool) {
	var err error
	if r.posted() {
		_, err = r.chat.Reply(ctx, r.head, m)
		if err == nil {
			return
		}
	}
	if r.responseURL != "" {
		if !final && r.responses >= responseURLBudget-1 {
			return // keep the last use for the outcome
		}
		r.responses++
		if rerr := r.chat.Respond(ctx, r.responseURL, m); rerr == nil {
			return
		} else {
			err = errors.Join(err, rerr)
		}
	}
	r.log.Error("reply lost", "message", r.head, "err", err)
}

// posted reports whether the head message is in the channel.
func (r *reporter) posted() bool { return r.head.ID != "" }

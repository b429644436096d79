package commands

import (
	"context"
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
	ts          string // head message; empty until started or when falling back
	responseURL string
	// requester is mentioned in the final reply, so the person who started
	// the operation hears that it ended; "" mentions nobody.
	requester string
	// responses counts response_url posts: Slack takes five per command, so
	// on fallback the last one is kept for the final word.
	responses int
}

// responseURLBudget is how many times Slack accepts a response_url.
const responseURLBudget = 5

// start posts the head message and returns its ts ("" on fallback).
func (r *reporter) start(ctx context.Context, m Message) error {
	ts, err := r.chat.Post(ctx, r.channel, m)
	if err == nil {
		r.ts = ts
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
	if r.ts == "" {
		return
	}
	if err := r.chat.Update(ctx, r.channel, r.ts, m); err != nil {
		r.log.Warn("update head message", "channel", r.channel, "ts", r.ts, "err", err)
	}
}

// reply posts m in the head message's thread, or through the response_url.
func (r *reporter) reply(ctx context.Context, m Message) { r.send(ctx, m, false) }

// final posts the operation's last word; it always gets through if it can.
func (r *reporter) final(ctx context.Context, m Message) {
	r.send(ctx, withMention(m, r.requester), true)
}

// note posts a detail that matters less than a phase change: it is left out
// when replies go through the response_url, whose uses are few.
func (r *reporter) note(ctx context.Context, m Message) {
	if r.ts != "" {
		r.send(ctx, m, false)
	}
}

func (r *reporter) send(ctx context.Context, m Message, final bool) {
	var err error
	if r.ts != "" {
		_, err = r.chat.Reply(ctx, r.channel, r.ts, m)
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
	r.log.Error("reply lost", "channel", r.channel, "ts", r.ts, "err", err)
}

// Package progress keeps one operation's story in the chat: the head
// message (its card) kept current, and replies in its thread. When the bot
// may not post in the channel it falls back to the command's response_url,
// within the five uses Slack allows, keeping the last for the outcome.
package progress

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"dobot"

	"dobot/chat"
)

// Reporter keeps one operation's message current and replies in its
// thread. When the bot may not post in the channel it falls back to the
// command's response_url, so the person still hears every phase change. A
// Reporter is used by one goroutine at a time.
type Reporter struct {
	chat        chat.Chat
	log         *slog.Logger
	channel     string
	head        chat.Ref // head message; ID empty until started or when falling back
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

// New is the reporter of an operation reported in channel, whose head
// message is head (ID "" when none was posted yet), falling back to
// responseURL ("" for none).
func New(c chat.Chat, log *slog.Logger, channel string, head chat.Ref, responseURL string) *Reporter {
	return &Reporter{chat: c, log: log, channel: channel, head: head, responseURL: responseURL}
}

// Notify makes the final reply mention user, unless it does already, so
// that the person who started the operation hears that it ended. It
// returns r.
func (r *Reporter) Notify(user string) *Reporter {
	r.requester = user
	return r
}

// Head is the head message, with an empty ID until it is posted.
func (r *Reporter) Head() chat.Ref { return r.head }

// Start posts the head message, keeping its ref (none on fallback).
func (r *Reporter) Start(ctx context.Context, m chat.Message) error {
	if dobot.LeaseGone(ctx) {
		return dobot.ErrLeaseLost
	}
	ref, err := r.chat.Post(ctx, r.channel, m)
	if err == nil {
		r.head = ref
		return nil
	}
	if errors.Is(err, chat.ErrCannotPost) && r.responseURL != "" {
		r.log.Info("cannot post in channel; answering through response_url", "channel", r.channel)
		r.responses++
		return r.chat.Respond(ctx, r.responseURL, m)
	}
	return err
}

// Update replaces the head message. On fallback there is no message to
// update; the thread replies carry the news instead.
func (r *Reporter) Update(ctx context.Context, m chat.Message) {
	if err := r.Replace(ctx, m); err != nil && !errors.Is(err, dobot.ErrLeaseLost) {
		r.log.Warn("update head message", "message", r.head, "err", err)
	}
}

// Replace replaces the head message and says whether it could: it does
// nothing on fallback.
func (r *Reporter) Replace(ctx context.Context, m chat.Message) error {
	if !r.Posted() {
		return nil
	}
	if dobot.LeaseGone(ctx) {
		return dobot.ErrLeaseLost
	}
	return r.chat.Update(ctx, r.head, m)
}

// Reply posts m in the head message's thread, or through the response_url.
func (r *Reporter) Reply(ctx context.Context, m chat.Message) { r.send(ctx, m, false) }

// Final posts the operation's last word; it always gets through if it can.
func (r *Reporter) Final(ctx context.Context, m chat.Message) {
	r.send(ctx, withMention(m, r.requester), true)
}

// withMention is m addressed to user, unless it mentions them already.
func withMention(m chat.Message, user string) chat.Message {
	if !dobot.IsUserID(user) {
		return m
	}
	for _, s := range []string{m.Text, m.Title, m.Body} {
		if strings.Contains(s, chat.Mention(user)) {
			return m
		}
	}
	m.Text = chat.Mention(user) + " " + m.Text
	return m
}

// Note posts a detail that matters less than a phase change: it is left out
// when replies go through the response_url, whose uses are few.
func (r *Reporter) Note(ctx context.Context, m chat.Message) {
	if r.Posted() {
		r.send(ctx, m, false)
	}
}

func (r *Reporter) send(ctx context.Context, m chat.Message, final bool) {
	if dobot.LeaseGone(ctx) {
		return // another replica carries the operation on, and reports it
	}
	var err error
	if r.Posted() {
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

// Posted reports whether the head message is in the channel.
func (r *Reporter) Posted() bool { return r.head.ID != "" }

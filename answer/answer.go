// Package answer tells one person something privately, where they typed:
// an ephemeral message, or the command's response_url when the bot may not
// post in that channel.
package answer

import (
	"context"
	"errors"
	"log/slog"

	"dobot/chat"
)

// Chat is the part of the chat port a private answer uses.
type Chat interface {
	Ephemeral(ctx context.Context, channel, user string, m chat.Message) error
	Respond(ctx context.Context, responseURL string, m chat.Message) error
}

// To is whom an answer goes to and where.
type To struct {
	Channel     string
	User        string
	ResponseURL string // "" when the chat service gave none
	Ref         string // quoted in the log when nothing could be sent
}

// Privately answers to.User in to.Channel, visible to them alone. It falls
// back to the response_url when the bot cannot post in the channel, and
// logs what failed when neither way works.
func Privately(ctx context.Context, c Chat, log *slog.Logger, to To, m chat.Message) {
	err := c.Ephemeral(ctx, to.Channel, to.User, m)
	if err == nil {
		return
	}
	if to.ResponseURL != "" {
		if rerr := c.Respond(ctx, to.ResponseURL, m); rerr == nil {
			return
		} else {
			err = errors.Join(err, rerr)
		}
	}
	log.Error("could not answer", "ref", to.Ref, "err", err)
}

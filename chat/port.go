package chat

import (
	"context"
	"errors"
)

// Chat is how the core talks to people. The Slack adapter implements it
// with the Web API; the console prints. A Chat wraps ErrCannotPost when the
// bot may not post in a channel. Messages are named by a Ref the
// adapter hands out; the core stores and passes it back as it is.
type Chat interface {
	// Post starts a new message in channel.
	Post(ctx context.Context, channel string, m Message) (Ref, error)
	// Reply posts m in the thread of the message parent.
	Reply(ctx context.Context, parent Ref, m Message) (Ref, error)
	// Update replaces the message ref with m.
	Update(ctx context.Context, ref Ref, m Message) error
	// Ephemeral shows m to user only, in channel.
	Ephemeral(ctx context.Context, channel, user string, m Message) error
	// Respond answers through a command's response_url, which works even
	// where the bot is not a member.
	Respond(ctx context.Context, responseURL string, m Message) error
	// Upload posts text as a file snippet in the thread of parent.
	Upload(ctx context.Context, parent Ref, filename, title, content string) error
	// UploadDirect sends text as a file snippet to user alone, in the
	// bot's direct messages with them: for what is too long for a private
	// reply.
	UploadDirect(ctx context.Context, user, filename, title, content string) error
	// Permalink is a link to the message ref that the adapter's people can
	// follow (a URL in Slack).
	Permalink(ctx context.Context, ref Ref) (string, error)
}

// ErrCannotPost is wrapped by a Chat when the bot may not post in a channel
// (not a member, archived, or not allowed); the core then answers through
// the command's response_url.
var ErrCannotPost = errors.New("the bot cannot post in this channel")

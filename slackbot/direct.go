package slackbot

import (
	"context"
	"fmt"
	"regexp"

	"github.com/slack-go/slack"
)

// userIDPattern is the shape of a Slack user id. Channel ids start with C,
// G or D, so a user id is never taken for one.
var userIDPattern = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

// maxCachedDirect bounds the direct-conversation cache; past it the cache
// starts over.
const maxCachedDirect = 4096

// conversation is where a message for channel goes. The core names a
// person's direct messages with the bot by their user id (a form submitted
// from the Home tab answers there); Slack's chat.update, postEphemeral and
// getPermalink want the conversation's id, so a user id becomes the id
// conversations.open gives (scope im:write), asked once per person.
func (c *Chat) conversation(ctx context.Context, channel string) (string, error) {
	if !userIDPattern.MatchString(channel) {
		return channel, nil
	}
	c.mu.Lock()
	id, ok := c.dms[channel]
	c.mu.Unlock()
	if ok {
		return id, nil
	}
	var im *slack.Channel
	err := c.retry(ctx, func() (err error) {
		im, _, _, err = c.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{channel}})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("open direct message with %s: %w", channel, mapError(err))
	}
	c.mu.Lock()
	if c.dms == nil || len(c.dms) >= maxCachedDirect {
		c.dms = map[string]string{}
	}
	c.dms[channel] = im.ID
	c.mu.Unlock()
	return im.ID, nil
}

package slackbot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"dobot/commands"
)

// maxRateLimitWaits is how many 429s in a row one call sits out before it
// gives up; with Slack's usual Retry-After that is minutes, long enough for
// a burst to pass, so no message is lost to a rate limit.
const maxRateLimitWaits = 30

// Chat implements commands.Chat with Slack's Web API. Updates of one message
// are coalesced: while one is in flight, later ones replace each other and
// only the latest is sent.
type Chat struct {
	api  *slack.Client
	http *http.Client
	log  *slog.Logger

	mu      sync.Mutex
	pending map[string]*pendingUpdate // by channel/ts
}

type pendingUpdate struct {
	next *commands.Message // latest update waiting for the one in flight
}

var _ commands.Chat = (*Chat)(nil)

// NewChat returns a Chat that posts through api.
func NewChat(api *slack.Client, httpClient *http.Client, log *slog.Logger) *Chat {
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 10 * time.Second}
	}
	return &Chat{api: api, http: httpClient, log: log.With("component", "slack-chat"), pending: map[string]*pendingUpdate{}}
}

// maxText is below Slack's 40,000-character limit on a message's text.
const maxText = 39000

func msgOptions(m commands.Message) []slack.MsgOption {
	return []slack.MsgOption{slack.MsgOptionText(clip(guard(m.Text), maxText), false), slack.MsgOptionBlocks(Blocks(m)...), slack.MsgOptionDisableLinkUnfurl()}
}

// Post starts a message in channel.
func (c *Chat) Post(ctx context.Context, channel string, m commands.Message) (string, error) {
	var ts string
	err := c.retry(ctx, func() (err error) {
		_, ts, err = c.api.PostMessageContext(ctx, channel, msgOptions(m)...)
		return err
	})
	return ts, mapError(err)
}

// Reply posts m in the thread of threadTS.
func (c *Chat) Reply(ctx context.Context, channel, threadTS string, m commands.Message) (string, error) {
	var ts string
	err := c.retry(ctx, func() (err error) {
		_, ts, err = c.api.PostMessageContext(ctx, channel, append(msgOptions(m), slack.MsgOptionTS(threadTS))...)
		return err
	})
	return ts, mapError(err)
}

// Update replaces message ts, coalescing with updates already in flight.
func (c *Chat) Update(ctx context.Context, channel, ts string, m commands.Message) error {
	key := channel + "/" + ts
	c.mu.Lock()
	if p, busy := c.pending[key]; busy {
		p.next = &m // the update in flight sends this when it is done
		c.mu.Unlock()
		return nil
	}
	c.pending[key] = &pendingUpdate{}
	c.mu.Unlock()

	for {
		err := c.retry(ctx, func() error {
			_, _, _, err := c.api.UpdateMessageContext(ctx, channel, ts, msgOptions(m)...)
			return err
		})
		c.mu.Lock()
		p := c.pending[key]
		if p.next == nil || ctx.Err() != nil {
			delete(c.pending, key)
			c.mu.Unlock()
			return mapError(err)
		}
		m, p.next = *p.next, nil
		c.mu.Unlock()
		if err != nil {
			c.log.Warn("update superseded after error", "channel", channel, "ts", ts, "err", err)
		}
	}
}

// Ephemeral shows m to user alone.
func (c *Chat) Ephemeral(ctx context.Context, channel, user string, m commands.Message) error {
	return mapError(c.retry(ctx, func() error {
		_, err := c.api.PostEphemeralContext(ctx, channel, user, msgOptions(m)...)
		return err
	}))
}

// Upload posts content as a text snippet in a thread (files.uploadV2).
func (c *Chat) Upload(ctx context.Context, channel, threadTS, filename, title, content string) error {
	if content == "" {
		content = "(empty)\n"
	}
	return mapError(c.retry(ctx, func() error {
		_, err := c.api.UploadFileContext(ctx, slack.UploadFileParameters{
			Content: content, FileSize: len(content), Filename: filename, Title: guard(title),
			Channel: channel, ThreadTimestamp: threadTS, SnippetType: "text",
		})
		return err
	}))
}

// Respond answers through a response_url, privately to the person.
func (c *Chat) Respond(ctx context.Context, responseURL string, m commands.Message) error {
	body, err := json.Marshal(map[string]any{
		"text": guard(m.Text), "blocks": Blocks(m), "response_type": "ephemeral", "replace_original": false,
	})
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	return c.retry(ctx, func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("response_url request: %w", err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.http.Do(req)
		if err != nil {
			// The URL is a secret that lets anyone answer the person: keep
			// it out of the error, which gets logged.
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			return fmt.Errorf("post to response_url: %w", err)
		}
		defer resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			return &slack.RateLimitedError{RetryAfter: time.Second}
		}
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("response_url answered %s", resp.Status)
		}
		return nil
	})
}

// retry runs call again after each 429, waiting as long as Slack asks.
func (c *Chat) retry(ctx context.Context, call func() error) error {
	for attempt := 0; ; attempt++ {
		err := call()
		var rl *slack.RateLimitedError
		if !errors.As(err, &rl) || attempt >= maxRateLimitWaits {
			return err
		}
		wait := max(rl.RetryAfter, 500*time.Millisecond)
		c.log.Info("Slack rate limit; waiting", "retry_after", wait)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// channelErrors mean the bot may not post where it was asked to.
var channelErrors = map[string]bool{
	"not_in_channel": true, "channel_not_found": true, "is_archived": true,
	"restricted_action": true, "access_denied": true, "cannot_dm_bot": true,
}

// mapError wraps commands.ErrCannotPost around Slack's channel errors.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && channelErrors[se.Err] {
		return fmt.Errorf("%w: %s", commands.ErrCannotPost, se.Err)
	}
	if channelErrors[err.Error()] {
		return fmt.Errorf("%w: %s", commands.ErrCannotPost, err.Error())
	}
	return err
}

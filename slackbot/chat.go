package slackbot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"dobot"
	"dobot/chat"
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
	urls ResponseURLStore // nil: response_urls are used without counting

	mu      sync.Mutex
	pending map[string]*pendingUpdate // by channel/ts
	links   map[string]string         // permalinks by channel/ts: they never change
	dms     map[string]string         // direct-message conversation ids by user (direct.go)
}

// maxCachedLinks bounds the permalink cache; past it the cache starts over.
const maxCachedLinks = 4096

type pendingUpdate struct {
	next    *commands.Message // latest update waiting for the one in flight
	nextCtx context.Context   // its caller's context, detached from its cancel
	caller  context.Context   // its caller's context as given
}

// coalescedTimeout bounds sending an update on behalf of a caller that has
// already returned: its own context may end at any moment after that.
const coalescedTimeout = 2 * time.Minute

var _ commands.Chat = (*Chat)(nil)

// NewChat returns a Chat that posts through api.
func NewChat(api *slack.Client, httpClient *http.Client, log *slog.Logger) *Chat {
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 10 * time.Second}
	}
	return &Chat{api: api, http: httpClient, log: log.With("component", "slack-chat"), pending: map[string]*pendingUpdate{}}
}

func msgOptions(m commands.Message) []slack.MsgOption {
	return []slack.MsgOption{slack.MsgOptionText(MessageText(m), false), slack.MsgOptionBlocks(Blocks(m)...), slack.MsgOptionDisableLinkUnfurl()}
}

// Post starts a message in channel. Its ref is the channel as given and
// Slack's ts.
func (c *Chat) Post(ctx context.Context, channel string, m commands.Message) (chat.Ref, error) {
	conv, err := c.conversation(ctx, channel)
	if err != nil {
		return chat.Ref{}, err
	}
	var ts string
	err = c.retry(ctx, func() (err error) {
		_, ts, err = c.api.PostMessageContext(ctx, conv, msgOptions(m)...)
		return err
	})
	return chat.Ref{Channel: channel, ID: ts}, mapError(err)
}

// Reply posts m in the thread of parent.
func (c *Chat) Reply(ctx context.Context, parent chat.Ref, m commands.Message) (chat.Ref, error) {
	channel, err := c.conversation(ctx, parent.Channel)
	if err != nil {
		return chat.Ref{}, err
	}
	var ts string
	err = c.retry(ctx, func() (err error) {
		_, ts, err = c.api.PostMessageContext(ctx, channel, append(msgOptions(m), slack.MsgOptionTS(parent.ID))...)
		return err
	})
	return chat.Ref{Channel: parent.Channel, ID: ts}, mapError(err)
}

// Update replaces message ts, coalescing with updates already in flight:
// a caller that finds one in flight leaves its update to be sent next, in
// place of any other waiting, and returns at once. The caller in flight
// sends each waiting update under that update's own caller's context (less
// its cancel: that caller has returned), so the update goes out even when
// the first caller's context ends. It returns the error of its own update.
func (c *Chat) Update(ctx context.Context, ref chat.Ref, m commands.Message) error {
	channel, err := c.conversation(ctx, ref.Channel)
	if err != nil {
		return err
	}
	ts := ref.ID
	key := channel + "/" + ts
	c.mu.Lock()
	if p, busy := c.pending[key]; busy {
		p.next, p.nextCtx, p.caller = &m, context.WithoutCancel(ctx), ctx // the update in flight sends this when it is done
		c.mu.Unlock()
		return nil
	}
	c.pending[key] = &pendingUpdate{}
	c.mu.Unlock()

	err = c.update(ctx, channel, ts, m)
	for {
		c.mu.Lock()
		p := c.pending[key]
		if p.next == nil {
			delete(c.pending, key)
			c.mu.Unlock()
			return mapError(err)
		}
		next, nextCtx, caller := *p.next, p.nextCtx, p.caller
		p.next, p.nextCtx, p.caller = nil, nil, nil
		c.mu.Unlock()
		if dobot.LeaseGone(caller) {
			// Its operation moved to another replica, which keeps the
			// message current from now on.
			continue
		}
		sendCtx, cancel := context.WithTimeout(nextCtx, coalescedTimeout)
		if nerr := c.update(sendCtx, channel, ts, next); nerr != nil {
			c.log.Warn("coalesced update failed", "channel", channel, "ts", ts, "err", nerr)
		}
		cancel()
	}
}

func (c *Chat) update(ctx context.Context, channel, ts string, m commands.Message) error {
	return c.retry(ctx, func() error {
		_, _, _, err := c.api.UpdateMessageContext(ctx, channel, ts, msgOptions(m)...)
		return err
	})
}

// Ephemeral shows m to user alone.
func (c *Chat) Ephemeral(ctx context.Context, channel, user string, m commands.Message) error {
	channel, err := c.conversation(ctx, channel)
	if err != nil {
		return err
	}
	return mapError(c.retry(ctx, func() error {
		_, err := c.api.PostEphemeralContext(ctx, channel, user, msgOptions(m)...)
		return err
	}))
}

// Upload posts content as a text snippet in a thread (files.uploadV2).
func (c *Chat) Upload(ctx context.Context, parent chat.Ref, filename, title, content string) error {
	return c.upload(ctx, parent.Channel, parent.ID, filename, title, content)
}

func (c *Chat) upload(ctx context.Context, channel, threadTS, filename, title, content string) error {
	channel, err := c.conversation(ctx, channel)
	if err != nil {
		return err
	}
	if content == "" {
		content = "(empty)\n"
	}
	return mapError(c.retry(ctx, func() error {
		_, err := c.api.UploadFileContext(ctx, slack.UploadFileParameters{
			Content: content, FileSize: len(content), Filename: filename, Title: slackText(title),
			Channel: channel, ThreadTimestamp: threadTS, SnippetType: "text",
		})
		return err
	}))
}

// UploadDirect sends content as a snippet in the app's direct messages
// with user: conversations.open (scope im:write) gives that conversation's
// id, which files.completeUploadExternal needs; a user id is no channel
// there.
func (c *Chat) UploadDirect(ctx context.Context, user, filename, title, content string) error {
	var im *slack.Channel
	err := c.retry(ctx, func() (err error) {
		im, _, _, err = c.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}})
		return err
	})
	if err != nil {
		return fmt.Errorf("open direct message with %s: %w", user, mapError(err))
	}
	return c.upload(ctx, im.ID, "", filename, title, content)
}

// Permalink asks Slack for a link to a message (chat.getPermalink, which
// needs no scope).
//
// A message's permalink never changes, so each is asked of Slack once:
// `/do list` over many apps would otherwise make a call per app on every
// answer.
func (c *Chat) Permalink(ctx context.Context, ref chat.Ref) (string, error) {
	channel, err := c.conversation(ctx, ref.Channel)
	if err != nil {
		return "", err
	}
	ts := ref.ID
	key := channel + "/" + ts
	c.mu.Lock()
	link, ok := c.links[key]
	c.mu.Unlock()
	if ok {
		return link, nil
	}
	err = c.retry(ctx, func() (err error) {
		link, err = c.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: channel, Ts: ts})
		return err
	})
	if err != nil {
		return "", mapError(err)
	}
	c.mu.Lock()
	if c.links == nil || len(c.links) >= maxCachedLinks {
		c.links = map[string]string{}
	}
	c.links[key] = link
	c.mu.Unlock()
	return link, nil
}

// Slack lets an app use a response_url five times within thirty minutes
// (api.slack.com/interactivity/handling, "Message responses").
const (
	responseURLUses = 5
	responseURLLife = 30 * time.Minute
)

// ResponseURLStore keeps each response_url's age and uses, so that Slack's
// limits hold across restarts and replicas. store.DB implements it.
type ResponseURLStore interface {
	// RecordResponseURL notes that url was handed to userID in channelID now.
	RecordResponseURL(ctx context.Context, url, userID, channelID string) error
	// UseResponseURL counts one use within maxUses and life; allowed is
	// false past either, and userID is "" for a URL never recorded.
	UseResponseURL(ctx context.Context, url string, maxUses int, life time.Duration) (allowed bool, userID string, err error)
}

// TrackResponseURLs makes the Chat count response_url uses in s, and answer
// by direct message once a URL is past Slack's limits.
func (c *Chat) TrackResponseURLs(s ResponseURLStore) { c.urls = s }

// recordResponseURL notes a response_url that came with an envelope.
func (c *Chat) recordResponseURL(ctx context.Context, url, userID, channelID string) {
	if c.urls == nil || url == "" {
		return
	}
	if err := c.urls.RecordResponseURL(ctx, url, userID, channelID); err != nil {
		c.log.Warn("record response_url", "user", userID, "err", err)
	}
}

// errResponseURLGone means Slack refused a response_url as used up or
// expired.
var errResponseURLGone = errors.New("response_url is used up or expired")

// Respond answers through a response_url, privately to the person. Past the
// URL's five uses or thirty minutes, it sends m to the person as a direct
// message instead: what Respond carries is meant for that person alone, and
// the bot uses Respond where it cannot post in the channel, so the channel
// is no fallback.
func (c *Chat) Respond(ctx context.Context, responseURL string, m commands.Message) error {
	var user string
	if c.urls != nil {
		allowed, u, err := c.urls.UseResponseURL(ctx, responseURL, responseURLUses, responseURLLife)
		if err != nil {
			// Trying the URL is better than staying silent; Slack will say
			// if it is spent.
			c.log.Warn("count response_url use", "err", err)
			allowed = true
		}
		user = u
		if !allowed {
			c.log.Info("response_url past Slack's limits; answering by direct message", "user", user)
			return c.direct(ctx, user, m)
		}
	}
	err := c.postResponse(ctx, responseURL, m)
	if errors.Is(err, errResponseURLGone) && user != "" {
		c.log.Info("Slack refused a spent response_url; answering by direct message", "user", user)
		return c.direct(ctx, user, m)
	}
	return err
}

// direct sends m to user in the app's direct messages (chat.postMessage
// with the user id as channel), noting why it came there.
func (c *Chat) direct(ctx context.Context, user string, m commands.Message) error {
	note := "_Sent here because Slack's reply link for your command is spent: it takes 5 replies within 30 minutes._"
	if strings.TrimSpace(m.Footer) == "" {
		m.Footer = note
	} else {
		m.Footer += "\n" + note
	}
	if _, err := c.Post(ctx, user, m); err != nil {
		return fmt.Errorf("direct message instead of a spent response_url: %w", err)
	}
	return nil
}

// postResponse posts m to a response_url.
func (c *Chat) postResponse(ctx context.Context, responseURL string, m commands.Message) error {
	body, err := json.Marshal(map[string]any{
		"text": MessageText(m), "blocks": Blocks(m), "response_type": "ephemeral", "replace_original": false,
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
		answer, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
		if resp.StatusCode == http.StatusTooManyRequests {
			return &slack.RateLimitedError{RetryAfter: time.Second}
		}
		if resp.StatusCode/100 != 2 {
			code := strings.TrimSpace(string(answer))
			if code == "expired_url" || code == "used_url" {
				return fmt.Errorf("response_url answered %s %s: %w", resp.Status, code, errResponseURLGone)
			}
			return fmt.Errorf("response_url answered %s %.100s", resp.Status, code)
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

// mapError wraps chat.ErrCannotPost around Slack's channel errors.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && channelErrors[se.Err] {
		return fmt.Errorf("%w: %s", chat.ErrCannotPost, se.Err)
	}
	if channelErrors[err.Error()] {
		return fmt.Errorf("%w: %s", chat.ErrCannotPost, err.Error())
	}
	return err
}

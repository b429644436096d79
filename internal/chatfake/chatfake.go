// Package chatfake is a chat.Chat for the unit tests of the core's
// packages: it records every message, as plain text, and answers every
// call at once. It is imported by tests only.
package chatfake

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"dobot/chat"
)

// Sent is one message the fake received: the call, where it went, and
// the message.
type Sent struct {
	Call string // "post", "reply", "update", "ephemeral", "respond"
	To   string // the channel, or the parent's or updated message's id
	Msg  chat.Message
}

// Text is the message's title and text as plain text.
func (s Sent) Text() string { return chat.Plain(s.Msg.Title + " " + s.Msg.Text) }

// Board records messages. The zero value is ready to use.
type Board struct {
	mu   sync.Mutex
	n    int
	sent []Sent
}

var _ chat.Chat = (*Board)(nil)

func (b *Board) add(call, to string, m chat.Message) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.n++
	b.sent = append(b.sent, Sent{Call: call, To: to, Msg: m})
	return fmt.Sprint(b.n)
}

// Post records m as a new message in channel.
func (b *Board) Post(_ context.Context, channel string, m chat.Message) (chat.Ref, error) {
	return chat.Ref{Channel: channel, ID: b.add("post", channel, m)}, nil
}

// Reply records m in parent's thread.
func (b *Board) Reply(_ context.Context, parent chat.Ref, m chat.Message) (chat.Ref, error) {
	return chat.Ref{Channel: parent.Channel, ID: b.add("reply", parent.ID, m)}, nil
}

// Update records m replacing ref.
func (b *Board) Update(_ context.Context, ref chat.Ref, m chat.Message) error {
	b.add("update", ref.ID, m)
	return nil
}

// Ephemeral records m shown to user in channel.
func (b *Board) Ephemeral(_ context.Context, channel, _ string, m chat.Message) error {
	b.add("ephemeral", channel, m)
	return nil
}

// Respond records m sent through a response_url.
func (b *Board) Respond(_ context.Context, url string, m chat.Message) error {
	b.add("respond", url, m)
	return nil
}

// Upload does nothing.
func (b *Board) Upload(context.Context, chat.Ref, string, string, string) error { return nil }

// UploadDirect does nothing.
func (b *Board) UploadDirect(context.Context, string, string, string, string) error { return nil }

// Permalink is a made-up link.
func (b *Board) Permalink(_ context.Context, ref chat.Ref) (string, error) {
	return "https://chat.example/" + ref.Channel + "/" + ref.ID, nil
}

// Sent returns what was sent so far.
func (b *Board) Sent() []Sent {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Sent(nil), b.sent...)
}

// Find returns the messages whose plain text contains s.
func (b *Board) Find(s string) []Sent {
	var out []Sent
	for _, m := range b.Sent() {
		if strings.Contains(m.Text(), s) {
			out = append(out, m)
		}
	}
	return out
}

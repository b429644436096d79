// Package console is the bot's second chat adapter: a terminal in which a
// person types /do commands exactly as in Slack and clicks buttons by
// number. It implements commands.Chat by printing, and turns typed lines
// into the same commands.Request and commands.Click values the Slack adapter
// makes, so everything behind the chat runs as it does in Slack.
//
// Each message prints as plain text. A message the bot posts in the channel
// gets a number, [#3]; replies in its thread print indented under
// "↳ [#3 web]", later changes as "~ updated [#3 web]:", and answers meant
// for one person as "(only you)". Buttons print as numbered choices,
// [1] Approve  [2] Deny, numbered across the session so that a number
// always means one button.
package console

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/commands"
)

// Defaults for Options.
const (
	DefaultUser    = "ULOCAL"
	DefaultChannel = "CCONSOLE"
	DefaultWait    = 2 * time.Minute
)

// Store is what the console reads from the bot's store: roles, to say who
// you are when you switch user, and operations, to wait for running ones.
type Store interface {
	Role(ctx context.Context, userID string) (dobot.Role, error)
	UnfinishedOperations(ctx context.Context) ([]dobot.Operation, error)
}

// Options configures a Console.
type Options struct {
	// User is who types at first; default DefaultUser. /as changes it.
	User string
	// Channel is the channel every command comes from; default
	// DefaultChannel.
	Channel string
	// Store is the bot's store; required.
	Store Store
	// Wait limits how long the end of input waits for running operations;
	// default DefaultWait.
	Wait time.Duration
	// Interactive prints a prompt for a person at a terminal. Otherwise
	// each input line is echoed after the prompt, so that a piped script's
	// output reads as a transcript.
	Interactive bool
	// Sim, when set, runs /sim on the simulated DigitalOcean (a deployment
	// started outside the bot) and says what it did.
	Sim func(ctx context.Context, text string) (string, error)
}

// Console is a terminal chat. Its methods are safe for concurrent use: each
// message prints whole, never interleaved with another.
type Console struct {
	opts  Options
	start int64 // unix seconds at start, the integer part of every ts
	ops   *tracker

	mu          sync.Mutex
	out         io.Writer
	user        string
	seq         int                // last message, for its ts
	heads       int                // last head message's number, as shown
	refs        int                // last request reference number
	msgs        map[string]*posted // by ts
	choices     map[int]choice     // by number
	lastChoice  int
	promptShown bool
	form        *openForm       // the form being answered, if any (forms.go)
	homeAsked   map[string]bool // users whose /home waits to be printed
}

// posted is a message the console has shown.
type posted struct {
	num     int // a head's number as shown, [#3]; 0 for a reply
	channel string
	thread  string // ts of the head message, "" for a head
	msg     commands.Message
	choices []int  // the numbers of msg's buttons, in order
	ts      string // its Slack-style timestamp, the key of Console.msgs
}

// choice is one numbered button and the message it is on.
type choice struct {
	channel, ts string // ts is "" on an answer only one person sees
	button      commands.Button
	home        bool // on a home page: a chatview click
}

// New returns a console that prints to out.
func New(out io.Writer, opts Options) *Console {
	if opts.User == "" {
		opts.User = DefaultUser
	}
	if opts.Channel == "" {
		opts.Channel = DefaultChannel
	}
	if opts.Wait <= 0 {
		opts.Wait = DefaultWait
	}
	return &Console{
		opts:    opts,
		start:   time.Now().Unix(),
		ops:     newTracker(),
		out:     out,
		user:    opts.User,
		msgs:    map[string]*posted{},
		choices: map[int]choice{},
	}
}

var _ commands.Chat = (*Console)(nil)

// Observer returns the bot's observer: it counts operations in flight, so
// that the end of input can wait for them, and passes everything on to next
// (which may be nil). Call it while wiring, before the bot starts.
func (c *Console) Observer(next commands.Observer) commands.Observer {
	c.ops.next = next
	return c.ops
}

// Post shows a new message in channel.
func (c *Console) Post(_ context.Context, channel string, m commands.Message) (chat.Ref, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.remember(channel, "", m)
	prefix := fmt.Sprintf("[#%d] ", p.num)
	if channel != c.opts.Channel {
		prefix = fmt.Sprintf("[#%d in #%s] ", p.num, channel)
	}
	c.print(block(prefix, "     ", render(m, p.choices)))
	return chat.Ref{Channel: channel, ID: p.ts}, nil
}

// Reply shows m in the thread of parent, indented under its head.
func (c *Console) Reply(_ context.Context, parent chat.Ref, m commands.Message) (chat.Ref, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.remember(parent.Channel, parent.ID, m)
	c.print(block("  ↳ "+c.threadTag(parent.ID)+" ", "      ", render(m, p.choices)))
	return chat.Ref{Channel: parent.Channel, ID: p.ts}, nil
}

// Update replaces the message ts, showing the new version unless nothing
// visible changed. Buttons of the old version stop working.
func (c *Console) Update(_ context.Context, ref chat.Ref, m commands.Message) error {
	channel, ts := ref.Channel, ref.ID
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.msgs[ts]
	if !ok || p.channel != channel {
		return fmt.Errorf("console: update: no message %s in %s", ts, channel)
	}
	old := strings.Join(render(p.msg, p.choices), "\n")
	for _, n := range p.choices {
		delete(c.choices, n)
	}
	p.msg, p.choices = m, c.number(channel, ts, m.Buttons)
	lines := render(m, p.choices)
	if len(p.choices) == 0 && strings.Join(lines, "\n") == old {
		return nil
	}
	indent := "    "
	if p.thread != "" {
		indent = "      "
	}
	c.print(block("~ updated "+c.tagOf(p)+": ", indent, lines))
	return nil
}

// Ephemeral shows m to user only.
func (c *Console) Ephemeral(_ context.Context, channel, user string, m commands.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.private(channel, user, m)
	return nil
}

// Respond answers through a response URL, which the console makes for
// each command and click: it names the person, and the answer shows as an
// ephemeral one for them.
func (c *Console) Respond(_ context.Context, responseURL string, m commands.Message) error {
	u, err := url.Parse(responseURL)
	if err != nil || u.Scheme != "console" || u.Host == "" {
		return fmt.Errorf("console: respond: %q is not a console response URL", responseURL)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.private(c.opts.Channel, u.Host, m)
	return nil
}

// Upload shows the end of a file in the thread of parent.
func (c *Console) Upload(_ context.Context, parent chat.Ref, filename, title, content string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.print(block("  ↳ "+c.threadTag(parent.ID)+" ", "      ", uploadLines(filename, title, content)))
	return nil
}

// UploadDirect shows the end of a file as an answer for user alone.
func (c *Console) UploadDirect(_ context.Context, user, filename, title, content string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	who := "(only you, direct) "
	if user != c.user {
		who = "(only @" + user + ", direct) "
	}
	c.print(block(who, strings.Repeat(" ", 4), uploadLines(filename, title, content)))
	return nil
}

// Permalink names a message the way the console shows it, "[#3 web]", so
// that a reader can find it above.
func (c *Console) Permalink(_ context.Context, ref chat.Ref) (string, error) {
	channel, ts := ref.Channel, ref.ID
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.msgs[ts]
	if !ok || p.channel != channel {
		return "", fmt.Errorf("console: permalink: no message %s in %s", ts, channel)
	}
	return c.tagOf(p), nil
}

// private prints an answer meant for one person. The console shows
// everyone's, marking whose it is when it is not the current user's.
func (c *Console) private(channel, user string, m commands.Message) {
	who := "(only you) "
	if user != c.user {
		who = "(only @" + user + ") "
	}
	c.print(block(who, strings.Repeat(" ", 4), render(m, c.number(channel, "", m.Buttons))))
}

// remember stores a new message, numbering it and its buttons. c.mu is held.
func (c *Console) remember(channel, thread string, m commands.Message) *posted {
	c.seq++
	ts := fmt.Sprintf("%d.%06d", c.start, c.seq) // Slack-style
	p := &posted{ts: ts, channel: channel, thread: thread, msg: m, choices: c.number(channel, ts, m.Buttons)}
	if thread == "" {
		c.heads++
		p.num = c.heads
	}
	c.msgs[ts] = p
	return p
}

// number gives each button of the message ts the next choice number.
// c.mu is held.
func (c *Console) number(channel, ts string, buttons []commands.Button) []int {
	if len(buttons) == 0 {
		return nil
	}
	out := make([]int, len(buttons))
	for i, b := range buttons {
		c.lastChoice++
		out[i] = c.lastChoice
		c.choices[c.lastChoice] = choice{channel: channel, ts: ts, button: b}
	}
	return out
}

// threadTag names the thread of a head message: its number and the app or
// droplet it is about.
func (c *Console) threadTag(threadTS string) string {
	p, ok := c.msgs[threadTS]
	if !ok {
		return "[thread " + threadTS + "]"
	}
	return c.tagOf(p)
}

// tagOf names a message, or for a reply the thread it is in.
func (c *Console) tagOf(p *posted) string {
	if p.thread != "" {
		return "reply " + c.threadTag(p.thread)
	}
	return fmt.Sprintf("[#%d%s]", p.num, subject(p.msg))
}

// subject is what a head message is about, from its first App, Droplet or
// Name field, with a leading space; or "".
func subject(m commands.Message) string {
	for _, f := range m.Fields {
		switch f.Label {
		case "App", "Droplet", "Name":
			return " " + plain(f.Value)
		}
	}
	return ""
}

// print writes text whole. When a prompt is showing it clears the prompt's
// line first and shows the prompt again after. c.mu is held.
func (c *Console) print(text string) {
	if c.promptShown {
		text = "\r\033[K" + text + c.prompt()
	}
	_, _ = io.WriteString(c.out, text)
}

// prompt is the input prompt, naming who types. c.mu is held.
func (c *Console) prompt() string { return c.user + "> " }

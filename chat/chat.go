// Package chat is the neutral message the core builds and every adapter
// (slackbot, console) renders its own way. The core never writes a chat
// service's markup: a mention, a channel or a link is a token made by
// Mention, Channel or Link, and status marks are plain Unicode emoji (the
// Icon constants), which Slack and a terminal both show as they are.
package chat

import (
	"fmt"
	"net/url"
	"strings"

	"dobot"
)

// Message is what the bot says: a line of text, or a card with a title,
// fields, a progress bar, a body, buttons and a footer. Every text may hold
// tokens; adapters render them.
type Message struct {
	Text     string
	Title    string // heading, starting with its status icon
	Fields   []Field
	Progress *Progress
	Body     string // longer markdown text under the fields
	Buttons  []Button
	Footer   string // small context line
}

// Field is one labelled value on a card, such as "Image" or "Region".
type Field struct {
	Label, Value string
}

// Progress is how many of a deployment's steps are done.
type Progress struct {
	Done, Total int
}

// progressCells is how many cells a progress bar has.
const progressCells = 10

// Bar draws the progress as ten cells and a count, "▰▰▰▱▱▱▱▱▱▱ 2/6 steps",
// or "" when there are no steps.
func (p Progress) Bar() string {
	if p.Total <= 0 {
		return ""
	}
	done := min(max(p.Done, 0), p.Total)
	filled := done * progressCells / p.Total
	return strings.Repeat("▰", filled) + strings.Repeat("▱", progressCells-filled) + fmt.Sprintf(" %d/%d steps", done, p.Total)
}

// Button is an interactive choice. Value carries what the click acts on.
type Button struct {
	ActionID string
	Label    string
	Value    string
	Style    string // "primary", "danger" or ""
}

// Ref names a message the bot posted: its channel and the adapter's own id
// for it (Slack's ts, the console's sequence number). The core stores and
// passes it back without looking inside.
type Ref struct {
	Channel string
	ID      string
}

// Token bytes. They are ASCII control characters no person types and
// Clean removes from every untrusted text, so only the bot can make a
// token.
const (
	tokenOpen  = '\x1e'
	tokenClose = '\x1f'
	tokenSep   = '\x1d'
)

// Token kinds, the first byte inside a token.
const (
	kindMention = '@'
	kindChannel = '#'
	kindLink    = 'L'
)

var cleaner = strings.NewReplacer(string(rune(tokenOpen)), "", string(rune(tokenClose)), "", string(rune(tokenSep)), "")

// Clean makes untrusted text (from a person or from DigitalOcean) unable
// to forge a token. Adapters escape the rest of the text for their medium.
func Clean(s string) string {
	if strings.IndexFunc(s, isTokenByte) < 0 {
		return s
	}
	return cleaner.Replace(s)
}

func isTokenByte(r rune) bool { return r == tokenOpen || r == tokenClose || r == tokenSep }

// Mention refers to a person by their chat user id, so that they are
// notified. An id that is not a user id is shown as plain text.
func Mention(userID string) string {
	if !dobot.IsUserID(userID) {
		return Clean(userID)
	}
	return string([]rune{tokenOpen, kindMention}) + userID + string(tokenClose)
}

// Channel refers to a channel by id. An id that is not a channel id is
// shown as plain text.
func Channel(channelID string) string {
	if !isChannelID(channelID) {
		return Clean(channelID)
	}
	return string([]rune{tokenOpen, kindChannel}) + channelID + string(tokenClose)
}

func isChannelID(s string) bool {
	if len(s) < 2 || (s[0] != 'C' && s[0] != 'G' && s[0] != 'D') {
		return false
	}
	for _, r := range s[1:] {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// Link is a link to an http(s) URL the bot trusts (DigitalOcean's control
// panel, an app's live URL, a thread's permalink) with a label. A URL that
// is not a plain http(s) URL is shown as text, not linked.
func Link(raw, label string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(raw, "<>| \t\n") || strings.IndexFunc(raw, isTokenByte) >= 0 {
		return Clean(raw)
	}
	label = Clean(label)
	if label == "" {
		label = raw
	}
	return string([]rune{tokenOpen, kindLink}) + raw + string(tokenSep) + label + string(tokenClose)
}

// Kind is what a Segment of text is.
type Kind int

// The kinds of Segment.
const (
	Text   Kind = iota // plain text, to be escaped by the adapter
	Person             // a mention: Target is the user id
	Room               // a channel: Target is the channel id
	Href               // a link: Target is the URL, Text the label
)

// Segment is a run of text or one token.
type Segment struct {
	Kind   Kind
	Text   string
	Target string
}

// Segments splits s into text and tokens, in order. A malformed token
// (cut by clipping, say) is dropped, never shown as control bytes.
func Segments(s string) []Segment {
	var out []Segment
	for s != "" {
		i := strings.IndexByte(s, tokenOpen)
		if i < 0 {
			out = append(out, Segment{Kind: Text, Text: Clean(s)})
			break
		}
		if i > 0 {
			out = append(out, Segment{Kind: Text, Text: Clean(s[:i])})
		}
		s = s[i+1:]
		j := strings.IndexByte(s, tokenClose)
		if j < 0 {
			break // a token cut in half: drop the rest of it
		}
		if seg, ok := token(s[:j]); ok {
			out = append(out, seg)
		}
		s = s[j+1:]
	}
	return out
}

func token(body string) (Segment, bool) {
	if body == "" {
		return Segment{}, false
	}
	kind, rest := body[0], body[1:]
	switch kind {
	case kindMention:
		return Segment{Kind: Person, Target: rest}, dobot.IsUserID(rest)
	case kindChannel:
		return Segment{Kind: Room, Target: rest}, isChannelID(rest)
	case kindLink:
		url, label, ok := strings.Cut(rest, string(tokenSep))
		return Segment{Kind: Href, Target: url, Text: label}, ok
	}
	return Segment{}, false
}

// Render rewrites every segment of s with the given functions: text runs
// through text, and each token through token. Adapters build their markup
// with it.
func Render(s string, text func(string) string, token func(Segment) string) string {
	if strings.IndexFunc(s, isTokenByte) < 0 {
		return text(s)
	}
	var sb strings.Builder
	for _, seg := range Segments(s) {
		if seg.Kind == Text {
			sb.WriteString(text(seg.Text))
		} else {
			sb.WriteString(token(seg))
		}
	}
	return sb.String()
}

// Plain is s as plain text: "@U123" for a mention, "#C123" for a channel,
// "label (url)" for a link. For logs and for adapters without markup.
func Plain(s string) string {
	return Render(s, func(t string) string { return t }, PlainToken)
}

// PlainToken is one token as plain text.
func PlainToken(seg Segment) string {
	switch seg.Kind {
	case Person:
		return "@" + seg.Target
	case Room:
		return "#" + seg.Target
	case Href:
		if seg.Text == "" || seg.Text == seg.Target {
			return seg.Target
		}
		return seg.Text + " (" + seg.Target + ")"
	}
	return seg.Text
}

// Status icons. They are Unicode emoji, shown as they are by Slack and by a
// terminal, so the core never writes a service's emoji shortcodes.
const (
	IconOK       = "✅"
	IconFailed   = "❌"
	IconWarning  = "⚠️"
	IconWaiting  = "⏳"
	IconExpired  = "⌛"
	IconDenied   = "⛔"
	IconCanceled = "🚫"
	IconAsk      = "✋"
	IconLaunch   = "🚀"
	IconBuild    = "🔨"
	IconWork     = "🛠️"
	IconSettings = "⚙️"
	IconSearch   = "🔍"
	IconDelete   = "🗑️"
	IconClean    = "🧹"
	IconPackage  = "📦"
	IconLock     = "🔒"
	IconAlarm    = "⏰"
	IconRestart  = "🔄"
	IconRepeat   = "🔁"
	IconRollback = "⏪"
	IconForward  = "⏩"
	IconUnknown  = "❔"
	IconHandover = "🤝"
	IconLive     = "🟢"
	IconPending  = "🟡"
	IconDown     = "🔴"
	IconOff      = "⚫"
)

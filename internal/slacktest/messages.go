package slacktest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"dobot/internal/slacktest/blockkit"
)

// A response_url may be used five times within thirty minutes of the
// envelope that carried it (api.slack.com/interactivity/handling, "Message
// responses"). Past either, Slack answers 404: used_url or expired_url.
const (
	responseURLUses = 5
	responseURLLife = 30 * time.Minute
)

// Message is one successful message-like call: chat.postMessage,
// chat.update, chat.postEphemeral, chat.delete,
// files.completeUploadExternal, or a post to a response_url
// ("response_url").
type Message struct {
	// Method is the Web API method, or "response_url".
	Method string
	// Channel is the channel posted to; for response_url, the channel of
	// the envelope the URL belongs to.
	Channel string
	// TS is the message's ts: the new message's for a post, the one
	// changed for chat.update, chat.delete and replace_original, and ""
	// for ephemeral response_url posts, which Slack gives no ts.
	TS string
	// ThreadTS is the thread the message was posted into, or "".
	ThreadTS string
	// User is the user an ephemeral message was shown to.
	User string
	// Text is the message text as sent.
	Text string
	// Blocks is the Block Kit JSON as sent, nil when none was.
	Blocks json.RawMessage
	// Attachments is the legacy attachments JSON as sent, nil when none was.
	Attachments json.RawMessage
	// ResponseURL is the response_url used, for Method "response_url".
	ResponseURL string
	// ResponseType is "ephemeral" (Slack's default) or "in_channel", for
	// Method "response_url".
	ResponseType string
	// ReplaceOriginal and DeleteOriginal are the response_url flags. On a
	// response_url from a click on a (non-ephemeral) message, they change
	// or delete that message, which Latest then shows.
	ReplaceOriginal bool
	DeleteOriginal  bool
	// At is when the call arrived.
	At time.Time
}

// postKey identifies a posted message.
type postKey struct{ channel, ts string }

// responseTarget is what a response_url was issued for.
type responseTarget struct {
	envelopeID string
	channel    string
	messageTS  string // the clicked message, "" for slash commands
	ephemeral  bool   // the clicked message was ephemeral
	uses       int
	issued     time.Time // by the server's clock, Options.Now
}

// nextTSLocked returns a fresh message ts. Slack's ts are unique per channel
// and increase; these are unique across channels too. s.mu must be held.
func (s *Server) nextTSLocked() string {
	s.web.tsSeq++
	micros := int64(s.web.tsSeq) * 100
	return fmt.Sprintf("%d.%06d", 1700000000+micros/1e6, micros%1e6)
}

// refusalAnswer is the ok:false Web API answer Slack gives for r.
func refusalAnswer(r *blockkit.Refusal) map[string]any {
	resp := slackErr(r.Code)
	if len(r.Problems) > 0 {
		msgs := make([]string, len(r.Problems))
		for i, p := range r.Problems {
			msgs[i] = "[ERROR] " + p
		}
		resp["errors"] = r.Problems
		resp["response_metadata"] = map[string]any{"messages": msgs}
	}
	return resp
}

// messageJSON is the message object Slack returns for a bot's post.
func messageJSON(m *Message) map[string]any {
	out := map[string]any{
		"type":    "message",
		"user":    BotUserID,
		"bot_id":  BotID,
		"app_id":  AppID,
		"team":    TeamID,
		"text":    m.Text,
		"ts":      m.TS,
		"blocks":  json.RawMessage("[]"),
		"channel": m.Channel,
	}
	if m.Blocks != nil {
		out["blocks"] = m.Blocks
	}
	if m.Attachments != nil {
		out["attachments"] = m.Attachments
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
		out["parent_user_id"] = BotUserID
	}
	return out
}

func (s *Server) postMessage(req *apiRequest) map[string]any {
	f := req.form
	channel := f.Get("channel")
	if channel == "" {
		return slackErr("channel_not_found")
	}
	if failure := s.channelFault(channel); failure != "" {
		return slackErr(failure)
	}
	if bad := blockkit.CheckMessage(f.Get("text"), f.Get("blocks"), f.Get("attachments"), true); bad != nil {
		return refusalAnswer(bad)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := Message{
		Method:      "chat.postMessage",
		Channel:     channel,
		TS:          s.nextTSLocked(),
		ThreadTS:    f.Get("thread_ts"),
		Text:        f.Get("text"),
		Blocks:      rawOrNil(f.Get("blocks")),
		Attachments: rawOrNil(f.Get("attachments")),
		At:          req.at,
	}
	s.web.messages = append(s.web.messages, m)
	current := m
	s.web.posts[postKey{channel, m.TS}] = &current
	s.notifyLocked()
	return map[string]any{"ok": true, "channel": channel, "ts": m.TS, "message": messageJSON(&m)}
}

func (s *Server) update(req *apiRequest) map[string]any {
	f := req.form
	channel, ts := f.Get("channel"), f.Get("ts")
	if channel == "" {
		return slackErr("channel_not_found")
	}
	if failure := s.channelFault(channel); failure != "" {
		return slackErr(failure)
	}
	if bad := blockkit.CheckMessage(f.Get("text"), f.Get("blocks"), f.Get("attachments"), false); bad != nil {
		return refusalAnswer(bad)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.web.posts[postKey{channel, ts}]
	if cur == nil || isDeleted(cur) {
		return slackErr("message_not_found")
	}
	m := Message{
		Method:      "chat.update",
		Channel:     channel,
		TS:          ts,
		Text:        f.Get("text"),
		Blocks:      rawOrNil(f.Get("blocks")),
		Attachments: rawOrNil(f.Get("attachments")),
		At:          req.at,
	}
	s.web.messages = append(s.web.messages, m)
	s.applyUpdateLocked(cur, m, f.Has("text"), f.Has("blocks"), f.Has("attachments"))
	s.notifyLocked()
	return map[string]any{"ok": true, "channel": channel, "ts": ts, "text": cur.Text, "message": messageJSON(cur)}
}

// applyUpdateLocked changes a message's current content. Fields the update
// did not send are kept, as Slack keeps a message's attachments (and, in
// practice, blocks) when chat.update omits them.
func (s *Server) applyUpdateLocked(cur *Message, m Message, hasText, hasBlocks, hasAttachments bool) {
	cur.Method = m.Method
	cur.At = m.At
	if hasText {
		cur.Text = m.Text
	}
	if hasBlocks {
		cur.Blocks = m.Blocks
	}
	if hasAttachments {
		cur.Attachments = m.Attachments
	}
}

func (s *Server) postEphemeral(req *apiRequest) map[string]any {
	f := req.form
	channel, user := f.Get("channel"), f.Get("user")
	if channel == "" {
		return slackErr("channel_not_found")
	}
	if user == "" {
		return slackErr("user_not_in_channel")
	}
	if failure := s.channelFault(channel); failure != "" {
		return slackErr(failure)
	}
	if bad := blockkit.CheckMessage(f.Get("text"), f.Get("blocks"), f.Get("attachments"), true); bad != nil {
		return refusalAnswer(bad)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := Message{
		Method:      "chat.postEphemeral",
		Channel:     channel,
		TS:          s.nextTSLocked(),
		ThreadTS:    f.Get("thread_ts"),
		User:        user,
		Text:        f.Get("text"),
		Blocks:      rawOrNil(f.Get("blocks")),
		Attachments: rawOrNil(f.Get("attachments")),
		At:          req.at,
	}
	s.web.messages = append(s.web.messages, m)
	s.web.ephemeral[m.TS] = true
	s.notifyLocked()
	return map[string]any{"ok": true, "message_ts": m.TS}
}

func (s *Server) deleteMessage(req *apiRequest) map[string]any {
	channel, ts := req.form.Get("channel"), req.form.Get("ts")
	if channel == "" {
		return slackErr("channel_not_found")
	}
	if failure := s.channelFault(channel); failure != "" {
		return slackErr(failure)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.web.posts[postKey{channel, ts}]
	if cur == nil || isDeleted(cur) {
		return slackErr("message_not_found")
	}
	s.deleteLocked(cur, Message{Method: "chat.delete", Channel: channel, TS: ts, At: req.at})
	return map[string]any{"ok": true, "channel": channel, "ts": ts}
}

// deleteLocked records m and marks cur deleted.
func (s *Server) deleteLocked(cur *Message, m Message) {
	s.web.messages = append(s.web.messages, m)
	*cur = Message{Method: m.Method, Channel: cur.Channel, TS: cur.TS, ThreadTS: cur.ThreadTS, DeleteOriginal: m.DeleteOriginal, At: m.At}
	s.notifyLocked()
}

// isDeleted reports whether a message's current content says it was deleted.
func isDeleted(cur *Message) bool {
	return cur.Method == "chat.delete" || cur.Method == "response_url" && cur.DeleteOriginal
}

// newResponseURL issues a response_url for an envelope.
func (s *Server) newResponseURL(envelopeID, channel, messageTS string, ephemeral bool) string {
	path := "/response/" + TeamID + "/" + randomHex(12)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.web.responses[path] = &responseTarget{envelopeID: envelopeID, channel: channel, messageTS: messageTS,
		ephemeral: ephemeral || s.web.ephemeral[messageTS], issued: s.opts.Now()}
	return s.http.URL + path
}

// handleResponseURL serves posts to response_urls: JSON with text, blocks,
// response_type, replace_original, delete_original and thread_ts.
func (s *Server) handleResponseURL(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	var body struct {
		Text            string          `json:"text"`
		Blocks          json.RawMessage `json:"blocks"`
		Attachments     json.RawMessage `json:"attachments"`
		ResponseType    string          `json:"response_type"`
		ReplaceOriginal flexBool        `json:"replace_original"`
		DeleteOriginal  flexBool        `json:"delete_original"`
		ThreadTS        string          `json:"thread_ts"`
	}
	raw, decodeErr := readJSON(r, &body)
	call := Call{Method: "response_url", Body: raw, At: at}
	var bad *blockkit.Refusal
	if decodeErr == nil && !body.DeleteOriginal {
		blocks := ""
		if b := nullToNil(body.Blocks); b != nil {
			blocks = string(b)
		}
		attachments := ""
		if a := nullToNil(body.Attachments); a != nil {
			attachments = string(a)
		}
		bad = blockkit.CheckMessage(body.Text, blocks, attachments, true)
	}

	s.mu.Lock()
	target := s.web.responses[r.URL.Path]
	var status int
	var reply string
	switch {
	case r.Method != http.MethodPost || target == nil:
		status, reply = http.StatusNotFound, "invalid_url"
	case s.opts.Now().Sub(target.issued) > responseURLLife:
		status, reply = http.StatusNotFound, "expired_url"
	case target.uses >= responseURLUses:
		status, reply = http.StatusNotFound, "used_url"
	case decodeErr != nil:
		status, reply = http.StatusBadRequest, "invalid_payload"
	case bad != nil:
		status, reply = http.StatusBadRequest, bad.Code
	default:
		target.uses++
		status, reply = http.StatusOK, "ok"
		s.respondLocked(target, Message{
			Method:          "response_url",
			Channel:         target.channel,
			ThreadTS:        body.ThreadTS,
			Text:            body.Text,
			Blocks:          nullToNil(body.Blocks),
			Attachments:     nullToNil(body.Attachments),
			ResponseURL:     s.http.URL + r.URL.Path,
			ResponseType:    body.ResponseType,
			ReplaceOriginal: bool(body.ReplaceOriginal),
			DeleteOriginal:  bool(body.DeleteOriginal),
			At:              at,
		})
	}
	call.Status = status
	if status != http.StatusOK {
		call.Error = reply
	}
	s.web.calls = append(s.web.calls, call)
	s.notifyLocked()
	s.mu.Unlock()

	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(reply))
}

// respondLocked records a response_url post and applies it the way Slack
// does: replace_original and delete_original act on the clicked message;
// otherwise in_channel makes a new message and ephemeral shows one to the
// user only.
func (s *Server) respondLocked(t *responseTarget, m Message) {
	if m.ResponseType == "" {
		m.ResponseType = "ephemeral"
	}
	var orig *Message
	if t.messageTS != "" && !t.ephemeral {
		orig = s.web.posts[postKey{t.channel, t.messageTS}]
		if orig != nil && isDeleted(orig) {
			orig = nil
		}
	}
	switch {
	case orig != nil && m.DeleteOriginal:
		m.TS = t.messageTS
		s.deleteLocked(orig, m)
		return
	case orig != nil && m.ReplaceOriginal:
		m.TS = t.messageTS
		s.applyUpdateLocked(orig, m, true, true, true) // the whole message is replaced
	case m.ResponseType == "in_channel":
		m.TS = s.nextTSLocked()
		current := m
		s.web.posts[postKey{m.Channel, m.TS}] = &current
	}
	s.web.messages = append(s.web.messages, m)
}

// Messages returns every message-like call so far, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.web.messages...)
}

// WaitMessage blocks until a message recorded before or after the call
// matches, and returns the first such message.
func (s *Server) WaitMessage(ctx context.Context, match func(Message) bool) (Message, error) {
	var found Message
	seen := 0
	err := s.wait(ctx, func() bool {
		for ; seen < len(s.web.messages); seen++ {
			if match(s.web.messages[seen]) {
				found = s.web.messages[seen]
				return true
			}
		}
		return false
	})
	if err != nil {
		return Message{}, fmt.Errorf("wait for message: %w", err)
	}
	return found, nil
}

// Thread returns the current content (see Latest) of each chat.postMessage
// reply in the thread under ts in channel, in the order they were posted.
// Deleted replies are left out.
func (s *Server) Thread(channel, ts string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.web.messages {
		if m.Method != "chat.postMessage" || m.Channel != channel || m.ThreadTS != ts {
			continue
		}
		if cur := s.web.posts[postKey{channel, m.TS}]; cur != nil && !isDeleted(cur) {
			out = append(out, *cur)
		}
	}
	return out
}

// Latest returns the current content of the message ts in channel: its post
// with every later chat.update or replace_original applied. Method tells
// what last changed it; "chat.delete" (or "response_url" with
// DeleteOriginal) means it was deleted and has no content. Latest returns
// the zero Message for a ts this server never issued in channel.
func (s *Server) Latest(channel, ts string) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur := s.web.posts[postKey{channel, ts}]; cur != nil {
		return *cur
	}
	return Message{}
}

// flexBool decodes a JSON bool, or a string "true"/"false" as some clients
// send for response_url flags.
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	s := strings.Trim(string(data), `"`)
	*b = flexBool(s == "true")
	return nil
}

// readJSON reads r's body into v and returns the raw body.
func readJSON(r *http.Request, v any) (json.RawMessage, error) {
	var raw json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
		return nil, err
	}
	return raw, json.Unmarshal(raw, v)
}

func nullToNil(raw json.RawMessage) json.RawMessage {
	if string(raw) == "null" || len(raw) == 0 {
		return nil
	}
	return raw
}

// CheckMessage applies the checks chat.postMessage makes to a message's
// text and Block Kit JSON (blocks may be ""), and returns Slack's error code
// and complaints; "" means Slack would accept the message. Renderers use it
// in property tests.
func CheckMessage(text, blocks string) (code string, problems []string) {
	if bad := blockkit.CheckMessage(text, blocks, "", true); bad != nil {
		return bad.Code, bad.Problems
	}
	return "", nil
}

// CheckView applies the checks views.open (typ "modal") or views.publish
// (typ "home") makes to a view's JSON, and returns Slack's complaints;
// none means Slack would accept it. Renderers use it in tests.
func CheckView(view []byte, typ string) []string {
	if len(view) > blockkit.MaxViewBytes {
		return []string{"view_too_large"}
	}
	return blockkit.ViewProblems(view, typ)
}

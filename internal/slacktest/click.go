package slacktest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"dobot/internal/slacktest/blockkit"
)

// ClickButton sends the interactive envelope Slack sends when user clicks
// the button actionID on the message messageTS in channel: a block_actions
// payload shaped like Slack's. If the server knows the message, the payload
// carries its current text and blocks, and the button's block_id, text and
// (when value is "") value are taken from the blocks. If the message was
// ephemeral, the container says so and the payload has no "message", as
// with Slack.
func (s *Server) ClickButton(user, channel, messageTS, actionID, value string) (string, error) {
	id := newUUID()
	s.mu.Lock()
	cur := s.web.posts[postKey{channel, messageTS}]
	var msg *Message
	if cur != nil && !isDeleted(cur) {
		m := *cur
		msg = &m
	}
	ephemeral := s.web.ephemeral[messageTS]
	s.mu.Unlock()

	action := map[string]any{
		"action_id": actionID,
		"block_id":  randomHex(2),
		"text":      map[string]any{"type": "plain_text", "text": actionID, "emoji": true},
		"type":      "button",
		"action_ts": fmt.Sprintf("%d.%06d", time.Now().Unix(), time.Now().Nanosecond()/1000),
	}
	if msg != nil {
		if blockID, button := blockkit.FindButton(msg.Blocks, actionID); button != nil {
			if blockID != "" {
				action["block_id"] = blockID
			}
			if text, ok := button["text"]; ok {
				action["text"] = text
			}
			if v, ok := button["value"].(string); ok && value == "" {
				value = v
			}
			if style, ok := button["style"]; ok {
				action["style"] = style
			}
		}
	}
	if value != "" {
		action["value"] = value
	}

	name := s.userName(user)
	payload := map[string]any{
		"type":       "block_actions",
		"user":       map[string]any{"id": user, "username": name, "name": name, "team_id": TeamID},
		"api_app_id": AppID,
		"token":      "verification-token",
		"container": map[string]any{
			"type":         "message",
			"message_ts":   messageTS,
			"channel_id":   channel,
			"is_ephemeral": ephemeral,
		},
		"trigger_id":            s.issueTrigger("", user),
		"team":                  map[string]any{"id": TeamID, "domain": TeamDomain},
		"enterprise":            nil,
		"is_enterprise_install": false,
		"channel":               map[string]any{"id": channel, "name": strings.ToLower(channel)},
		"state":                 map[string]any{"values": map[string]any{}},
		"response_url":          s.newResponseURL(id, channel, messageTS, ephemeral),
		"actions":               []any{action},
	}
	if !ephemeral {
		m := map[string]any{"type": "message", "user": BotUserID, "bot_id": BotID, "app_id": AppID, "team": TeamID, "ts": messageTS, "text": ""}
		if msg != nil {
			m = messageJSON(msg)
			delete(m, "channel")
		}
		payload["message"] = m
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return "", fmt.Errorf("marshal click: %w", err)
	}
	return s.sendEnvelope(envelope{EnvelopeID: id, Payload: raw, Type: "interactive"})
}

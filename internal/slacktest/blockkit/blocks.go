// Package blockkit holds Slack's rules for Block Kit in messages and views,
// as the Web API enforces them (the limits on blocks, texts and elements,
// and on modals and Home tabs) and as Slack's client applies them when a
// person submits a form. The Slack test server applies them, and renderers
// check their output with them. It depends on nothing but the standard
// library.
package blockkit

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Slack's limits on a message, enforced so that the bot meets them in tests.
// Lengths are in characters. Sources: Slack's Block Kit reference
// (docs.slack.dev/reference/block-kit: section, header, actions and context
// blocks, the button element and the text object), chat.postMessage's
// reference (50 blocks; msg_too_long) and
// api.slack.com/changelog/2018-04-truncating-really-long-messages (40,000).
const (
	// MaxTextLen is the most characters of a message's top-level text;
	// more is msg_too_long.
	MaxTextLen        = 40000
	maxBlocks         = 50 // blocks in a message
	maxBlockID        = 255
	maxSectionText    = 3000
	maxFields         = 10
	maxFieldText      = 2000
	maxHeaderText     = 150
	maxActionElements = 25
	maxContextElems   = 10
	maxTextObject     = 3000 // any text object not limited further
	maxButtonText     = 75
	maxActionID       = 255
	maxButtonValue    = 2000
	maxButtonURL      = 3000
)

// MessageProblems checks Block Kit JSON as Slack does for a message and
// returns its complaints in Slack's words, each with the JSON pointer of the
// offending part, e.g. "must be less than 3001 characters
// [json-pointer:/blocks/0/text/text]". None means the blocks are valid.
func MessageProblems(raw string) []string {
	var blocks []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
		return []string{"blocks must be a JSON array of objects [json-pointer:/blocks]"}
	}
	v := &blockValidator{ids: map[string]bool{}}
	if len(blocks) > maxBlocks {
		v.fail("/blocks", "must contain at most %d items", maxBlocks)
	}
	for i, b := range blocks {
		v.block(fmt.Sprintf("/blocks/%d", i), b)
	}
	return v.problems
}

type blockValidator struct {
	problems []string
	ids      map[string]bool
	// view is true for a modal or Home tab, where input blocks may appear.
	view bool
}

func (v *blockValidator) fail(ptr, format string, args ...any) {
	v.problems = append(v.problems, fmt.Sprintf(format, args...)+" [json-pointer:"+ptr+"]")
}

func str(raw json.RawMessage) (string, bool) {
	var s string
	if raw == nil || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// maxLen complains when s has more than n characters.
func (v *blockValidator) maxLen(ptr, s string, n int) {
	if utf8.RuneCountInString(s) > n {
		v.fail(ptr, "must be less than %d characters", n+1)
	}
}

func (v *blockValidator) block(ptr string, b map[string]json.RawMessage) {
	typ, _ := str(b["type"])
	if id, ok := str(b["block_id"]); ok {
		v.maxLen(ptr+"/block_id", id, maxBlockID)
		if v.ids[id] {
			v.fail(ptr+"/block_id", "duplicate block_id %q", id)
		}
		v.ids[id] = true
	}
	switch typ {
	case "section":
		_, hasText := b["text"]
		_, hasFields := b["fields"]
		if !hasText && !hasFields {
			v.fail(ptr, "must provide either text or fields")
		}
		if hasText {
			v.textObject(ptr+"/text", b["text"], maxSectionText, false)
		}
		if hasFields {
			var fields []json.RawMessage
			if json.Unmarshal(b["fields"], &fields) != nil {
				v.fail(ptr+"/fields", "must be an array")
			}
			if len(fields) > maxFields {
				v.fail(ptr+"/fields", "must contain at most %d items", maxFields)
			}
			for i, f := range fields {
				v.textObject(fmt.Sprintf("%s/fields/%d", ptr, i), f, maxFieldText, false)
			}
		}
		if acc, ok := b["accessory"]; ok {
			v.element(ptr+"/accessory", acc)
		}
	case "header":
		v.textObject(ptr+"/text", b["text"], maxHeaderText, true)
	case "actions":
		elems := v.array(ptr+"/elements", b["elements"], maxActionElements)
		actionIDs := map[string]bool{}
		for i, e := range elems {
			p := fmt.Sprintf("%s/elements/%d", ptr, i)
			v.element(p, e)
			v.uniqueActionID(p, e, actionIDs)
		}
	case "context":
		elems := v.array(ptr+"/elements", b["elements"], maxContextElems)
		for i, e := range elems {
			p := fmt.Sprintf("%s/elements/%d", ptr, i)
			var el map[string]json.RawMessage
			_ = json.Unmarshal(e, &el)
			if t, _ := str(el["type"]); t == "image" {
				continue
			}
			v.textObject(p, e, maxTextObject, false)
		}
	case "input":
		if !v.view {
			v.fail(ptr+"/type", "input blocks are only allowed in views")
			return
		}
		v.input(ptr, b)
	case "divider", "image", "rich_text":
		// Not used by the bot; accepted as they are.
	default:
		v.fail(ptr+"/type", "unknown block type %q", typ)
	}
}

// array decodes a required, non-empty array of at most n items.
func (v *blockValidator) array(ptr string, raw json.RawMessage, n int) []json.RawMessage {
	var items []json.RawMessage
	if raw == nil || json.Unmarshal(raw, &items) != nil {
		v.fail(ptr, "must be an array")
		return nil
	}
	if len(items) == 0 {
		v.fail(ptr, "must contain at least 1 item")
	}
	if len(items) > n {
		v.fail(ptr, "must contain at most %d items", n)
	}
	return items
}

// textObject checks a text object: a known type, 1 to n characters.
func (v *blockValidator) textObject(ptr string, raw json.RawMessage, n int, plainOnly bool) {
	var t struct {
		Type string  `json:"type"`
		Text *string `json:"text"`
	}
	if raw == nil || json.Unmarshal(raw, &t) != nil {
		v.fail(ptr, "must be a text object")
		return
	}
	switch {
	case t.Type == "plain_text":
	case t.Type == "mrkdwn" && !plainOnly:
	default:
		v.fail(ptr+"/type", "must be plain_text")
		return
	}
	if t.Text == nil || *t.Text == "" {
		v.fail(ptr+"/text", "must be more than 0 characters")
		return
	}
	v.maxLen(ptr+"/text", *t.Text, n)
}

// element checks an interactive element: buttons, and the input elements
// of views (see viewcheck.go); others are not checked further.
func (v *blockValidator) element(ptr string, raw json.RawMessage) {
	var e map[string]json.RawMessage
	if json.Unmarshal(raw, &e) != nil {
		v.fail(ptr, "must be an object")
		return
	}
	typ, _ := str(e["type"])
	if id, ok := str(e["action_id"]); ok {
		if id == "" {
			v.fail(ptr+"/action_id", "must be more than 0 characters")
		}
		v.maxLen(ptr+"/action_id", id, maxActionID)
	}
	switch typ {
	case "button":
	case "plain_text_input":
		v.plainTextInput(ptr, e)
		return
	case "static_select":
		v.staticSelect(ptr, e)
		return
	case "number_input":
		v.numberInput(ptr, e)
		return
	default:
		return
	}
	v.textObject(ptr+"/text", e["text"], maxButtonText, true)
	if val, ok := str(e["value"]); ok {
		v.maxLen(ptr+"/value", val, maxButtonValue)
	}
	if u, ok := str(e["url"]); ok {
		v.maxLen(ptr+"/url", u, maxButtonURL)
	}
}

// Refusal is Slack's refusal of a message's text or blocks: its error code
// and, for invalid_blocks, what was wrong where.
type Refusal struct {
	Code     string
	Problems []string
}

// CheckMessage applies Slack's checks of a message's text, blocks and
// attachments (each may be ""; needContent: one of them must be given);
// nil means Slack would accept them.
func CheckMessage(text, blocks, attachments string, needContent bool) *Refusal {
	if needContent && text == "" && blocks == "" && attachments == "" {
		return &Refusal{Code: "no_text"}
	}
	if utf8.RuneCountInString(text) > MaxTextLen {
		return &Refusal{Code: "msg_too_long"}
	}
	if blocks != "" {
		if problems := MessageProblems(blocks); len(problems) > 0 {
			return &Refusal{Code: "invalid_blocks", Problems: problems}
		}
	}
	if attachments != "" && !json.Valid([]byte(attachments)) {
		return &Refusal{Code: "invalid_attachments"}
	}
	return nil
}

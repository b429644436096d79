package blockkit

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Slack's limits on a view (a modal or a Home tab), in characters. Sources:
// docs.slack.dev/reference/views/modal-views and .../home-tab-views (title,
// submit and close 24, 100 blocks, private_metadata 3,000, callback_id
// 255, external_id 255), the views.* method references (a view over 250 kB
// is view_too_large; at most 3 views in a modal's stack) and the Block Kit
// reference for the input block (label and hint 2,000), plain_text_input
// (min_length 0–3,000, max_length 1–3,000, placeholder 150), static_select
// (at most 100 options; an option's text 75, value 150, description 75) and
// number_input (is_decimal_allowed required).
const (
	maxViewTitle       = 24
	maxViewBlocks      = 100
	maxPrivateMetadata = 3000
	maxCallbackID      = 255
	maxExternalID      = 255
	MaxViewBytes       = 250 * 1024
	MaxViewStack       = 3
	maxInputLabel      = 2000
	maxInputHint       = 2000
	maxInputLength     = 3000
	maxPlaceholder     = 150
	maxSelectOptions   = 100
	maxOptionText      = 75
	maxOptionValue     = 150
)

// ViewProblems checks a view as views.open, views.update, views.push or
// views.publish does, for a view of type want ("modal" or "home"), and
// returns Slack's complaints, each with its JSON pointer under /view.
func ViewProblems(raw []byte, want string) []string {
	var view map[string]json.RawMessage
	if err := json.Unmarshal(raw, &view); err != nil || view == nil {
		return []string{"must be an object [json-pointer:/view]"}
	}
	v := &blockValidator{ids: map[string]bool{}, view: true}
	typ, _ := str(view["type"])
	if typ != want {
		v.fail("/view/type", "must be %q, not %q", want, typ)
		return v.problems
	}
	if typ == "modal" {
		v.textObject("/view/title", view["title"], maxViewTitle, true)
		for _, f := range []string{"submit", "close"} {
			if raw, ok := view[f]; ok && string(raw) != "null" {
				v.textObject("/view/"+f, raw, maxViewTitle, true)
			}
		}
	}
	for f, n := range map[string]int{"private_metadata": maxPrivateMetadata, "callback_id": maxCallbackID, "external_id": maxExternalID} {
		if raw, ok := view[f]; ok {
			s, isStr := str(raw)
			if !isStr && string(raw) != "null" {
				v.fail("/view/"+f, "must be a string")
			}
			v.maxLen("/view/"+f, s, n)
		}
	}
	var blocks []map[string]json.RawMessage
	if raw, ok := view["blocks"]; !ok || json.Unmarshal(raw, &blocks) != nil {
		v.fail("/view/blocks", "must be an array")
		return v.problems
	}
	if len(blocks) > maxViewBlocks {
		v.fail("/view/blocks", "must contain at most %d items", maxViewBlocks)
	}
	hasInput := false
	for i, b := range blocks {
		if t, _ := str(b["type"]); t == "input" {
			hasInput = true
		}
		v.block(fmt.Sprintf("/view/blocks/%d", i), b)
	}
	if typ == "modal" && hasInput {
		if raw, ok := view["submit"]; !ok || string(raw) == "null" {
			v.fail("/view/submit", "submit is required when an input block is within the blocks array")
		}
	}
	return v.problems
}

// input checks an input block: a label, an optional hint, one element.
func (v *blockValidator) input(ptr string, b map[string]json.RawMessage) {
	v.textObject(ptr+"/label", b["label"], maxInputLabel, true)
	if hint, ok := b["hint"]; ok {
		v.textObject(ptr+"/hint", hint, maxInputHint, true)
	}
	if opt, ok := b["optional"]; ok && string(opt) != "true" && string(opt) != "false" {
		v.fail(ptr+"/optional", "must be a boolean")
	}
	el, ok := b["element"]
	if !ok {
		v.fail(ptr+"/element", "is required")
		return
	}
	var e map[string]json.RawMessage
	if json.Unmarshal(el, &e) != nil {
		v.fail(ptr+"/element", "must be an object")
		return
	}
	switch t, _ := str(e["type"]); t {
	case "plain_text_input", "static_select", "number_input", "checkboxes", "radio_buttons",
		"datepicker", "timepicker", "datetimepicker", "email_text_input", "url_text_input",
		"users_select", "multi_users_select", "conversations_select", "channels_select",
		"multi_static_select", "external_select", "rich_text_input", "file_input":
	default:
		v.fail(ptr+"/element/type", "%q is not a valid element for an input block", t)
		return
	}
	v.element(ptr+"/element", el)
}

// uniqueActionID complains about an action_id used twice in one block:
// a submission's state is keyed by block_id, then action_id.
func (v *blockValidator) uniqueActionID(ptr string, raw json.RawMessage, seen map[string]bool) {
	var e struct {
		ActionID *string `json:"action_id"`
	}
	if json.Unmarshal(raw, &e) != nil || e.ActionID == nil {
		return
	}
	if seen[*e.ActionID] {
		v.fail(ptr+"/action_id", "duplicate action_id %q", *e.ActionID)
	}
	seen[*e.ActionID] = true
}

// placeholder checks an element's optional placeholder.
func (v *blockValidator) placeholder(ptr string, e map[string]json.RawMessage) {
	if p, ok := e["placeholder"]; ok {
		v.textObject(ptr+"/placeholder", p, maxPlaceholder, true)
	}
}

// intField decodes an optional integer field; ok is false when absent.
func (v *blockValidator) intField(ptr string, raw json.RawMessage) (n int, ok bool) {
	if raw == nil {
		return 0, false
	}
	if err := json.Unmarshal(raw, &n); err != nil {
		v.fail(ptr, "must be an integer")
		return 0, false
	}
	return n, true
}

func (v *blockValidator) plainTextInput(ptr string, e map[string]json.RawMessage) {
	v.placeholder(ptr, e)
	minLen, hasMin := v.intField(ptr+"/min_length", e["min_length"])
	maxLen, hasMax := v.intField(ptr+"/max_length", e["max_length"])
	if hasMin && (minLen < 0 || minLen > maxInputLength) {
		v.fail(ptr+"/min_length", "must be between 0 and %d", maxInputLength)
	}
	if hasMax && (maxLen < 1 || maxLen > maxInputLength) {
		v.fail(ptr+"/max_length", "must be between 1 and %d", maxInputLength)
	}
	if hasMin && hasMax && minLen > maxLen {
		v.fail(ptr+"/min_length", "must not be greater than max_length")
	}
	if raw, ok := e["initial_value"]; ok {
		s, isStr := str(raw)
		if !isStr {
			v.fail(ptr+"/initial_value", "must be a string")
		}
		if hasMax && utf8.RuneCountInString(s) > maxLen {
			v.fail(ptr+"/initial_value", "must be at most max_length (%d) characters", maxLen)
		}
	}
}

// option checks one option object of a static_select.
func (v *blockValidator) option(ptr string, raw json.RawMessage) (value string) {
	var o map[string]json.RawMessage
	if json.Unmarshal(raw, &o) != nil {
		v.fail(ptr, "must be an option object")
		return ""
	}
	v.textObject(ptr+"/text", o["text"], maxOptionText, true)
	value, ok := str(o["value"])
	if !ok || value == "" {
		v.fail(ptr+"/value", "must be more than 0 characters")
	}
	v.maxLen(ptr+"/value", value, maxOptionValue)
	if d, ok := o["description"]; ok {
		v.textObject(ptr+"/description", d, maxOptionText, true)
	}
	return value
}

func (v *blockValidator) staticSelect(ptr string, e map[string]json.RawMessage) {
	v.placeholder(ptr, e)
	if _, grouped := e["option_groups"]; grouped {
		return // the bot never sends option groups
	}
	opts := v.array(ptr+"/options", e["options"], maxSelectOptions)
	values := map[string]bool{}
	for i, o := range opts {
		val := v.option(fmt.Sprintf("%s/options/%d", ptr, i), o)
		if values[val] {
			v.fail(fmt.Sprintf("%s/options/%d/value", ptr, i), "duplicate option value %q", val)
		}
		values[val] = true
	}
	if init, ok := e["initial_option"]; ok {
		if val := v.option(ptr+"/initial_option", init); !values[val] {
			v.fail(ptr+"/initial_option", "must match one of the options")
		}
	}
}

func (v *blockValidator) numberInput(ptr string, e map[string]json.RawMessage) {
	v.placeholder(ptr, e)
	dec, ok := e["is_decimal_allowed"]
	if !ok || string(dec) != "true" && string(dec) != "false" {
		v.fail(ptr+"/is_decimal_allowed", "is required and must be a boolean")
	}
	for _, f := range []string{"initial_value", "min_value", "max_value"} {
		raw, ok := e[f]
		if !ok {
			continue
		}
		s, isStr := str(raw)
		if !isStr {
			v.fail(ptr+"/"+f, "must be a string")
			continue
		}
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			v.fail(ptr+"/"+f, "must be a number")
		} else if string(dec) != "true" {
			if _, err := strconv.Atoi(s); err != nil {
				v.fail(ptr+"/"+f, "must be an integer when is_decimal_allowed is false")
			}
		}
	}
}

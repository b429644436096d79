package blockkit

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// inputBlock is the part of an input block a submission needs.
type inputBlock struct {
	BlockID  string `json:"block_id"`
	Type     string `json:"type"`
	Optional bool   `json:"optional"`
	Element  struct {
		Type          string            `json:"type"`
		ActionID      string            `json:"action_id"`
		InitialValue  *string           `json:"initial_value"`
		InitialOption json.RawMessage   `json:"initial_option"`
		Options       []json.RawMessage `json:"options"`
		MinLength     int               `json:"min_length"`
		MaxLength     int               `json:"max_length"`
		Decimal       bool              `json:"is_decimal_allowed"`
		MinValue      *string           `json:"min_value"`
		MaxValue      *string           `json:"max_value"`
	} `json:"element"`
}

// SubmissionState builds a submission's view.state.values from a view's
// blocks and the values (by block_id) a person typed or chose in its input
// blocks: the text of a plain_text_input or number_input, the value of a
// static_select's option; inputs not in values keep their initial value.
// As Slack's client does, it refuses (with an error) when a required input
// is empty, a text breaks min_length or max_length, a number is not one or
// out of range, or a select's value is no option; so does a value for a
// block that is not an input.
func SubmissionState(blocksJSON json.RawMessage, values map[string]string) (map[string]any, error) {
	var blocks []inputBlock
	if err := json.Unmarshal(blocksJSON, &blocks); err != nil {
		return nil, fmt.Errorf("decode view blocks: %w", err)
	}
	left := map[string]bool{}
	for k := range values {
		left[k] = true
	}
	state := map[string]any{}
	for _, b := range blocks {
		if b.Type != "input" {
			continue
		}
		delete(left, b.BlockID)
		val, given := values[b.BlockID]
		entry, err := inputState(b, val, given)
		if err != nil {
			return nil, err
		}
		state[b.BlockID] = map[string]any{b.Element.ActionID: entry}
	}
	if len(left) > 0 {
		return nil, fmt.Errorf("the view has no input block %v", slices.Sorted(maps.Keys(left)))
	}
	return state, nil
}

// inputState is one input's entry in view.state.values, refused where
// Slack's client would not let the person submit.
func inputState(b inputBlock, val string, given bool) (map[string]any, error) {
	e := b.Element
	entry := map[string]any{"type": e.Type}
	filled := false
	switch e.Type {
	case "plain_text_input", "number_input":
		if !given && e.InitialValue != nil {
			val = *e.InitialValue
		}
		entry["value"] = nil
		if val != "" {
			if err := checkTyped(b, val); err != nil {
				return nil, err
			}
			entry["value"], filled = val, true
		}
	case "static_select":
		var opt json.RawMessage
		if !given && len(e.InitialOption) > 0 {
			opt = e.InitialOption
		} else if given && val != "" {
			for _, o := range e.Options {
				var ov struct{ Value string }
				if json.Unmarshal(o, &ov) == nil && ov.Value == val {
					opt = o
				}
			}
			if opt == nil {
				return nil, fmt.Errorf("input %q has no option %q", b.BlockID, val)
			}
		}
		entry["selected_option"], filled = opt, opt != nil
	default:
		return nil, fmt.Errorf("input %q: submitting a %s is not supported", b.BlockID, e.Type)
	}
	if !filled && !b.Optional {
		return nil, fmt.Errorf("input %q is required; Slack would not let the person submit", b.BlockID)
	}
	return entry, nil
}

// checkTyped applies the checks Slack's client makes to typed text.
func checkTyped(b inputBlock, val string) error {
	e := b.Element
	n := utf8.RuneCountInString(val)
	if e.Type == "plain_text_input" {
		limit := maxInputLength
		if e.MaxLength > 0 {
			limit = min(e.MaxLength, maxInputLength)
		}
		if n > limit {
			return fmt.Errorf("input %q takes at most %d characters; Slack would not let the person submit", b.BlockID, limit)
		}
		if n < e.MinLength {
			return fmt.Errorf("input %q needs at least %d characters; Slack would not let the person submit", b.BlockID, e.MinLength)
		}
		return nil
	}
	f, err := strconv.ParseFloat(val, 64)
	if err != nil || !e.Decimal && strings.ContainsAny(val, ".eE") {
		return fmt.Errorf("input %q takes a number; Slack would not let the person submit %q", b.BlockID, val)
	}
	for _, lim := range []struct {
		bound *string
		low   bool
	}{{e.MinValue, true}, {e.MaxValue, false}} {
		if lim.bound == nil {
			continue
		}
		if x, _ := strconv.ParseFloat(*lim.bound, 64); lim.low && f < x || !lim.low && f > x {
			return fmt.Errorf("input %q is out of range; Slack would not let the person submit %q", b.BlockID, val)
		}
	}
	return nil
}

// InputBlockIDs returns the block_ids of a view's input blocks: the keys
// a response_action "errors" may use.
func InputBlockIDs(blocksJSON json.RawMessage) map[string]bool {
	var blocks []inputBlock
	_ = json.Unmarshal(blocksJSON, &blocks)
	ids := map[string]bool{}
	for _, b := range blocks {
		if b.Type == "input" {
			ids[b.BlockID] = true
		}
	}
	return ids
}

// FindButton finds the element with actionID in Block Kit JSON: in an
// actions block's elements or a section's accessory.
func FindButton(blocks json.RawMessage, actionID string) (blockID string, element map[string]any) {
	var bs []struct {
		BlockID   string           `json:"block_id"`
		Elements  []map[string]any `json:"elements"`
		Accessory map[string]any   `json:"accessory"`
	}
	if json.Unmarshal(blocks, &bs) != nil {
		return "", nil
	}
	for _, b := range bs {
		candidates := b.Elements
		if b.Accessory != nil {
			candidates = append(candidates, b.Accessory)
		}
		for _, e := range candidates {
			if e["action_id"] == actionID {
				return b.BlockID, e
			}
		}
	}
	return "", nil
}

// FillIDs gives every block without a block_id, and every element without
// an action_id, a fresh one from newID, as Slack does when it stores a
// view.
func FillIDs(blocks []map[string]any, newID func() string) {
	fill := func(e any) {
		if m, ok := e.(map[string]any); ok {
			if _, has := m["action_id"]; !has {
				m["action_id"] = newID()
			}
		}
	}
	for _, b := range blocks {
		if _, ok := b["block_id"]; !ok {
			b["block_id"] = newID()
		}
		fill(b["element"])
		fill(b["accessory"])
		if elems, ok := b["elements"].([]any); ok && b["type"] == "actions" {
			for _, e := range elems {
				fill(e)
			}
		}
	}
}

package slacktest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"dobot/internal/slacktest/blockkit"
)

// ViewAnswer is what the app answered to a view submission in its ack,
// and what Slack made of it.
type ViewAnswer struct {
	EnvelopeID string
	ViewID     string // the submitted view
	User       string
	// Action is the ack's response_action: "errors", "update", "push",
	// "clear", or "" for an ack without one, which closes the view.
	Action string
	// Errors are the messages of an "errors" answer, by block_id.
	Errors map[string]string
	// View is the view of an "update" or "push" answer.
	View json.RawMessage
	// Late is true when the ack came after Options.AckDeadline, by
	// Options.Now: Slack then shows the person an error and ignores the
	// answer.
	Late bool
	// Problems are what Slack would refuse in the answer (an errors key
	// that is no input block, an invalid view, a fourth view); a refused
	// answer changes nothing.
	Problems []string

	answered bool
	sent     time.Time // by Options.Now
}

// OpenHome sends the events_api envelope Slack sends when user opens the
// app's Home tab: an app_home_opened event with tab "home", carrying the
// Home view last published for them, if any.
func (s *Server) OpenHome(user string) (envelopeID string, err error) {
	s.mu.Lock()
	event := map[string]any{
		"type": "app_home_opened", "user": user, "channel": DirectChannel(user), "tab": "home",
		"event_ts": fmt.Sprintf("%d.%06d", time.Now().Unix(), time.Now().Nanosecond()/1000),
	}
	if v := s.views.homes[user]; v != nil {
		event["view"] = viewJSON(v, nil)
	}
	s.mu.Unlock()
	payload := map[string]any{
		"token": "verification-token", "team_id": TeamID, "api_app_id": AppID, "event": event,
		"type": "event_callback", "event_id": "Ev" + strings.ToUpper(randomHex(5)), "event_time": time.Now().Unix(),
		"authorizations": []any{map[string]any{"enterprise_id": nil, "team_id": TeamID, "user_id": BotUserID,
			"is_bot": true, "is_enterprise_install": false}},
		"is_ext_shared_channel": false,
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return "", fmt.Errorf("marshal app_home_opened: %w", err)
	}
	return s.sendEnvelope(envelope{EnvelopeID: newUUID(), Payload: raw, Type: "events_api"})
}

// topModal returns user's top modal view.
func (s *Server) topModalLocked(user string) (*View, error) {
	stack := s.views.stacks[user]
	if len(stack) == 0 {
		return nil, fmt.Errorf("slacktest: %s has no modal open", user)
	}
	return stack[len(stack)-1], nil
}

// userJSON is the "user" of an interaction payload.
func (s *Server) userJSON(user string) map[string]any {
	name := s.userName(user)
	return map[string]any{"id": user, "username": name, "name": name, "team_id": TeamID}
}

// SubmitView sends the interactive envelope Slack sends when user presses
// the submit button of their top modal, with values (by block_id) typed
// or chosen in its input blocks: the text of a plain_text_input or
// number_input, the value of a static_select's option. Inputs not in
// values keep their initial value. As Slack's client does, it refuses to
// submit (returning an error, sending nothing) when a required input is
// empty, a text breaks min_length or max_length, a number is not one, or a
// select's value is no option. The payload carries view.state.values, the
// view's callback_id and private_metadata, and a fresh trigger_id. The
// app's ack is read as its answer (see WaitViewAnswer); like Slack, the
// server does not deliver a submission twice.
func (s *Server) SubmitView(user string, values map[string]string) (envelopeID string, err error) {
	s.mu.Lock()
	v, err := s.topModalLocked(user)
	if err != nil {
		s.mu.Unlock()
		return "", err
	}
	state, err := blockkit.SubmissionState(v.Blocks, values)
	if err != nil {
		s.mu.Unlock()
		return "", err
	}
	view := viewJSON(v, state)
	id := newUUID()
	s.answers[id] = &ViewAnswer{EnvelopeID: id, ViewID: v.ID, User: user, sent: s.opts.Now()}
	s.mu.Unlock()
	payload := map[string]any{
		"type": "view_submission", "team": map[string]any{"id": TeamID, "domain": TeamDomain},
		"user": s.userJSON(user), "api_app_id": AppID, "token": "verification-token",
		"trigger_id": s.issueTrigger("", user), "view": view, "response_urls": []any{},
		"is_enterprise_install": false, "enterprise": nil,
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return "", fmt.Errorf("marshal view_submission: %w", err)
	}
	// Slack does not retry a view submission: the person sees an error.
	if err := s.deliver(envelope{EnvelopeID: id, Payload: raw, Type: "interactive", AcceptsResponsePayload: true}); err != nil {
		return "", err
	}
	return id, nil
}

// CloseView closes user's top modal as the person would with its close
// button. If the view asked for notify_on_close, the server sends the
// view_closed envelope and returns its id; otherwise it returns "". A view
// with clear_on_close closes the whole stack.
func (s *Server) CloseView(user string) (envelopeID string, err error) {
	s.mu.Lock()
	v, err := s.topModalLocked(user)
	if err != nil {
		s.mu.Unlock()
		return "", err
	}
	stack := s.views.stacks[user]
	cleared := v.ClearOnClose || len(stack) == 1
	if v.ClearOnClose {
		delete(s.views.stacks, user)
	} else {
		s.views.stacks[user] = stack[:len(stack)-1]
	}
	s.notifyLocked()
	view := viewJSON(v, nil)
	notify := v.NotifyOnClose
	s.mu.Unlock()
	if !notify {
		return "", nil
	}
	payload := map[string]any{
		"type": "view_closed", "team": map[string]any{"id": TeamID, "domain": TeamDomain},
		"user": s.userJSON(user), "api_app_id": AppID, "token": "verification-token",
		"view": view, "is_cleared": cleared, "is_enterprise_install": false, "enterprise": nil,
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return "", fmt.Errorf("marshal view_closed: %w", err)
	}
	return s.sendEnvelope(envelope{EnvelopeID: newUUID(), Payload: raw, Type: "interactive"})
}

// ClickViewButton sends the block_actions envelope Slack sends when user
// clicks the button actionID in the view viewID (their Home tab or one of
// their modals): the payload has a "view" container and the view, a fresh
// trigger_id, and neither channel, message nor response_url. value ""
// takes the button's own value.
func (s *Server) ClickViewButton(user, viewID, actionID, value string) (envelopeID string, err error) {
	s.mu.Lock()
	v := s.findViewLocked(viewID, "")
	if v == nil || v.User != user {
		s.mu.Unlock()
		return "", fmt.Errorf("slacktest: %s has no view %s", user, viewID)
	}
	blockID, button := blockkit.FindButton(v.Blocks, actionID)
	view := viewJSON(v, nil)
	s.mu.Unlock()
	if button == nil || button["type"] != "button" {
		return "", fmt.Errorf("slacktest: view %s has no button %q", viewID, actionID)
	}
	if v, ok := button["value"].(string); ok && value == "" {
		value = v
	}
	action := map[string]any{
		"action_id": actionID, "block_id": blockID, "text": button["text"], "type": "button",
		"action_ts": fmt.Sprintf("%d.%06d", time.Now().Unix(), time.Now().Nanosecond()/1000),
	}
	if value != "" {
		action["value"] = value
	}
	payload := map[string]any{
		"type": "block_actions", "user": s.userJSON(user), "api_app_id": AppID, "token": "verification-token",
		"container":  map[string]any{"type": "view", "view_id": viewID},
		"trigger_id": s.issueTrigger("", user), "team": map[string]any{"id": TeamID, "domain": TeamDomain},
		"enterprise": nil, "is_enterprise_install": false, "view": view,
		"state": map[string]any{"values": map[string]any{}}, "actions": []any{action},
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return "", fmt.Errorf("marshal view click: %w", err)
	}
	return s.sendEnvelope(envelope{EnvelopeID: newUUID(), Payload: raw, Type: "interactive"})
}

// WaitViewAnswer blocks until the app has acked the view submission
// envelopeID, and returns its answer.
func (s *Server) WaitViewAnswer(ctx context.Context, envelopeID string) (ViewAnswer, error) {
	var got ViewAnswer
	err := s.wait(ctx, func() bool {
		a := s.answers[envelopeID]
		if a == nil || !a.answered {
			return false
		}
		got = *a
		return true
	})
	if err != nil {
		return ViewAnswer{}, fmt.Errorf("wait for the answer to view submission %s: %w", envelopeID, err)
	}
	return got, nil
}

// answerViewLocked applies the ack of a view submission, as Slack does.
// s.mu must be held.
func (s *Server) answerViewLocked(envelopeID string, payload json.RawMessage) {
	a := s.answers[envelopeID]
	if a == nil || a.answered {
		return
	}
	late := s.opts.Now().Sub(a.sent) > s.opts.AckDeadline
	a.answered, a.Late = true, late
	var ans struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
		View           json.RawMessage   `json:"view"`
	}
	if len(payload) > 0 && string(payload) != "null" {
		if err := json.Unmarshal(payload, &ans); err != nil {
			a.Problems = append(a.Problems, "the ack's payload is not a JSON object")
			return
		}
	}
	a.Action, a.Errors, a.View = ans.ResponseAction, ans.Errors, ans.View
	if late {
		a.Problems = append(a.Problems, "acked after the deadline: Slack shows the person an error and ignores the answer")
		return
	}
	stack := s.views.stacks[a.User]
	i := slices.IndexFunc(stack, func(v *View) bool { return v.ID == a.ViewID })
	if i < 0 {
		a.Problems = append(a.Problems, "the submitted view is no longer open")
		return
	}
	if err := s.applyAnswerLocked(a, stack, i); err != nil {
		a.Problems = append(a.Problems, err.Error())
	}
}

// applyAnswerLocked changes the stack as the answer asks.
func (s *Server) applyAnswerLocked(a *ViewAnswer, stack []*View, i int) error {
	v := stack[i]
	defer s.notifyLocked()
	switch a.Action {
	case "":
		s.views.stacks[a.User] = stack[:i]
	case "clear":
		delete(s.views.stacks, a.User)
	case "errors":
		if len(a.Errors) == 0 {
			return errors.New("response_action errors without errors")
		}
		inputs := blockkit.InputBlockIDs(v.Blocks)
		for k := range a.Errors {
			if !inputs[k] {
				return fmt.Errorf("errors key %q is not the block_id of an input block: Slack shows a generic error", k)
			}
		}
		v.Errors = a.Errors
	case "update", "push":
		if problems := blockkit.ViewProblems(a.View, "modal"); len(problems) > 0 {
			return fmt.Errorf("invalid view in response_action %s: %s", a.Action, strings.Join(problems, "; "))
		}
		nv := blockkit.DecodeView(a.View, func() string { return randomHex(3) })
		if a.Action == "update" {
			s.replaceLocked(v, nv)
			return nil
		}
		if len(stack) >= blockkit.MaxViewStack {
			return errors.New("push_limit_reached: a modal holds at most 3 views")
		}
		nv.ID, nv.User, nv.Hash, nv.Type = s.newViewIDLocked(), a.User, newHash(), "modal"
		nv.RootViewID, nv.PreviousViewID = stack[0].ID, v.ID
		s.views.stacks[a.User] = append(stack, nv)
	default:
		return fmt.Errorf("unknown response_action %q", a.Action)
	}
	return nil
}

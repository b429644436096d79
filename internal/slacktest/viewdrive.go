package slacktest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"dobot/internal/slacktest/blockkit"
	"dobot/internal/slacktest/views"
)

// ViewAnswer is what the app answered to a view submission in its ack,
// and what Slack made of it.
type ViewAnswer = views.Answer

// OpenHome sends the events_api envelope Slack sends when user opens the
// app's Home tab: an app_home_opened event with tab "home", carrying the
// Home view last published for them, if any.
func (s *Server) OpenHome(user string) (envelopeID string, err error) {
	s.mu.Lock()
	event := map[string]any{
		"type": "app_home_opened", "user": user, "channel": DirectChannel(user), "tab": "home",
		"event_ts": fmt.Sprintf("%d.%06d", time.Now().Unix(), time.Now().Nanosecond()/1000),
	}
	if v := s.views.Home(user); v != nil {
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
	v, err := s.views.Top(user)
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
	s.views.Submitted(id, v.ID, user, s.opts.Now())
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
	v, cleared, err := s.views.Close(user)
	if err != nil {
		s.mu.Unlock()
		return "", err
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
	v := s.views.Find(viewID, "")
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
		a, ok := s.views.Answered(envelopeID)
		got = a
		return ok
	})
	if err != nil {
		return ViewAnswer{}, fmt.Errorf("wait for the answer to view submission %s: %w", envelopeID, err)
	}
	return got, nil
}

package slacktest

import (
	"context"
	"fmt"
	"regexp"

	"dobot/internal/slacktest/blockkit"
	"dobot/internal/slacktest/views"
)

// View is a modal view or a Home tab as the server holds it now.
type View = blockkit.View

// issueTrigger records id (a fresh one when "") as a trigger_id handed to
// user now, and returns it.
func (s *Server) issueTrigger(id, user string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.views.IssueTrigger(id, user, s.opts.Now())
}

// invalidArguments is Slack's answer to a view it refuses.
func invalidArguments(problems []string) map[string]any {
	msgs := make([]string, len(problems))
	for i, p := range problems {
		msgs[i] = "[ERROR] " + p
	}
	resp := slackErr("invalid_arguments")
	resp["response_metadata"] = map[string]any{"messages": msgs}
	return resp
}

// parseView reads and checks the "view" argument as Slack does for a view
// of type want; on failure it returns Slack's answer.
func parseView(req *apiRequest, want string) (*View, map[string]any) {
	raw := req.form.Get("view")
	if raw == "" {
		return nil, invalidArguments([]string{"missing required field: view"})
	}
	if len(raw) > blockkit.MaxViewBytes {
		return nil, slackErr("view_too_large")
	}
	if problems := blockkit.ViewProblems([]byte(raw), want); len(problems) > 0 {
		return nil, invalidArguments(problems)
	}
	return blockkit.DecodeView([]byte(raw), func() string { return views.RandomHex(3) }), nil
}

// viewJSON is the view object Slack returns and sends in payloads.
func viewJSON(v *View, state map[string]any) map[string]any {
	if state == nil {
		state = map[string]any{}
	}
	out := map[string]any{
		"id": v.ID, "team_id": TeamID, "type": v.Type, "blocks": v.Blocks,
		"private_metadata": v.PrivateMeta, "callback_id": v.CallbackID, "external_id": v.ExternalID,
		"state": map[string]any{"values": state}, "hash": v.Hash,
		"clear_on_close": v.ClearOnClose, "notify_on_close": v.NotifyOnClose,
		"root_view_id": v.RootViewID, "previous_view_id": nil, "app_id": AppID,
		"app_installed_team_id": TeamID, "bot_id": BotID,
		"title": nil, "submit": nil, "close": nil,
	}
	if v.PreviousViewID != "" {
		out["previous_view_id"] = v.PreviousViewID
	}
	for k, t := range map[string]string{"title": v.Title, "submit": v.Submit, "close": v.Close} {
		if t != "" {
			out[k] = map[string]any{"type": "plain_text", "text": t, "emoji": true}
		}
	}
	return out
}

func viewAnswer(v *View) map[string]any { return map[string]any{"ok": true, "view": viewJSON(v, nil)} }

// viewsOpen answers views.open: a modal for the person whose trigger it is,
// replacing any modal they had open.
func (s *Server) viewsOpen(req *apiRequest) map[string]any {
	return s.openOrPush(req, false)
}

// viewsPush answers views.push: a view on top of the person's open modal,
// at most three deep.
func (s *Server) viewsPush(req *apiRequest) map[string]any {
	return s.openOrPush(req, true)
}

func (s *Server) openOrPush(req *apiRequest, push bool) map[string]any {
	v, bad := parseView(req, "modal")
	if bad != nil {
		return bad
	}
	id := req.form.Get("trigger_id")
	if id == "" {
		id = req.form.Get("interactivity_pointer")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if code := s.views.Open(v, id, push, s.opts.Now()); code != "" {
		return slackErr(code)
	}
	s.notifyLocked()
	return viewAnswer(v)
}

// viewsUpdate answers views.update: the view named by exactly one of
// view_id and external_id gets the new content, if hash (when given) is
// still its current hash.
func (s *Server) viewsUpdate(req *apiRequest) map[string]any {
	id, external, hash := req.form.Get("view_id"), req.form.Get("external_id"), req.form.Get("hash")
	if (id == "") == (external == "") {
		return invalidArguments([]string{"exactly one of view_id or external_id is required"})
	}
	s.mu.Lock()
	cur := s.views.Find(id, external)
	typ := ""
	if cur != nil {
		typ = cur.Type
	}
	s.mu.Unlock()
	if cur == nil {
		return slackErr("not_found")
	}
	v, bad := parseView(req, typ)
	if bad != nil {
		return bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if code := s.views.Update(cur, v, hash); code != "" {
		return slackErr(code)
	}
	s.notifyLocked()
	return viewAnswer(cur)
}

// userIDShape is what views.publish accepts as user_id.
var userIDShape = regexp.MustCompile(`^[UW][A-Z0-9]+$`)

// viewsPublish answers views.publish: the Home tab of user_id.
func (s *Server) viewsPublish(req *apiRequest) map[string]any {
	user := req.form.Get("user_id")
	if !userIDShape.MatchString(user) {
		return invalidArguments([]string{"invalid `user_id`"})
	}
	if s.opts.HomeTabDisabled {
		return slackErr("not_enabled")
	}
	v, bad := parseView(req, "home")
	if bad != nil {
		return bad
	}
	hash := req.form.Get("hash")
	s.mu.Lock()
	defer s.mu.Unlock()
	published, code := s.views.Publish(user, v, hash)
	if code != "" {
		return slackErr(code)
	}
	s.notifyLocked()
	return viewAnswer(published)
}

// Home returns the Home tab last published for user.
func (s *Server) Home(user string) (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.views.Home(user)
	if v == nil {
		return View{}, false
	}
	return v.Copy(), true
}

// ModalStack returns user's open modal views, the root first; none when
// no modal is open.
func (s *Server) ModalStack(user string) []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]View, 0, len(s.views.Stack(user)))
	for _, v := range s.views.Stack(user) {
		out = append(out, v.Copy())
	}
	return out
}

// WaitHome blocks until user's Home tab satisfies match, and returns it.
func (s *Server) WaitHome(ctx context.Context, user string, match func(View) bool) (View, error) {
	var got View
	err := s.wait(ctx, func() bool {
		v := s.views.Home(user)
		if v == nil || !match(*v) {
			return false
		}
		got = v.Copy()
		return true
	})
	if err != nil {
		return View{}, fmt.Errorf("wait for %s's Home tab: %w", user, err)
	}
	return got, nil
}

// WaitModal blocks until the top of user's modal stack satisfies match
// (nil: any modal is open), and returns it.
func (s *Server) WaitModal(ctx context.Context, user string, match func(View) bool) (View, error) {
	var got View
	err := s.wait(ctx, func() bool {
		top, err := s.views.Top(user)
		if err != nil {
			return false
		}
		if match != nil && !match(*top) {
			return false
		}
		got = top.Copy()
		return true
	})
	if err != nil {
		return View{}, fmt.Errorf("wait for a modal of %s: %w", user, err)
	}
	return got, nil
}

package slackbot

import (
	"context"
	"maps"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"dobot/chat"
	"dobot/chatview"
)

// defaultSubmitBudget is how long a form's handler may take: Slack shows
// the person an error unless the answer arrives within three seconds of
// Slack sending the submission, and the envelope spent some of them on
// the way.
const defaultSubmitBudget = 2 * time.Second

// Answers the person sees in a form when the core gave none.
const (
	submitRestarting = "The bot is restarting; submit again in a minute."
	submitFailed     = "Something went wrong on our side; submit again, and tell an admin if it keeps failing."
	slowTitle        = "Still working"
	slowText         = "This is taking longer than expected. The result will be posted in the conversation when it is ready."
)

// viewServing is the listener's part in forms and Home tabs.
type viewServing struct {
	h chatview.Handler // nil: view events are acked and dropped
	// budget bounds the answer to a form submission, which Slack must
	// have within three seconds of sending it.
	budget time.Duration
}

// ServeViews makes the listener hand form submissions, closed forms,
// buttons pressed in views and Home tab openings to h. Without it they are
// acknowledged and dropped.
func (l *Listener) ServeViews(h chatview.Handler) { l.views.h = h }

// onEventsAPI handles an Events API event: the Home tab being opened.
func (l *Listener) onEventsAPI(api slackevents.EventsAPIEvent) {
	opened, ok := api.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
	if !ok || opened.Tab != "home" || l.views.h == nil {
		return
	}
	key := "home:" + opened.User + ":" + opened.EventTimeStamp
	if !l.seen.add(key) {
		return
	}
	user := opened.User
	l.dispatch(key, func(ctx context.Context) { l.views.h.HomeOpened(ctx, user) }, "", user, "")
}

// onViewClick hands each button pressed in a Home tab or a modal to the
// view handler, with the trigger_id that lets it open a form in answer.
func (l *Listener) onViewClick(cb slack.InteractionCallback) {
	if l.views.h == nil {
		l.log.Debug("a button in a view was pressed, but no view handler is set", "user", cb.User.ID)
		return
	}
	formID := ""
	if cb.View.Type == slack.VTModal {
		formID = cb.View.CallbackID
	}
	for _, a := range cb.ActionCallback.BlockActions {
		key := "click:" + cb.User.ID + ":" + a.ActionTs + ":" + a.ActionID
		if !l.seen.add(key) {
			continue
		}
		click := chatview.Click{UserID: cb.User.ID, UserName: cb.User.Name, ActionID: a.ActionID, Value: a.Value,
			FormID: formID, Metadata: cb.View.PrivateMetadata, TriggerID: cb.TriggerID}
		l.dispatch(key, func(ctx context.Context) { l.views.h.HandleViewClick(ctx, click) }, "", click.UserID, "")
	}
}

// onViewClosed tells the view handler a form was closed unsubmitted.
func (l *Listener) onViewClosed(evt socketmode.Event, cb slack.InteractionCallback) {
	if l.views.h == nil {
		return
	}
	closed := chatview.Closed{FormID: cb.View.CallbackID, UserID: cb.User.ID, Metadata: cb.View.PrivateMetadata}
	l.dispatch("closed:"+evt.Request.EnvelopeID, func(ctx context.Context) { l.views.h.FormClosed(ctx, closed) }, "", closed.UserID, "")
}

// isSubmission reports whether evt is a form submission.
func isSubmission(evt socketmode.Event) bool {
	cb, ok := evt.Data.(slack.InteractionCallback)
	return ok && evt.Type == socketmode.EventTypeInteractive && cb.Type == slack.InteractionTypeViewSubmission
}

// onSubmission answers a form submission in its ack, as Slack requires:
// the view handler runs at once, outside the worker pool, within the
// budget; its Reply becomes the ack's response_action. While
// draining, the form stays open with a note to submit again.
func (l *Listener) onSubmission(evt socketmode.Event, cb slack.InteractionCallback) {
	if l.views.h == nil || !l.firstTime(evt) {
		l.ack(evt) // Slack does not send a submission twice; nothing to answer
		return
	}
	inputs := inputIDs(cb.View)
	l.mu.Lock()
	refuse := l.draining || l.closed
	if !refuse {
		l.inflight.Add(1)
	}
	l.mu.Unlock()
	if refuse {
		l.ackWith(evt, errorsResponse(map[string]string{"": submitRestarting}, inputs))
		return
	}
	sub := submissionOf(cb)
	go func() {
		defer l.inflight.Done()
		l.ackWith(evt, l.answer(sub, inputs))
	}()
}

// answer runs the view handler on sub within its budget and turns its
// Reply into the ack's payload; nil closes the form. Past the budget the
// form says the work goes on and the Reply, when it comes, is dropped.
func (l *Listener) answer(sub chatview.Submission, inputs []string) *slack.ViewSubmissionResponse {
	ctx, cancel := context.WithTimeout(l.workCtx, l.views.budget)
	defer cancel()
	done := make(chan chatview.Reply, 1)
	l.inflight.Add(1) // within the caller's count: Drain waits for a slow handler too
	go func() {
		defer l.inflight.Done()
		defer func() {
			if p := recover(); p != nil {
				clear(sub.Values)
				l.log.Error("panic in form handler", "form", sub.FormID, "user", sub.UserID, "panic", p, "stack", string(debug.Stack()))
				done <- chatview.Reply{Errors: map[string]string{"": submitFailed}}
			}
		}()
		r := l.views.h.SubmitForm(ctx, sub)
		clear(sub.Values) // secrets must not outlive the handler
		done <- r
	}()
	select {
	case r := <-done:
		return l.replyPayload(sub, r, inputs)
	case <-ctx.Done():
		l.log.Warn("form handler did not answer in time", "form", sub.FormID, "user", sub.UserID, "budget", l.views.budget)
		return slack.NewUpdateViewSubmissionResponse(ptr(noticeView(slowTitle, slowText)))
	}
}

func ptr[T any](v T) *T { return &v }

// replyPayload is the ack payload for a Reply.
func (l *Listener) replyPayload(sub chatview.Submission, r chatview.Reply, inputs []string) *slack.ViewSubmissionResponse {
	if len(r.Errors) > 0 {
		return errorsResponse(r.Errors, inputs)
	}
	next, push := r.Update, false
	if r.Push != nil {
		next, push = r.Push, true
	}
	if next != nil {
		view, err := FormView(*next)
		if err != nil {
			l.log.Error("render the form answering a submission", "form", sub.FormID, "err", err)
			return errorsResponse(map[string]string{"": submitFailed}, inputs)
		}
		if push {
			return slack.NewPushViewSubmissionResponse(&view)
		}
		return slack.NewUpdateViewSubmissionResponse(&view)
	}
	if r.CloseAll {
		return slack.NewClearViewSubmissionResponse()
	}
	return nil
}

// errorsResponse shows errs under their fields. Slack shows only errors
// keyed by an input block's block_id (anything else becomes a generic
// error), so an error naming no field of the form goes under the first
// field, prefixed with its key. A form without fields cannot show errors:
// it is replaced by a notice.
func errorsResponse(errs map[string]string, inputs []string) *slack.ViewSubmissionResponse {
	if len(inputs) == 0 {
		var text strings.Builder
		for _, msg := range errs {
			text.WriteString(msg + "\n")
		}
		return slack.NewUpdateViewSubmissionResponse(ptr(noticeView("Not done", slackText(text.String()))))
	}
	known := map[string]bool{}
	for _, id := range inputs {
		known[id] = true
	}
	out := map[string]string{}
	var stray string
	for _, k := range slices.Sorted(maps.Keys(errs)) {
		msg := chat.Plain(errs[k]) // shown as plain text under the field
		if known[k] {
			out[k] = msg
			continue
		}
		if k != "" {
			msg = k + ": " + msg
		}
		stray += msg + " "
	}
	if stray != "" {
		out[inputs[0]] = strings.TrimSpace(stray + out[inputs[0]])
	}
	return slack.NewErrorsViewSubmissionResponse(out)
}

// ackWith acknowledges evt with payload, nil meaning none.
func (l *Listener) ackWith(evt socketmode.Event, payload *slack.ViewSubmissionResponse) {
	var err error
	if payload == nil {
		err = l.sm.Ack(*evt.Request)
	} else {
		err = l.sm.Ack(*evt.Request, payload)
	}
	if err != nil {
		l.log.Error("ack form submission", "envelope", evt.Request.EnvelopeID, "err", err)
	}
}

// inputIDs lists a view's input blocks' block_ids: the form's field IDs.
func inputIDs(v slack.View) []string {
	var ids []string
	for _, b := range v.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok {
			ids = append(ids, in.BlockID)
		}
	}
	return ids
}

// submissionOf reads a submission's values by field ID: a text's value,
// a select's chosen option value, "" for an empty input.
func submissionOf(cb slack.InteractionCallback) chatview.Submission {
	values := map[string]string{}
	if cb.View.State != nil {
		for blockID, actions := range cb.View.State.Values {
			for _, a := range actions {
				switch a.Type {
				case "static_select":
					values[blockID] = a.SelectedOption.Value
				default:
					values[blockID] = a.Value
				}
			}
		}
	}
	return chatview.Submission{FormID: cb.View.CallbackID, FormRef: cb.View.ID, UserID: cb.User.ID, UserName: cb.User.Name,
		Values: values, Metadata: cb.View.PrivateMetadata, TriggerID: cb.TriggerID}
}

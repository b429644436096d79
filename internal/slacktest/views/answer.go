package views

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"dobot/internal/slacktest/blockkit"
)

// Answer is what the app answered to a view submission in its ack, and
// what Slack made of it.
type Answer struct {
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
	// Late is true when the ack came after the server's ack deadline:
	// Slack then shows the person an error and ignores the answer.
	Late bool
	// Problems are what Slack would refuse in the answer (an errors key
	// that is no input block, an invalid view, a fourth view); a refused
	// answer changes nothing.
	Problems []string

	answered bool
	sent     time.Time
}

// Submitted records that the submission of user's view viewID went out at
// now in envelope envelopeID, so its ack is read as the answer.
func (st *State) Submitted(envelopeID, viewID, user string, now time.Time) {
	st.answers[envelopeID] = &Answer{EnvelopeID: envelopeID, ViewID: viewID, User: user, sent: now}
}

// Answered is the answer to the submission in envelopeID, once its ack
// came.
func (st *State) Answered(envelopeID string) (Answer, bool) {
	a := st.answers[envelopeID]
	if a == nil || !a.answered {
		return Answer{}, false
	}
	return *a, true
}

// Ack applies the ack of envelope envelopeID, read at now, as Slack does:
// when the envelope was a view submission acked within deadline, its
// payload's response_action changes the person's modals. Other acks, and
// a second ack, change nothing.
func (st *State) Ack(envelopeID string, payload json.RawMessage, now time.Time, deadline time.Duration) {
	a := st.answers[envelopeID]
	if a == nil || a.answered {
		return
	}
	late := now.Sub(a.sent) > deadline
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
	stack := st.stacks[a.User]
	i := slices.IndexFunc(stack, func(v *View) bool { return v.ID == a.ViewID })
	if i < 0 {
		a.Problems = append(a.Problems, "the submitted view is no longer open")
		return
	}
	if err := st.apply(a, stack, i); err != nil {
		a.Problems = append(a.Problems, err.Error())
	}
}

// apply changes the stack as the answer asks.
func (st *State) apply(a *Answer, stack []*View, i int) error {
	v := stack[i]
	switch a.Action {
	case "":
		st.stacks[a.User] = stack[:i]
	case "clear":
		delete(st.stacks, a.User)
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
		nv := blockkit.DecodeView(a.View, func() string { return RandomHex(3) })
		if a.Action == "update" {
			replace(v, nv)
			return nil
		}
		if len(stack) >= blockkit.MaxViewStack {
			return errors.New("push_limit_reached: a modal holds at most 3 views")
		}
		nv.ID, nv.User, nv.Hash, nv.Type = st.newViewID(), a.User, newHash(), "modal"
		nv.RootViewID, nv.PreviousViewID = stack[0].ID, v.ID
		st.stacks[a.User] = append(stack, nv)
	default:
		return fmt.Errorf("unknown response_action %q", a.Action)
	}
	return nil
}

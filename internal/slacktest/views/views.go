// Package views is Slack's side of modals and Home tabs as the test server
// keeps them: the trigger_ids it hands out and takes once within their
// life, each person's stack of open modals (at most three deep) and their
// published Home tab, the ids and hashes Slack gives views, and what an
// app's answer to a view submission does to the stack. It holds state
// only: the server parses requests, locks, and sends the envelopes.
package views

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"

	"dobot/internal/slacktest/blockkit"
)

// View is a modal view or a Home tab as the server holds it now.
type View = blockkit.View

// triggerShape is the form Slack gives and expects of trigger ids, e.g.
// "132456.7890123.abcdef" (views.open's invalid_trigger_id).
var triggerShape = regexp.MustCompile(`^\d+\.\d+\.[0-9a-f]+$`)

// trigger is a trigger_id the server handed out with an envelope.
type trigger struct {
	user   string
	issued time.Time
	used   bool
}

// State is every person's modals and Home tab. It is not safe for
// concurrent use: the server calls it under its lock.
type State struct {
	life     time.Duration // a trigger_id's
	triggers map[string]*trigger
	stacks   map[string][]*View // user → open modal views, the root first
	homes    map[string]*View   // user → published Home tab
	answers  map[string]*Answer // by the submission's envelope id
	seq      int
}

// New is an empty State whose trigger_ids may be exchanged for a view
// within life of being issued.
func New(life time.Duration) *State {
	return &State{life: life, triggers: map[string]*trigger{}, stacks: map[string][]*View{},
		homes: map[string]*View{}, answers: map[string]*Answer{}}
}

// IssueTrigger records id (a fresh one when "") as a trigger_id handed to
// user at now, and returns it.
func (st *State) IssueTrigger(id, user string, now time.Time) string {
	if id == "" {
		id = NewTriggerID()
	}
	if _, ok := st.triggers[id]; !ok {
		st.triggers[id] = &trigger{user: user, issued: now}
	}
	return id
}

// takeTrigger exchanges a trigger_id once, within its life, and returns
// whose it was; otherwise Slack's error code.
func (st *State) takeTrigger(id string, now time.Time) (user, code string) {
	t := st.triggers[id]
	switch {
	case id == "" || !triggerShape.MatchString(id) || t == nil:
		return "", "invalid_trigger_id"
	case t.used:
		return "", "exchanged_trigger_id"
	case now.Sub(t.issued) > st.life:
		return "", "expired_trigger_id"
	}
	t.used = true
	return t.user, ""
}

// newViewID and newHash give ids shaped like Slack's.
func (st *State) newViewID() string {
	st.seq++
	return fmt.Sprintf("V%07d%s", st.seq, strings.ToUpper(RandomHex(1)))
}

func newHash() string { return fmt.Sprintf("%d.%s", time.Now().Unix(), RandomHex(4)) }

// externalTaken reports whether a view other than exceptID uses external.
func (st *State) externalTaken(external, exceptID string) bool {
	if external == "" {
		return false
	}
	taken := false
	st.each(func(v *View) {
		if v.ExternalID == external && v.ID != exceptID {
			taken = true
		}
	})
	return taken
}

func (st *State) each(fn func(*View)) {
	for _, stack := range st.stacks {
		for _, v := range stack {
			fn(v)
		}
	}
	for _, v := range st.homes {
		fn(v)
	}
}

// Find finds a view by view_id or, when id is "", by external_id.
func (st *State) Find(id, external string) *View {
	var found *View
	st.each(func(v *View) {
		if id != "" && v.ID == id || id == "" && external != "" && v.ExternalID == external {
			found = v
		}
	})
	return found
}

// Open is views.open (push false: v replaces any modal the trigger's
// person had open) or views.push (v goes on top of their open modal). It
// returns Slack's error code, or "" when v is open.
func (st *State) Open(v *View, triggerID string, push bool, now time.Time) (code string) {
	if st.externalTaken(v.ExternalID, "") {
		return "duplicate_external_id"
	}
	user, code := st.takeTrigger(triggerID, now)
	if code != "" {
		return code
	}
	stack := st.stacks[user]
	if push && len(stack) == 0 {
		return "not_found" // nothing to push onto
	}
	if push && len(stack) >= blockkit.MaxViewStack {
		return "push_limit_reached"
	}
	v.ID, v.User, v.Hash = st.newViewID(), user, newHash()
	v.RootViewID = v.ID
	if push {
		v.RootViewID, v.PreviousViewID = stack[0].ID, stack[len(stack)-1].ID
		st.stacks[user] = append(stack, v)
	} else {
		st.stacks[user] = []*View{v}
	}
	return ""
}

// Update is views.update of cur (found with Find): it gets v's content
// if hash, when given, is still its hash. It returns Slack's error code.
func (st *State) Update(cur, v *View, hash string) (code string) {
	if hash != "" && hash != cur.Hash {
		return "hash_conflict"
	}
	if st.externalTaken(v.ExternalID, cur.ID) {
		return "duplicate_external_id"
	}
	replace(cur, v)
	return ""
}

// replace gives cur the content of v, keeping its place and ids.
func replace(cur, v *View) {
	v.ID, v.User, v.Type, v.RootViewID, v.PreviousViewID = cur.ID, cur.User, cur.Type, cur.RootViewID, cur.PreviousViewID
	v.Hash = newHash()
	*cur = *v
}

// Publish is views.publish: v becomes user's Home tab if hash, when
// given, is the current one's. It returns the published view, or Slack's
// error code.
func (st *State) Publish(user string, v *View, hash string) (*View, string) {
	cur := st.homes[user]
	if hash != "" && (cur == nil || hash != cur.Hash) {
		return nil, "hash_conflict"
	}
	curID := ""
	if cur != nil {
		curID = cur.ID
	}
	if st.externalTaken(v.ExternalID, curID) {
		return nil, "duplicate_external_id"
	}
	if cur == nil {
		v.ID, v.User, v.Hash = st.newViewID(), user, newHash()
		v.RootViewID = v.ID
		st.homes[user] = v
		return v, ""
	}
	replace(cur, v)
	return cur, ""
}

// Home is user's published Home tab, or nil.
func (st *State) Home(user string) *View { return st.homes[user] }

// Stack is user's open modal views, the root first.
func (st *State) Stack(user string) []*View { return st.stacks[user] }

// Top is user's top modal view.
func (st *State) Top(user string) (*View, error) {
	stack := st.stacks[user]
	if len(stack) == 0 {
		return nil, fmt.Errorf("slacktest: %s has no modal open", user)
	}
	return stack[len(stack)-1], nil
}

// Close closes user's top modal as its close button does, and reports
// whether that cleared the whole stack: a view with clear_on_close
// closes every view.
func (st *State) Close(user string) (closed *View, cleared bool, err error) {
	v, err := st.Top(user)
	if err != nil {
		return nil, false, err
	}
	stack := st.stacks[user]
	cleared = v.ClearOnClose || len(stack) == 1
	if v.ClearOnClose {
		delete(st.stacks, user)
	} else {
		st.stacks[user] = stack[:len(stack)-1]
	}
	return v, cleared, nil
}

// RandomHex returns n random bytes as hex.
func RandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// NewTriggerID returns an id shaped like Slack's trigger ids.
func NewTriggerID() string {
	return fmt.Sprintf("%d.%d.%s", time.Now().UnixNano()%1e13, 1234567890, RandomHex(16))
}

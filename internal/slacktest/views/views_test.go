package views_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"dobot/internal/slacktest/blockkit"
	"dobot/internal/slacktest/views"
)

var t0 = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

// modal is a modal view with one input block, name.
func modal(title string) *views.View {
	raw := `{"type":"modal","title":{"type":"plain_text","text":"` + title + `"},"blocks":[` +
		`{"type":"input","block_id":"name","label":{"type":"plain_text","text":"Name"},` +
		`"element":{"type":"plain_text_input","action_id":"v"}}]}`
	return blockkit.DecodeView([]byte(raw), func() string { return views.RandomHex(3) })
}

// A trigger_id opens one modal, once, within its life; push stacks views
// at most three deep, each knowing the root and the one below.
func TestTriggersAndStacks(t *testing.T) {
	st := views.New(3 * time.Second)
	tr := st.IssueTrigger("", "U1", t0)
	if code := st.Open(modal("one"), tr, false, t0.Add(time.Second)); code != "" {
		t.Fatalf("Open with a fresh trigger = %q; want it open", code)
	}
	if code := st.Open(modal("again"), tr, false, t0.Add(time.Second)); code != "exchanged_trigger_id" {
		t.Errorf("Open with a used trigger = %q; want exchanged_trigger_id", code)
	}
	late := st.IssueTrigger("", "U1", t0)
	if code := st.Open(modal("late"), late, true, t0.Add(4*time.Second)); code != "expired_trigger_id" {
		t.Errorf("Open after the trigger's life = %q; want expired_trigger_id", code)
	}
	if code := st.Open(modal("x"), "not-a-trigger", false, t0); code != "invalid_trigger_id" {
		t.Errorf("Open with a made-up trigger = %q; want invalid_trigger_id", code)
	}
	for _, title := range []string{"two", "three"} {
		if code := st.Open(modal(title), st.IssueTrigger("", "U1", t0), true, t0); code != "" {
			t.Fatalf("push %s = %q", title, code)
		}
	}
	if code := st.Open(modal("four"), st.IssueTrigger("", "U1", t0), true, t0); code != "push_limit_reached" {
		t.Errorf("a fourth push = %q; want push_limit_reached", code)
	}
	stack := st.Stack("U1")
	if len(stack) != 3 || stack[2].RootViewID != stack[0].ID || stack[2].PreviousViewID != stack[1].ID || stack[2].Title != "three" {
		t.Fatalf("stack = %+v; want one, two, three linked to the root", stack)
	}
	if v, cleared, err := st.Close("U1"); err != nil || cleared || v.Title != "three" || len(st.Stack("U1")) != 2 {
		t.Errorf("Close = %v, %v, %v; want three closed, two left", v, cleared, err)
	}
}

// A Home tab is published once per person and replaced in place; a stale
// hash is refused.
func TestPublishKeepsTheHomeTabsID(t *testing.T) {
	st := views.New(time.Second)
	home := func() *views.View { v := modal("home"); v.Type = "home"; return v }
	first, code := st.Publish("U1", home(), "")
	if code != "" {
		t.Fatal(code)
	}
	id, hash := first.ID, first.Hash
	if _, code := st.Publish("U1", home(), "0.stale"); code != "hash_conflict" {
		t.Errorf("Publish with a stale hash = %q; want hash_conflict", code)
	}
	again, code := st.Publish("U1", home(), hash)
	if code != "" || again.ID != id || st.Home("U1") != again {
		t.Errorf("Publish with the current hash = %+v, %q; want the same view %s updated", again, code, id)
	}
}

// The ack of a submission answers it: errors must name input blocks, push
// adds a view, a late ack changes nothing.
func TestAckAppliesTheAnswer(t *testing.T) {
	st := views.New(time.Second)
	if code := st.Open(modal("one"), st.IssueTrigger("", "U1", t0), false, t0); code != "" {
		t.Fatal(code)
	}
	top, _ := st.Top("U1")
	tests := []struct {
		name, payload string
		after         time.Duration
		wantProblem   string
		wantStack     int
	}{
		{"errors on no input", `{"response_action":"errors","errors":{"nope":"bad"}}`, 0, "not the block_id of an input block", 1},
		{"errors", `{"response_action":"errors","errors":{"name":"taken"}}`, 0, "", 1},
		{"late push", `{"response_action":"push","view":{"type":"modal","title":{"type":"plain_text","text":"t"},"blocks":[]}}`, 4 * time.Second, "after the deadline", 1},
		{"push", `{"response_action":"push","view":{"type":"modal","title":{"type":"plain_text","text":"t"},"blocks":[]}}`, 0, "", 2},
	}
	for i, tt := range tests {
		env := "E" + string(rune('0'+i))
		st.Submitted(env, top.ID, "U1", t0)
		if _, ok := st.Answered(env); ok {
			t.Fatalf("%s: answered before its ack", tt.name)
		}
		st.Ack(env, json.RawMessage(tt.payload), t0.Add(tt.after), 3*time.Second)
		a, ok := st.Answered(env)
		if !ok || (tt.wantProblem == "") != (len(a.Problems) == 0) || tt.wantProblem != "" && !strings.Contains(strings.Join(a.Problems, ";"), tt.wantProblem) {
			t.Errorf("%s: answer = %+v, %v; want problem %q", tt.name, a, ok, tt.wantProblem)
		}
		if n := len(st.Stack("U1")); n != tt.wantStack {
			t.Errorf("%s: %d views open; want %d", tt.name, n, tt.wantStack)
		}
	}
	if top.Errors["name"] != "taken" {
		t.Errorf("errors shown = %v; want name: taken", top.Errors)
	}
}

package slacktest

import (
	"dobot/internal/testclock"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// launchModal is a small valid modal with a text, a select and a number.
func launchModal() slack.ModalViewRequest {
	text := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	name := slack.NewPlainTextInputBlockElement(nil, "value")
	name.MaxLength = 32
	region := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, "value",
		slack.NewOptionBlockObject("nyc", text("New York"), nil), slack.NewOptionBlockObject("ams", text("Amsterdam"), nil))
	count := slack.NewNumberInputBlockElement(nil, "value", false)
	regionBlock := slack.NewInputBlock("region", text("Region"), nil, region)
	regionBlock.Optional = true
	return slack.ModalViewRequest{
		Type: slack.VTModal, Title: text("Launch an app"), Submit: text("Launch"), Close: text("Cancel"),
		CallbackID: "launch", PrivateMetadata: `{"channel":"C1"}`, NotifyOnClose: true,
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock("name", text("Name"), nil, name),
			regionBlock,
			slack.NewInputBlock("instances", text("Instances"), nil, count),
		}},
	}
}

// slackErrCode is Slack's error code in err, or "".
func slackErrCode(err error) (string, []string) {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err, se.ResponseMetadata.Messages
	}
	if err != nil {
		return err.Error(), nil
	}
	return "", nil
}

// trigger sends a slash command and returns its trigger_id.
func (h *harness) trigger(t *testing.T) string {
	t.Helper()
	_, cmd, evt := h.slash(t, "launch")
	if err := h.client.Ack(*evt.Request); err != nil {
		t.Fatal(err)
	}
	return cmd.TriggerID
}

func TestViewsOpenTriggerRules(t *testing.T) {
	clock := testclock.New(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))
	h := startWith(t, Options{Now: clock.Now})
	ctx := h.ctx(t)

	tid := h.trigger(t)
	resp, err := h.api.OpenViewContext(ctx, tid, launchModal())
	if err != nil {
		t.Fatalf("views.open with a fresh trigger: %v", err)
	}
	if resp.View.ID == "" || resp.View.Hash == "" || resp.View.CallbackID != "launch" || resp.View.RootViewID != resp.View.ID {
		t.Errorf("opened view = %+v; want an id, a hash, the callback_id and itself as root", resp.View)
	}
	stack := h.srv.ModalStack("U1")
	if len(stack) != 1 || stack[0].ID != resp.View.ID || stack[0].Title != "Launch an app" || stack[0].User != "U1" {
		t.Fatalf("ModalStack(U1) = %+v; want the opened view", stack)
	}

	// A trigger is single use.
	_, err = h.api.OpenViewContext(ctx, tid, launchModal())
	if code, _ := slackErrCode(err); code != "exchanged_trigger_id" {
		t.Errorf("second views.open with one trigger: %v; want exchanged_trigger_id", err)
	}
	// And lives three seconds.
	late := h.trigger(t)
	clock.Advance(3*time.Second + time.Millisecond)
	_, err = h.api.OpenViewContext(ctx, late, launchModal())
	if code, _ := slackErrCode(err); code != "expired_trigger_id" {
		t.Errorf("views.open after 3s: %v; want expired_trigger_id", err)
	}
	for _, bad := range []string{"12345.67890.abcdef", "not-a-trigger"} {
		_, err = h.api.OpenViewContext(ctx, bad, launchModal())
		if code, _ := slackErrCode(err); code != "invalid_trigger_id" {
			t.Errorf("views.open with trigger %q: %v; want invalid_trigger_id", bad, err)
		}
	}
	// A refused view does not use the trigger up.
	fresh := h.trigger(t)
	long := launchModal()
	long.Title = slack.NewTextBlockObject(slack.PlainTextType, strings.Repeat("x", 25), false, false)
	_, err = h.api.OpenViewContext(ctx, fresh, long)
	if code, msgs := slackErrCode(err); code != "invalid_arguments" || len(msgs) != 1 || !strings.Contains(msgs[0], "[json-pointer:/view/title/text]") {
		t.Errorf("views.open with a 25-character title: %v %v; want invalid_arguments naming /view/title/text", code, msgs)
	}
	if _, err := h.api.OpenViewContext(ctx, fresh, launchModal()); err != nil {
		t.Errorf("views.open after a refused view: %v; want the trigger still valid", err)
	}
}

func TestViewLimits(t *testing.T) {
	text := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	section := func() slack.Block {
		return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "x", false, false), nil, nil)
	}
	many := func(n int) []slack.Block {
		out := make([]slack.Block, n)
		for i := range out {
			out[i] = section()
		}
		return out
	}
	options := func(n int, label string) []*slack.OptionBlockObject {
		out := make([]*slack.OptionBlockObject, n)
		for i := range out {
			out[i] = slack.NewOptionBlockObject(strings.Repeat("v", i%9+1)+string(rune('a'+i%26))+strings.Repeat("z", i/26), text(label), nil)
		}
		return out
	}
	selectModal := func(opts []*slack.OptionBlockObject) slack.ModalViewRequest {
		m := launchModal()
		m.Blocks.BlockSet = []slack.Block{slack.NewInputBlock("s", text("S"), nil, slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, "a", opts...))}
		return m
	}
	textModal := func(maxLen int) slack.ModalViewRequest {
		m := launchModal()
		in := slack.NewPlainTextInputBlockElement(nil, "a")
		in.MaxLength = maxLen
		m.Blocks.BlockSet = []slack.Block{slack.NewInputBlock("t", text("T"), nil, in)}
		return m
	}
	tests := []struct {
		name    string
		change  func(*slack.ModalViewRequest)
		wantPtr string // "" means accepted
	}{
		{"valid", func(*slack.ModalViewRequest) {}, ""},
		{"100 blocks", func(m *slack.ModalViewRequest) { m.Blocks.BlockSet = many(100) }, ""},
		{"101 blocks", func(m *slack.ModalViewRequest) { m.Blocks.BlockSet = many(101) }, "/view/blocks"},
		{"title of 24", func(m *slack.ModalViewRequest) { m.Title = text(strings.Repeat("é", 24)) }, ""},
		{"title of 25", func(m *slack.ModalViewRequest) { m.Title = text(strings.Repeat("é", 25)) }, "/view/title/text"},
		{"no title", func(m *slack.ModalViewRequest) { m.Title = nil }, "/view/title"},
		{"mrkdwn title", func(m *slack.ModalViewRequest) {
			m.Title = slack.NewTextBlockObject(slack.MarkdownType, "x", false, false)
		}, "/view/title/type"},
		{"submit of 25", func(m *slack.ModalViewRequest) { m.Submit = text(strings.Repeat("s", 25)) }, "/view/submit/text"},
		{"close of 25", func(m *slack.ModalViewRequest) { m.Close = text(strings.Repeat("c", 25)) }, "/view/close/text"},
		{"inputs without submit", func(m *slack.ModalViewRequest) { m.Submit = nil }, "/view/submit"},
		{"callback_id of 256", func(m *slack.ModalViewRequest) { m.CallbackID = strings.Repeat("c", 256) }, "/view/callback_id"},
		{"private_metadata of 3000", func(m *slack.ModalViewRequest) { m.PrivateMetadata = strings.Repeat("m", 3000) }, ""},
		{"private_metadata of 3001", func(m *slack.ModalViewRequest) { m.PrivateMetadata = strings.Repeat("m", 3001) }, "/view/private_metadata"},
		{"max_length 3000", func(m *slack.ModalViewRequest) { *m = textModal(3000) }, ""},
		{"max_length 3001", func(m *slack.ModalViewRequest) { *m = textModal(3001) }, "/view/blocks/0/element/max_length"},
		{"100 options", func(m *slack.ModalViewRequest) { *m = selectModal(options(100, "o")) }, ""},
		{"101 options", func(m *slack.ModalViewRequest) { *m = selectModal(options(101, "o")) }, "/view/blocks/0/element/options"},
		{"option text of 76", func(m *slack.ModalViewRequest) { *m = selectModal(options(1, strings.Repeat("o", 76))) }, "/view/blocks/0/element/options/0/text/text"},
		{"initial option not an option", func(m *slack.ModalViewRequest) {
			*m = selectModal(options(2, "o"))
			m.Blocks.BlockSet[0].(*slack.InputBlock).Element.(*slack.SelectBlockElement).InitialOption = slack.NewOptionBlockObject("zz", text("Z"), nil)
		}, "/view/blocks/0/element/initial_option"},
		{"long block_id", func(m *slack.ModalViewRequest) {
			m.Blocks.BlockSet[0].(*slack.InputBlock).BlockID = strings.Repeat("b", 256)
		}, "/view/blocks/0/block_id"},
		{"duplicate block_id", func(m *slack.ModalViewRequest) {
			sec := slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "x", false, false), nil, nil, slack.SectionBlockOptionBlockID("name"))
			m.Blocks.BlockSet = append(m.Blocks.BlockSet, sec)
		}, "/view/blocks/3/block_id"},
		{"duplicate action_id in a block", func(m *slack.ModalViewRequest) {
			b := func() slack.BlockElement { return slack.NewButtonBlockElement("go", "", text("Go")) }
			m.Blocks.BlockSet = append(m.Blocks.BlockSet, slack.NewActionBlock("acts", b(), b()))
		}, "/view/blocks/3/elements/1/action_id"},
		{"long label", func(m *slack.ModalViewRequest) {
			m.Blocks.BlockSet[0].(*slack.InputBlock).Label = text(strings.Repeat("l", 2001))
		}, "/view/blocks/0/label/text"},
	}
	h := start(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := launchModal()
			tt.change(&m)
			tid := h.trigger(t)
			_, err := h.api.OpenViewContext(h.ctx(t), tid, m)
			code, msgs := slackErrCode(err)
			if tt.wantPtr == "" {
				if err != nil {
					t.Fatalf("views.open = %v %v; want ok", code, msgs)
				}
				return
			}
			if code != "invalid_arguments" {
				t.Fatalf("views.open = %v %v; want invalid_arguments", code, msgs)
			}
			found := false
			for _, msg := range msgs {
				found = found || strings.HasPrefix(msg, "[ERROR] ") && strings.HasSuffix(msg, "[json-pointer:"+tt.wantPtr+"]")
			}
			if !found {
				t.Errorf("messages = %q; want one at %s", msgs, tt.wantPtr)
			}
		})
	}
}

func TestViewsUpdateHashAndPush(t *testing.T) {
	h := start(t)
	ctx := h.ctx(t)
	opened, err := h.api.OpenViewContext(ctx, h.trigger(t), launchModal())
	if err != nil {
		t.Fatal(err)
	}
	changed := launchModal()
	changed.Title = slack.NewTextBlockObject(slack.PlainTextType, "Changed", false, false)
	updated, err := h.api.UpdateViewContext(ctx, changed, "", opened.View.Hash, opened.View.ID)
	if err != nil {
		t.Fatalf("views.update with the current hash: %v", err)
	}
	if updated.View.ID != opened.View.ID || updated.View.Hash == opened.View.Hash {
		t.Errorf("updated view id %s hash %s; want the same id %s and a new hash", updated.View.ID, updated.View.Hash, opened.View.ID)
	}
	// The old hash no longer matches.
	_, err = h.api.UpdateViewContext(ctx, launchModal(), "", opened.View.Hash, opened.View.ID)
	if code, _ := slackErrCode(err); code != "hash_conflict" {
		t.Errorf("views.update with a stale hash: %v; want hash_conflict", err)
	}
	if top := h.srv.ModalStack("U1"); len(top) != 1 || top[0].Title != "Changed" {
		t.Errorf("stack after a refused update = %+v; want the earlier update kept", top)
	}
	_, err = h.api.UpdateViewContext(ctx, launchModal(), "", "", "V0NOPE")
	if code, _ := slackErrCode(err); code != "not_found" {
		t.Errorf("views.update of an unknown view: %v; want not_found", err)
	}
	// By external_id.
	ext := launchModal()
	ext.ExternalID = "launch-U1"
	if _, err := h.api.UpdateViewContext(ctx, ext, "", "", opened.View.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.api.UpdateViewContext(ctx, changed, "launch-U1", "", ""); err != nil {
		t.Errorf("views.update by external_id: %v", err)
	}
	// A modal holds at most three views.
	for i := range 3 {
		_, err := h.api.PushViewContext(ctx, h.trigger(t), launchModal())
		code, _ := slackErrCode(err)
		if i < 2 && err != nil || i == 2 && code != "push_limit_reached" {
			t.Errorf("push %d: %v; want ok for two, then push_limit_reached", i+1, err)
		}
	}
	if stack := h.srv.ModalStack("U1"); len(stack) != 3 || stack[2].PreviousViewID != stack[1].ID || stack[2].RootViewID != stack[0].ID {
		t.Errorf("stack = %+v; want three views chained to the root", stack)
	}
}

func TestViewsPublishHome(t *testing.T) {
	h := start(t)
	ctx := h.ctx(t)
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, CallbackID: "home",
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "hello", false, false), nil, nil)}}}
	first, err := h.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1", View: home})
	if err != nil {
		t.Fatal(err)
	}
	got, ok := h.srv.Home("U1")
	if !ok || got.ID != first.View.ID || !strings.Contains(string(got.Blocks), "hello") {
		t.Fatalf("Home(U1) = %+v, %v; want the published view", got, ok)
	}
	stale := "1.stale"
	_, err = h.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1", View: home, Hash: &stale})
	if code, _ := slackErrCode(err); code != "hash_conflict" {
		t.Errorf("views.publish with a stale hash: %v; want hash_conflict", err)
	}
	_, err = h.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "C1", View: home})
	if code, msgs := slackErrCode(err); code != "invalid_arguments" || len(msgs) == 0 {
		t.Errorf("views.publish to a channel id: %v %v; want invalid_arguments", code, msgs)
	}
	modal := slack.HomeTabViewRequest{Type: slack.VTModal, Blocks: home.Blocks}
	_, err = h.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1", View: modal})
	if code, msgs := slackErrCode(err); code != "invalid_arguments" || len(msgs) != 1 || !strings.Contains(msgs[0], "/view/type") {
		t.Errorf("views.publish of a modal: %v %v; want invalid_arguments at /view/type", code, msgs)
	}

	// Opening the Home tab sends app_home_opened with the published view.
	id, err := h.srv.OpenHome("U1")
	if err != nil {
		t.Fatal(err)
	}
	evt := h.next(t, socketmode.EventTypeEventsAPI)
	api, ok := evt.Data.(slackevents.EventsAPIEvent)
	if !ok || evt.Request.EnvelopeID != id {
		t.Fatalf("event = %T %+v; want the events_api envelope %s", evt.Data, evt.Request, id)
	}
	opened, ok := api.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
	if !ok || opened.User != "U1" || opened.Tab != "home" || opened.View == nil || opened.View.ID != first.View.ID {
		t.Errorf("inner event = %#v; want app_home_opened by U1 on the home tab with its view", api.InnerEvent.Data)
	}
}

func TestSubmitViewAndAnswers(t *testing.T) {
	h := start(t)
	ctx := h.ctx(t)
	opened, err := h.api.OpenViewContext(ctx, h.trigger(t), launchModal())
	if err != nil {
		t.Fatal(err)
	}
	// Slack's client refuses what the view does not allow.
	for _, bad := range []map[string]string{
		{"name": "web"}, // instances is required
		{"name": strings.Repeat("n", 33), "instances": "1"},   // max_length 32
		{"name": "web", "instances": "1.5"},                   // no decimals
		{"name": "web", "instances": "2", "region": "mars"},   // no such option
		{"name": "web", "instances": "2", "nonexistent": "x"}, // no such block
	} {
		if _, err := h.srv.SubmitView("U1", bad); err == nil {
			t.Errorf("SubmitView(%v) = nil; want Slack's client to refuse", bad)
		}
	}

	id, err := h.srv.SubmitView("U1", map[string]string{"name": "web", "instances": "2", "region": "ams"})
	if err != nil {
		t.Fatal(err)
	}
	evt := h.next(t, socketmode.EventTypeInteractive)
	cb := evt.Data.(slack.InteractionCallback)
	if cb.Type != slack.InteractionTypeViewSubmission || cb.View.ID != opened.View.ID || cb.View.CallbackID != "launch" ||
		cb.View.PrivateMetadata != `{"channel":"C1"}` || cb.TriggerID == "" || cb.User.ID != "U1" {
		t.Fatalf("view_submission = %+v; want the view's ids and metadata and a trigger", cb)
	}
	vals := cb.View.State.Values
	if vals["name"]["value"].Value != "web" || vals["instances"]["value"].Value != "2" || vals["region"]["value"].SelectedOption.Value != "ams" {
		t.Errorf("state.values = %+v; want name web, instances 2, region ams", vals)
	}
	// Errors keep the view open and show on the named inputs.
	if err := h.client.Ack(*evt.Request, slack.NewErrorsViewSubmissionResponse(map[string]string{"name": "taken"})); err != nil {
		t.Fatal(err)
	}
	ans, err := h.srv.WaitViewAnswer(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if ans.Action != "errors" || ans.Errors["name"] != "taken" || len(ans.Problems) > 0 || ans.Late {
		t.Errorf("answer = %+v; want errors on name, accepted", ans)
	}
	if stack := h.srv.ModalStack("U1"); len(stack) != 1 || stack[0].Errors["name"] != "taken" {
		t.Errorf("stack = %+v; want the view open with its error", stack)
	}
	// The trigger of a submission opens a view once.
	if _, err := h.api.PushViewContext(ctx, cb.TriggerID, launchModal()); err != nil {
		t.Errorf("views.push with the submission's trigger: %v", err)
	}
	if _, err := h.srv.CloseView("U1"); err != nil { // back to the root
		t.Fatal(err)
	}
	h.next(t, socketmode.EventTypeInteractive) // its view_closed

	// An errors key that is no input block is a problem, and changes nothing.
	id, _ = h.srv.SubmitView("U1", map[string]string{"name": "web", "instances": "2"})
	evt = h.next(t, socketmode.EventTypeInteractive)
	_ = h.client.Ack(*evt.Request, slack.NewErrorsViewSubmissionResponse(map[string]string{"nope": "bad"}))
	if ans, _ := h.srv.WaitViewAnswer(ctx, id); len(ans.Problems) != 1 {
		t.Errorf("answer = %+v; want one problem for the unknown block_id", ans)
	}

	// An ack without a payload closes the view.
	id, _ = h.srv.SubmitView("U1", map[string]string{"name": "web", "instances": "2"})
	evt = h.next(t, socketmode.EventTypeInteractive)
	_ = h.client.Ack(*evt.Request)
	if ans, _ := h.srv.WaitViewAnswer(ctx, id); ans.Action != "" || len(ans.Problems) > 0 || len(h.srv.ModalStack("U1")) != 0 {
		t.Errorf("answer = %+v, stack %+v; want the modal closed", ans, h.srv.ModalStack("U1"))
	}
}

func TestSubmitAnswerUpdateAndLate(t *testing.T) {
	clock := testclock.New(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))
	h := startWith(t, Options{Now: clock.Now})
	ctx := h.ctx(t)
	if _, err := h.api.OpenViewContext(ctx, h.trigger(t), launchModal()); err != nil {
		t.Fatal(err)
	}
	done := launchModal()
	done.Title = slack.NewTextBlockObject(slack.PlainTextType, "Done", false, false)
	id, _ := h.srv.SubmitView("U1", map[string]string{"name": "web", "instances": "1"})
	evt := h.next(t, socketmode.EventTypeInteractive)
	_ = h.client.Ack(*evt.Request, slack.NewUpdateViewSubmissionResponse(&done))
	if ans, _ := h.srv.WaitViewAnswer(ctx, id); ans.Action != "update" || len(ans.Problems) > 0 {
		t.Errorf("answer = %+v; want an accepted update", ans)
	}
	if stack := h.srv.ModalStack("U1"); len(stack) != 1 || stack[0].Title != "Done" {
		t.Errorf("stack = %+v; want the updated view", stack)
	}
	// An ack past the deadline is ignored: the view stays as it was.
	id, _ = h.srv.SubmitView("U1", map[string]string{"name": "web", "instances": "1"})
	evt = h.next(t, socketmode.EventTypeInteractive)
	clock.Advance(3*time.Second + time.Millisecond)
	_ = h.client.Ack(*evt.Request, slack.NewClearViewSubmissionResponse())
	ans, _ := h.srv.WaitViewAnswer(ctx, id)
	if !ans.Late || len(h.srv.ModalStack("U1")) != 1 {
		t.Errorf("late answer = %+v, stack %d views; want late and ignored", ans, len(h.srv.ModalStack("U1")))
	}
	// No redelivery of a submission.
	if n := len(h.srv.Acks()); n != 3 { // slash command, two submissions
		t.Errorf("%d acks; want 3", n)
	}
}

func TestCloseViewAndViewButtons(t *testing.T) {
	h := start(t)
	ctx := h.ctx(t)
	quiet := launchModal()
	quiet.NotifyOnClose = false
	if _, err := h.api.OpenViewContext(ctx, h.trigger(t), quiet); err != nil {
		t.Fatal(err)
	}
	if id, err := h.srv.CloseView("U1"); err != nil || id != "" || len(h.srv.ModalStack("U1")) != 0 {
		t.Errorf("CloseView without notify_on_close = %q, %v; want no envelope and the modal gone", id, err)
	}
	if _, err := h.api.OpenViewContext(ctx, h.trigger(t), launchModal()); err != nil {
		t.Fatal(err)
	}
	id, err := h.srv.CloseView("U1")
	if err != nil || id == "" {
		t.Fatalf("CloseView with notify_on_close = %q, %v; want an envelope", id, err)
	}
	cb := h.next(t, socketmode.EventTypeInteractive).Data.(slack.InteractionCallback)
	if cb.Type != slack.InteractionTypeViewClosed || cb.View.CallbackID != "launch" || !cb.IsCleared {
		t.Errorf("view_closed = %+v; want the launch view, cleared", cb)
	}

	// A button on the Home tab.
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
		slack.NewActionBlock("top", slack.NewButtonBlockElement("launch.form", "go", slack.NewTextBlockObject(slack.PlainTextType, "Launch", false, false))),
	}}}
	pub, err := h.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1", View: home})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.srv.ClickViewButton("U1", pub.View.ID, "nope", ""); err == nil {
		t.Error("ClickViewButton on a missing button = nil; want an error")
	}
	if _, err := h.srv.ClickViewButton("U2", pub.View.ID, "launch.form", ""); err == nil {
		t.Error("ClickViewButton on another person's Home = nil; want an error")
	}
	if _, err := h.srv.ClickViewButton("U1", pub.View.ID, "launch.form", ""); err != nil {
		t.Fatal(err)
	}
	cb = h.next(t, socketmode.EventTypeInteractive).Data.(slack.InteractionCallback)
	a := cb.ActionCallback.BlockActions
	if cb.Type != slack.InteractionTypeBlockActions || cb.View.ID != pub.View.ID || cb.Container.Type != "view" ||
		cb.Channel.ID != "" || cb.ResponseURL != "" || cb.TriggerID == "" || len(a) != 1 || a[0].ActionID != "launch.form" || a[0].Value != "go" {
		t.Errorf("click = %+v; want block_actions from the view with a trigger and no channel", cb)
	}
	// Its trigger opens a modal.
	if _, err := h.api.OpenViewContext(ctx, cb.TriggerID, launchModal()); err != nil {
		t.Errorf("views.open from a Home button's trigger: %v", err)
	}
	raw, _ := json.Marshal(cb.View.Blocks)
	if !strings.Contains(string(raw), "launch.form") {
		t.Errorf("click's view blocks = %s; want the Home view", raw)
	}
}

package slackbot

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"dobot/chatview"
	"dobot/commands"
	"dobot/internal/botproc"
	"dobot/internal/slacktest"
	"dobot/internal/storetest"
)

// viewHandler is a chatview.Handler of function fields; nil ones do
// nothing.
type viewHandler struct {
	submit func(ctx context.Context, s chatview.Submission) chatview.Reply
	closed func(ctx context.Context, c chatview.Closed)
	home   func(ctx context.Context, user string)
	click  func(ctx context.Context, c chatview.Click)
}

var _ chatview.Handler = (*viewHandler)(nil)

func (h *viewHandler) SubmitForm(ctx context.Context, s chatview.Submission) chatview.Reply {
	if h.submit == nil {
		return chatview.Reply{}
	}
	return h.submit(ctx, s)
}

func (h *viewHandler) FormClosed(ctx context.Context, c chatview.Closed) {
	if h.closed != nil {
		h.closed(ctx, c)
	}
}

func (h *viewHandler) HomeOpened(ctx context.Context, user string) {
	if h.home != nil {
		h.home(ctx, user)
	}
}

func (h *viewHandler) HandleViewClick(ctx context.Context, c chatview.Click) {
	if h.click != nil {
		h.click(ctx, c)
	}
}

// syncBuffer is a log sink tests read while the listener writes.
type syncBuffer = botproc.LockedBuffer

// viewWorld is a Listener serving views, connected to a slacktest server.
type viewWorld struct {
	srv     *slacktest.Server
	views   *Views
	h       *viewHandler
	cmds    *countingHandler
	logs    *syncBuffer
	ctx     context.Context
	listen  *Listener
	homeGap time.Duration
}

// startViews starts a listener with h as its view handler; setup runs
// before the listener does.
func startViews(t *testing.T, h *viewHandler, setup func(*viewWorld)) *viewWorld {
	t.Helper()
	srv := slacktest.New(slacktest.Options{BotToken: "xoxb-test-bot", AppToken: "xapp-test-app", Users: map[string]string{"U1": "ana"}})
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	t.Cleanup(cancel)
	db := storetest.Open(t)
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	api := slack.New("xoxb-test-bot", slack.OptionAPIURL(srv.APIURL()), slack.OptionAppLevelToken("xapp-test-app"))
	chat := NewChat(api, nil, log)
	cmds := &countingHandler{commands: map[string]int{}, clicks: map[string]int{}}
	l := NewListener(api, chat, cmds, 4, log)
	l.RememberHandled(db.MarkHandled)
	l.ServeViews(h)
	w := &viewWorld{srv: srv, views: NewViews(chat, log), h: h, cmds: cmds, logs: logs, ctx: ctx, listen: l}
	if setup != nil {
		setup(w)
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(runCtx, context.Background()) }()
	t.Cleanup(func() {
		stop()
		select {
		case <-done:
		case <-time.After(waitFor):
			t.Error("listener did not stop")
		}
		w.views.Wait()
	})
	if err := srv.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	return w
}

// launchForm is a form with every kind of field.
func launchForm() chatview.Form {
	return chatview.Form{
		ID: "launch", Title: "Launch an app", Submit: "Launch", Intro: "Deploy a container image.",
		Metadata: `{"channel":"C1"}`, NotifyOnClose: true,
		Fields: []chatview.Field{
			{ID: "name", Label: "Name", Kind: chatview.Text, Initial: "web", MaxLength: 32},
			{ID: "size", Label: "Size", Kind: chatview.Select, Initial: "apps-s-1vcpu-1gb", Options: []chatview.Option{
				{Value: "apps-s-1vcpu-0.5gb", Label: "1 vCPU, 0.5 GB · $5/month"},
				{Value: "apps-s-1vcpu-1gb", Label: "1 vCPU, 1 GB · $12/month"},
			}},
			{ID: "instances", Label: "Instances", Kind: chatview.Number, Initial: "1"},
			{ID: "env", Label: "Env vars", Kind: chatview.Multiline, Optional: true, Hint: "KEY=value, one a line"},
			{ID: "secrets", Label: "Secret vars", Kind: chatview.Secret, Optional: true, Initial: "never-shown", Hint: "Never shown again"},
		},
	}
}

// openForm opens launchForm from a slash command's trigger, as the core
// does for a bare /do launch, and returns the modal.
func (w *viewWorld) openForm(t *testing.T) slacktest.View {
	t.Helper()
	opened := make(chan error, 1)
	w.cmds.mu.Lock()
	w.cmds.onCommand = func(ctx context.Context, req commands.Request) {
		_, err := w.views.OpenForm(ctx, req.TriggerID, launchForm())
		opened <- err
	}
	w.cmds.mu.Unlock()
	if _, err := w.srv.SlashCommand(slack.SlashCommand{Text: "launch", UserID: "U1", ChannelID: "C1"}); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-opened:
		if err != nil {
			t.Fatalf("OpenForm: %v", err)
		}
	case <-w.ctx.Done():
		t.Fatal("the command never ran")
	}
	v, err := w.srv.WaitModal(w.ctx, "U1", nil)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSlashCommandOpensForm(t *testing.T) {
	w := startViews(t, &viewHandler{}, nil)
	v := w.openForm(t)
	if v.CallbackID != "launch" || v.PrivateMeta != `{"channel":"C1"}` || v.Title != "Launch an app" || v.Submit != "Launch" || !v.NotifyOnClose {
		t.Errorf("modal = %+v; want the launch form with its metadata", v)
	}
	if strings.Contains(string(v.Blocks), "never-shown") {
		t.Errorf("modal blocks carry a secret field's initial value: %s", v.Blocks)
	}
	// The open form can be replaced; a secret's value is never echoed.
	changed := launchForm()
	changed.Title, changed.Fields[4].Initial = "Check the details", "API_TOKEN=echoed"
	if err := w.views.UpdateForm(w.ctx, v.ID, changed); err != nil {
		t.Fatalf("UpdateForm: %v", err)
	}
	if stack := w.srv.ModalStack("U1"); len(stack) != 1 || stack[0].ID != v.ID || stack[0].Title != "Check the details" || strings.Contains(string(stack[0].Blocks), "echoed") {
		t.Errorf("stack after UpdateForm = %+v; want the same view retitled, without the secret", stack)
	}
	if err := w.views.UpdateForm(w.ctx, "V0GONE", changed); err == nil {
		t.Error("UpdateForm of a view that is not open = nil; want Slack's not_found")
	}
	// The trigger was used: a second open from it fails as expired.
	w.cmds.mu.Lock()
	trigger := w.cmds.requests[0].TriggerID
	w.cmds.mu.Unlock()
	if _, err := w.views.OpenForm(w.ctx, trigger, launchForm()); !errors.Is(err, chatview.ErrTriggerExpired) {
		t.Errorf("OpenForm with a used trigger = %v; want ErrTriggerExpired", err)
	}
}

func TestFormSubmissionErrorsShowOnFields(t *testing.T) {
	got := make(chan chatview.Submission, 1)
	w := startViews(t, &viewHandler{submit: func(_ context.Context, s chatview.Submission) chatview.Reply {
		got <- chatview.Submission{FormID: s.FormID, FormRef: s.FormRef, UserID: s.UserID, Metadata: s.Metadata,
			Values: map[string]string{"name": s.Values["name"], "size": s.Values["size"], "instances": s.Values["instances"], "env": s.Values["env"]}}
		return chatview.Reply{Errors: map[string]string{"name": "web is taken; pick another name", "region": "no such region"}}
	}}, nil)
	v := w.openForm(t)
	id, err := w.srv.SubmitView("U1", map[string]string{"name": "web", "instances": "3"})
	if err != nil {
		t.Fatal(err)
	}
	ans, err := w.srv.WaitViewAnswer(w.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	sub := <-got
	want := map[string]string{"name": "web", "size": "apps-s-1vcpu-1gb", "instances": "3", "env": ""}
	if sub.FormID != "launch" || sub.FormRef != v.ID || sub.UserID != "U1" || sub.Metadata != `{"channel":"C1"}` || !mapsEqual(sub.Values, want) {
		t.Errorf("submission = %+v; want form launch of U1 with values %v", sub, want)
	}
	if ans.Action != "errors" || ans.Errors["name"] != "region: no such region web is taken; pick another name" || len(ans.Problems) > 0 || ans.Late {
		t.Errorf("answer = %+v; want the errors on the name field, the stray one first, in time", ans)
	}
	if stack := w.srv.ModalStack("U1"); len(stack) != 1 || stack[0].Errors["name"] == "" {
		t.Errorf("stack = %+v; want the form still open with its error", stack)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}

func TestFormSubmissionOKForgetsSecrets(t *testing.T) {
	const secret = "s3cr3t-Value-42"
	var kept map[string]string
	var sawSecret bool
	w := startViews(t, &viewHandler{submit: func(_ context.Context, s chatview.Submission) chatview.Reply {
		kept, sawSecret = s.Values, s.Values["secrets"] == "API_TOKEN="+secret
		return chatview.Reply{}
	}}, nil)
	w.openForm(t)
	id, err := w.srv.SubmitView("U1", map[string]string{"name": "api", "instances": "2", "size": "apps-s-1vcpu-0.5gb", "secrets": "API_TOKEN=" + secret})
	if err != nil {
		t.Fatal(err)
	}
	ans, err := w.srv.WaitViewAnswer(w.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if ans.Action != "" || len(ans.Problems) > 0 || len(w.srv.ModalStack("U1")) != 0 {
		t.Errorf("answer = %+v, stack %+v; want the form closed", ans, w.srv.ModalStack("U1"))
	}
	if !sawSecret {
		t.Error("the handler did not get the secret field's value")
	}
	if !w.listen.Drain(waitFor) { // orders the handler's end before the reads below
		t.Fatal("the form handler never finished")
	}
	if len(kept) != 0 {
		t.Errorf("submission values after the handler returned = %v; want cleared", kept)
	}
	if strings.Contains(w.logs.String(), secret) {
		t.Error("the secret value appears in the logs")
	}
	for _, c := range w.srv.Calls() {
		if strings.Contains(string(c.Body), secret) || strings.Contains(c.Form.Encode(), secret) {
			t.Errorf("the secret value was sent back to Slack in %s", c.Method)
		}
	}
}

func TestSlowSubmissionSaysStillWorking(t *testing.T) {
	release := make(chan struct{})
	returned := make(chan map[string]string, 1)
	w := startViews(t, &viewHandler{submit: func(ctx context.Context, s chatview.Submission) chatview.Reply {
		<-release
		returned <- s.Values
		return chatview.Reply{Errors: map[string]string{"name": "too late to be shown"}}
	}}, func(w *viewWorld) { w.listen.views.budget = 50 * time.Millisecond })
	w.openForm(t)
	id, err := w.srv.SubmitView("U1", map[string]string{"name": "web", "instances": "1"})
	if err != nil {
		t.Fatal(err)
	}
	ans, err := w.srv.WaitViewAnswer(w.ctx, id)
	close(release)
	if err != nil {
		t.Fatal(err)
	}
	if stack := w.srv.ModalStack("U1"); ans.Action != "update" || len(stack) != 1 || stack[0].Title != slowTitle {
		t.Errorf("answer = %+v, stack %+v; want the form replaced by the %q notice", ans, stack, slowTitle)
	}
	vals := <-returned
	if !w.listen.Drain(waitFor) { // waits for the handler, so its map is done with
		t.Fatal("the slow handler never finished")
	}
	if len(vals) != 0 {
		t.Errorf("values after the slow handler returned = %v; want cleared", vals)
	}
}

func TestHomeTabPublishedWhenOpened(t *testing.T) {
	var w *viewWorld
	w = startViews(t, &viewHandler{home: func(ctx context.Context, user string) {
		w.views.PublishHome(ctx, user, chatview.Home{Sections: []chatview.Section{{Title: "Your apps", Lines: []chatview.Line{{Text: "*web* · live"}}}}})
	}}, nil)
	if _, err := w.srv.OpenHome("U1"); err != nil {
		t.Fatal(err)
	}
	v, err := w.srv.WaitHome(w.ctx, "U1", func(v slacktest.View) bool { return strings.Contains(string(v.Blocks), "*web* · live") })
	if err != nil {
		t.Fatal(err)
	}
	if v.Type != "home" || !strings.Contains(string(v.Blocks), "Your apps") {
		t.Errorf("Home = %+v; want the published Home tab", v)
	}
}

func TestHomePublishesCoalesce(t *testing.T) {
	w := startViews(t, &viewHandler{}, func(w *viewWorld) { w.views.interval = 300 * time.Millisecond })
	home := func(n int) chatview.Home {
		return chatview.Home{Sections: []chatview.Section{{Title: "Version", Lines: []chatview.Line{{Text: "version " + string(rune('0'+n))}}}}}
	}
	// The first publish is held in flight while four more come.
	release := w.srv.Hold(func(method string, form url.Values) bool {
		return method == "views.publish" && strings.Contains(form.Get("view"), "version 1")
	})
	w.views.PublishHome(w.ctx, "U1", home(1))
	if _, err := w.srv.WaitHome(w.ctx, "U1", func(v slacktest.View) bool { return strings.Contains(string(v.Blocks), "version 1") }); err != nil {
		t.Fatal(err)
	}
	for n := 2; n <= 5; n++ {
		w.views.PublishHome(w.ctx, "U1", home(n))
	}
	w.views.PublishHome(w.ctx, "U2", home(9)) // another person's is not held back
	if _, err := w.srv.WaitHome(w.ctx, "U2", func(slacktest.View) bool { return true }); err != nil {
		t.Fatal(err)
	}
	release()
	if _, err := w.srv.WaitHome(w.ctx, "U1", func(v slacktest.View) bool { return strings.Contains(string(v.Blocks), "version 5") }); err != nil {
		t.Fatal(err)
	}
	w.views.Wait()
	var pubs []slacktest.Call
	others := 0
	for _, c := range w.srv.Calls() {
		switch {
		case c.Method == "views.publish" && c.Form.Get("user_id") == "U1":
			pubs = append(pubs, c)
		case c.Method == "views.publish":
			others++
		}
	}
	if len(pubs) != 2 || others != 1 {
		t.Fatalf("%d publishes for U1 and %d for others; want 2 (the first and the latest) and 1", len(pubs), others)
	}
	if !strings.Contains(pubs[0].Form.Get("view"), "version 1") || !strings.Contains(pubs[1].Form.Get("view"), "version 5") {
		t.Errorf("published %q then %q; want version 1 then version 5", pubs[0].Form.Get("view"), pubs[1].Form.Get("view"))
	}
	if gap := pubs[1].At.Sub(pubs[0].At); gap < 300*time.Millisecond {
		t.Errorf("publishes %v apart; want at least the interval", gap)
	}
}

func TestHomeButtonOpensForm(t *testing.T) {
	clicks := make(chan chatview.Click, 1)
	var w *viewWorld
	w = startViews(t, &viewHandler{click: func(ctx context.Context, c chatview.Click) {
		if _, err := w.views.OpenForm(ctx, c.TriggerID, launchForm()); err != nil {
			t.Errorf("OpenForm from a Home button: %v", err)
		}
		clicks <- c
	}}, nil)
	w.views.PublishHome(w.ctx, "U1", chatview.Home{Sections: []chatview.Section{{Title: "Apps",
		Buttons: []chatview.Button{{ActionID: "launch.form", Label: "Launch an app", Style: "primary"}}}}})
	home, err := w.srv.WaitHome(w.ctx, "U1", func(slacktest.View) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.ClickViewButton("U1", home.ID, "launch.form", ""); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-clicks:
		if c.UserID != "U1" || c.ActionID != "launch.form" || c.FormID != "" || c.TriggerID == "" {
			t.Errorf("click = %+v; want U1's launch.form on the Home tab with a trigger", c)
		}
	case <-w.ctx.Done():
		t.Fatal("the click never reached the view handler")
	}
	if _, err := w.srv.WaitModal(w.ctx, "U1", func(v slacktest.View) bool { return v.CallbackID == "launch" }); err != nil {
		t.Fatal(err)
	}
	w.cmds.mu.Lock()
	defer w.cmds.mu.Unlock()
	if len(w.cmds.clicks) != 0 {
		t.Errorf("message click handler got %v; want view clicks kept apart", w.cmds.clicks)
	}
}

func TestFormClosedIsTold(t *testing.T) {
	closed := make(chan chatview.Closed, 1)
	w := startViews(t, &viewHandler{closed: func(_ context.Context, c chatview.Closed) { closed <- c }}, nil)
	w.openForm(t)
	if _, err := w.srv.CloseView("U1"); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-closed:
		if c.FormID != "launch" || c.UserID != "U1" || c.Metadata != `{"channel":"C1"}` {
			t.Errorf("closed = %+v; want U1's launch form with its metadata", c)
		}
	case <-w.ctx.Done():
		t.Fatal("FormClosed was never called")
	}
}

func TestSubmissionWhileDrainingKeepsFormOpen(t *testing.T) {
	called := make(chan struct{}, 1)
	w := startViews(t, &viewHandler{submit: func(context.Context, chatview.Submission) chatview.Reply {
		called <- struct{}{}
		return chatview.Reply{}
	}}, nil)
	w.openForm(t)
	if !w.listen.Drain(waitFor) {
		t.Fatal("drain did not finish")
	}
	id, err := w.srv.SubmitView("U1", map[string]string{"name": "web", "instances": "1"})
	if err != nil {
		t.Fatal(err)
	}
	ans, err := w.srv.WaitViewAnswer(w.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if ans.Action != "errors" || ans.Errors["name"] != submitRestarting || len(w.srv.ModalStack("U1")) != 1 {
		t.Errorf("answer = %+v; want the form kept open with %q on its first field", ans, submitRestarting)
	}
	select {
	case <-called:
		t.Error("the form handler ran while draining")
	default:
	}
}

func TestMessageButtonOpensReasonForm(t *testing.T) {
	w := startViews(t, &viewHandler{}, nil)
	reason := chatview.Form{ID: "teardown.reason", Title: "Tear down web", Submit: "Tear down", Metadata: "op:12",
		Fields: []chatview.Field{{ID: "reason", Label: "Why?", Kind: chatview.Multiline}}}
	opened := make(chan error, 1)
	w.cmds.mu.Lock()
	w.cmds.onClick = func(ctx context.Context, c commands.Click) {
		_, err := w.views.OpenForm(ctx, c.TriggerID, reason)
		opened <- err
	}
	w.cmds.mu.Unlock()
	api := slack.New("xoxb-test-bot", slack.OptionAPIURL(w.srv.APIURL()))
	_, ts, err := api.PostMessageContext(w.ctx, "C1", slack.MsgOptionText("teardown?", false), slack.MsgOptionBlocks(
		slack.NewActionBlock("acts", slack.NewButtonBlockElement("teardown", "web", plain("Tear down", maxButtonText)))))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.ClickButton("U1", "C1", ts, "teardown", ""); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-opened:
		if err != nil {
			t.Fatalf("OpenForm from a message button's trigger: %v", err)
		}
	case <-w.ctx.Done():
		t.Fatal("the click never reached the handler")
	}
	if v, err := w.srv.WaitModal(w.ctx, "U1", nil); err != nil || v.CallbackID != "teardown.reason" || v.PrivateMeta != "op:12" {
		t.Errorf("modal = %+v, %v; want the reason form", v, err)
	}
}

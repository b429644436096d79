package console

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"dobot"
	"dobot/chatview"
)

// The console's forms and home page: a form is asked field by field, one
// typed line an answer; a home page prints like a message, its buttons
// numbered with the others.

var _ chatview.Views = (*Console)(nil)

// openForm is the form being answered, at most one at a time.
type openForm struct {
	ref    string
	form   chatview.Form
	values map[string]string
	ask    []int // indexes of the fields still to ask, in order
	user   string
}

// formTrigger is the trigger every console request and click carries: the
// console opens forms at once, so a trigger never expires.
const formTrigger = "console-trigger"

// OpenForm shows f and starts asking its fields.
func (c *Console) OpenForm(_ context.Context, triggerID string, f chatview.Form) (string, error) {
	if triggerID == "" {
		return "", chatview.ErrTriggerExpired
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refs++
	ref := fmt.Sprintf("form-%d", c.refs)
	c.startFormLocked(ref, f)
	return ref, nil
}

// UpdateForm replaces the form being answered.
func (c *Console) UpdateForm(_ context.Context, formRef string, f chatview.Form) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.form == nil || c.form.ref != formRef {
		return fmt.Errorf("form %s is not open", formRef)
	}
	c.startFormLocked(formRef, f)
	return nil
}

// startFormLocked shows f and asks its first field. c.mu is held.
func (c *Console) startFormLocked(ref string, f chatview.Form) {
	of := &openForm{ref: ref, form: f, values: map[string]string{}, user: c.user}
	for i, fld := range f.Fields {
		of.ask = append(of.ask, i)
		if fld.Kind != chatview.Secret {
			of.values[fld.ID] = fld.Initial
		}
	}
	c.form = of
	lines := []string{"[form] " + plain(f.Title)}
	if f.Intro != "" {
		lines = append(lines, splitLines(plain(f.Intro))...)
	}
	lines = append(lines, "Answer each question on one line: an empty line keeps the value in (brackets), - clears it, /cancel closes the form.")
	c.print(block("", "  ", lines))
	c.askLocked()
}

// askLocked prints the question of the next field. c.mu is held.
func (c *Console) askLocked() {
	f := c.form.form.Fields[c.form.ask[0]]
	q := plain(f.Label)
	if f.Optional {
		q += " (optional)"
	}
	if v := c.form.values[f.ID]; v != "" {
		q += " [" + v + "]"
	}
	lines := []string{"? " + q}
	if f.Hint != "" {
		lines = append(lines, "  "+plain(f.Hint))
	}
	for i, o := range f.Options {
		lines = append(lines, fmt.Sprintf("  %d) %s", i+1, plain(o.Label)))
	}
	switch f.Kind {
	case chatview.Secret:
		lines = append(lines, "  (what you type is not shown again)")
	case chatview.Multiline:
		lines = append(lines, "  (several lines: separate them with \"; \")")
	}
	c.print(block("", "", lines))
}

// formLine takes line as the answer to the open form's current field and
// reports whether a form was open. After the last field the form is
// submitted to bot; fields it finds wrong are asked again.
func (c *Console) formLine(ctx context.Context, bot Bot, line string) bool {
	c.mu.Lock()
	of := c.form
	if of == nil {
		c.mu.Unlock()
		return false
	}
	f := of.form.Fields[of.ask[0]]
	shown := line
	if f.Kind == chatview.Secret && strings.TrimSpace(line) != "" {
		shown = dobot.Masked
	}
	c.promptShown = false
	if !c.opts.Interactive {
		_, _ = io.WriteString(c.out, c.prompt()+shown+"\n")
	}
	if strings.TrimSpace(line) == "/cancel" {
		c.form = nil
		c.print(block("(console) ", "", []string{"form closed; nothing was submitted"}))
		c.mu.Unlock()
		return true
	}
	if problem := answer(of, f, strings.TrimSpace(line)); problem != "" {
		c.print(block("  ! ", "    ", []string{problem}))
		c.askLocked()
		c.mu.Unlock()
		return true
	}
	of.ask = of.ask[1:]
	if len(of.ask) > 0 {
		c.askLocked()
		c.mu.Unlock()
		return true
	}
	c.form = nil
	c.mu.Unlock()
	c.submit(ctx, bot, of)
	return true
}

// answer records one answer to f, or says why it cannot be one.
func answer(of *openForm, f chatview.Field, a string) string {
	switch {
	case a == "":
		if !f.Optional && of.values[f.ID] == "" {
			return plain(f.Label) + " is required."
		}
		return ""
	case a == "-":
		if !f.Optional {
			return plain(f.Label) + " is required."
		}
		of.values[f.ID] = ""
		return ""
	}
	switch f.Kind {
	case chatview.Number:
		if _, err := strconv.Atoi(a); err != nil {
			return "type a whole number"
		}
	case chatview.Select:
		for i, o := range f.Options {
			if a == o.Value || a == strconv.Itoa(i+1) {
				of.values[f.ID] = o.Value
				return ""
			}
		}
		return "type one of the numbers above, or its value"
	case chatview.Multiline:
		// One line at a time: "; " separates lines.
		a = strings.Join(strings.Split(a, "; "), "\n")
	}
	of.values[f.ID] = a
	return ""
}

// submit hands the answered form to the bot and shows its answer.
func (c *Console) submit(ctx context.Context, bot Bot, of *openForm) {
	h, ok := bot.(chatview.Handler)
	if !ok {
		c.say("this bot takes no forms")
		return
	}
	values := maps.Clone(of.values)
	c.ops.mu.Lock()
	before := c.ops.commands
	c.ops.mu.Unlock()
	r := h.SubmitForm(ctx, chatview.Submission{FormID: of.form.ID, FormRef: of.ref, UserID: of.user, UserName: of.user,
		Values: values, Metadata: of.form.Metadata, TriggerID: formTrigger})
	clear(values)
	var hadSecret []int
	for i, f := range of.form.Fields {
		if f.Kind == chatview.Secret && of.values[f.ID] != "" {
			hadSecret = append(hadSecret, i)
		}
		if f.Kind == chatview.Secret {
			delete(of.values, f.ID) // a secret is not kept: it is asked again if needed
		}
	}
	if len(r.Errors) == 0 && r.Update == nil && r.Push == nil {
		c.say("form submitted")
		c.waitCommand(ctx, before)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case len(r.Errors) > 0:
		var lines []string
		for i, f := range of.form.Fields {
			if msg, bad := r.Errors[f.ID]; bad {
				lines = append(lines, plain(f.Label)+": "+plain(msg))
				of.ask = append(of.ask, i)
			} else if slices.Contains(hadSecret, i) {
				of.ask = append(of.ask, i)
			}
		}
		if msg, ok := r.Errors[""]; ok {
			lines = append(lines, plain(msg))
		}
		if len(of.ask) == 0 {
			of.ask = append(of.ask, 0)
		}
		c.print(block("  ! ", "    ", lines))
		c.form = of
		c.askLocked()
	default:
		next := r.Update
		if next == nil {
			next = r.Push
		}
		c.startFormLocked(of.ref, *next)
	}
}

// submittedWait bounds how long the console waits for a submitted form's
// command to finish its synchronous part, as a typed /do would have.
const submittedWait = time.Minute

// waitCommand waits until a command finishes after the first before did,
// so that a script's next line sees the submitted form's work started.
func (c *Console) waitCommand(ctx context.Context, before int) {
	limit := time.NewTimer(submittedWait)
	defer limit.Stop()
	for {
		c.ops.mu.Lock()
		done, changed := c.ops.commands > before, c.ops.changed
		c.ops.mu.Unlock()
		if done {
			return
		}
		select {
		case <-changed:
		case <-limit.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// PublishHome prints h as the person's home page, its buttons numbered,
// when /home asked for it. The bot republishes home pages as things
// change; a terminal shows them only on demand, so later ones are dropped
// (the next /home builds a fresh one).
func (c *Console) PublishHome(_ context.Context, userID string, h chatview.Home) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.homeAsked[userID] {
		return
	}
	delete(c.homeAsked, userID)
	lines := []string{"[home of " + userID + "]"}
	for _, s := range h.Sections {
		lines = append(lines, "== "+plain(s.Title))
		if s.Text != "" {
			lines = append(lines, splitLines(plain(s.Text))...)
		}
		for _, l := range s.Lines {
			lines = append(lines, "• "+plain(l.Text)+c.homeButtons(l.Buttons))
		}
		if len(s.Buttons) > 0 {
			lines = append(lines, strings.TrimSpace(c.homeButtons(s.Buttons)))
		}
	}
	c.print(block("", "  ", lines))
}

// homeButtons numbers a home page's buttons. c.mu is held.
func (c *Console) homeButtons(buttons []chatview.Button) string {
	if len(buttons) == 0 {
		return ""
	}
	nums := c.number("", "", buttons)
	parts := make([]string, len(buttons))
	for i, b := range buttons {
		ch := c.choices[nums[i]]
		ch.home = true
		c.choices[nums[i]] = ch
		parts[i] = fmt.Sprintf("[%d] %s", nums[i], b.Label)
	}
	return "   " + strings.Join(parts, "  ")
}

// home shows the current user's home page, as opening Slack's Home tab
// does.
func (c *Console) home(ctx context.Context, bot Bot) {
	h, ok := bot.(chatview.Handler)
	if !ok {
		c.say("this bot has no home page")
		return
	}
	_, user := c.nextRef()
	c.mu.Lock()
	if c.homeAsked == nil {
		c.homeAsked = map[string]bool{}
	}
	c.homeAsked[user] = true
	c.mu.Unlock()
	h.HomeOpened(ctx, user)
}

// viewClick presses a home page's button.
func (c *Console) viewClick(ctx context.Context, bot Bot, ch choice) {
	h, ok := bot.(chatview.Handler)
	if !ok {
		return
	}
	_, user := c.nextRef()
	h.HandleViewClick(ctx, chatview.Click{UserID: user, UserName: user, ActionID: ch.button.ActionID, Value: ch.button.Value, TriggerID: formTrigger})
}

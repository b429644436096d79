package slackbot

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"dobot/chat"
	"dobot/chatview"
)

// Slack's limits on a view, in characters. Sources: Slack's view reference
// (docs.slack.dev/reference/views/modal-views and home-tab-views: title,
// submit and close at most 24; at most 100 blocks; private_metadata at
// most 3,000; callback_id at most 255) and the Block Kit reference (input
// block: label and hint at most 2,000; plain_text_input: max_length at
// most 3,000, placeholder at most 150; static_select: at most 100 options,
// an option's text at most 75 and value at most 150).
const (
	maxViewTitle     = 24
	maxViewBlocks    = 100
	maxMetadata      = 3000
	maxCallbackID    = 255
	maxInputLabel    = 2000
	maxInputHint     = 2000
	maxPlaceholder   = 150
	maxInputLength   = 3000
	maxSelectOptions = 100
	maxOptionText    = 75
	maxOptionValue   = 150
	maxBlockID       = 255
)

// ErrBadForm wraps what makes a form impossible to show without changing
// its meaning: a field without an id, two fields with one id, too many
// options, too long a value or metadata. It is the core's mistake.
var ErrBadForm = errors.New("form cannot be shown in Slack")

// plain is a plain_text object of at most n characters, shown as it is:
// no emoji codes, no markup; the core's tokens become plain text
// ("@U123", "label (url)").
func plain(s string, n int) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, clipShort(chat.Plain(s), n), false, false)
}

// FormView renders a form as a Slack modal within Slack's limits. Each
// field is an input block whose block_id and action_id are the field's ID,
// so a submission's values and a Reply's errors name fields directly.
// Texts are clipped to fit; what cannot be clipped without changing
// meaning is an error wrapping ErrBadForm. A Secret field never carries an
// initial value.
func FormView(f chatview.Form) (slack.ModalViewRequest, error) {
	if f.ID == "" || utf8.RuneCountInString(f.ID) > maxCallbackID {
		return slack.ModalViewRequest{}, fmt.Errorf("%w: form id %q must have 1 to %d characters", ErrBadForm, f.ID, maxCallbackID)
	}
	if utf8.RuneCountInString(f.Metadata) > maxMetadata {
		return slack.ModalViewRequest{}, fmt.Errorf("%w: metadata of form %s is over %d characters", ErrBadForm, f.ID, maxMetadata)
	}
	title := strings.TrimSpace(f.Title)
	if title == "" {
		title = f.ID
	}
	submit := strings.TrimSpace(f.Submit)
	if submit == "" {
		submit = "Submit"
	}
	view := slack.ModalViewRequest{
		Type: slack.VTModal, Title: plain(title, maxViewTitle), Close: plain("Cancel", maxViewTitle),
		CallbackID: f.ID, PrivateMetadata: f.Metadata, NotifyOnClose: f.NotifyOnClose,
	}
	blocks := sections(slackText(f.Intro))
	if len(blocks)+len(f.Fields) > maxViewBlocks {
		return slack.ModalViewRequest{}, fmt.Errorf("%w: form %s has more than %d fields and intro blocks", ErrBadForm, f.ID, maxViewBlocks)
	}
	seen := map[string]bool{}
	for _, field := range f.Fields {
		if field.ID == "" || utf8.RuneCountInString(field.ID) > maxBlockID || seen[field.ID] {
			return slack.ModalViewRequest{}, fmt.Errorf("%w: field id %q of form %s is empty, too long or used twice", ErrBadForm, field.ID, f.ID)
		}
		seen[field.ID] = true
		block, err := inputBlock(field)
		if err != nil {
			return slack.ModalViewRequest{}, fmt.Errorf("%w: field %s of form %s: %v", ErrBadForm, field.ID, f.ID, err)
		}
		blocks = append(blocks, block)
	}
	if len(f.Fields) > 0 {
		view.Submit = plain(submit, maxViewTitle)
	}
	view.Blocks = slack.Blocks{BlockSet: blocks}
	return view, nil
}

// inputBlock renders one field.
func inputBlock(f chatview.Field) (*slack.InputBlock, error) {
	label := strings.TrimSpace(f.Label)
	if label == "" {
		label = f.ID
	}
	var placeholder *slack.TextBlockObject
	if p := strings.TrimSpace(f.Placeholder); p != "" {
		placeholder = plain(p, maxPlaceholder)
	}
	var el slack.BlockElement
	switch f.Kind {
	case chatview.Text, chatview.Multiline, chatview.Secret, "":
		in := slack.NewPlainTextInputBlockElement(placeholder, f.ID)
		in.Multiline = f.Kind == chatview.Multiline
		in.MaxLength = maxInputLength
		if f.MaxLength > 0 && f.MaxLength < maxInputLength {
			in.MaxLength = f.MaxLength
		}
		if f.Kind != chatview.Secret {
			in.InitialValue = string([]rune(f.Initial)[:min(utf8.RuneCountInString(f.Initial), in.MaxLength)])
		}
		el = in
	case chatview.Number:
		in := slack.NewNumberInputBlockElement(placeholder, f.ID, false)
		if _, err := strconv.Atoi(f.Initial); err == nil {
			in.InitialValue = f.Initial
		}
		el = in
	case chatview.Select:
		sel, err := selectElement(f, placeholder)
		if err != nil {
			return nil, err
		}
		el = sel
	default:
		return nil, fmt.Errorf("unknown kind %q", f.Kind)
	}
	var hint *slack.TextBlockObject
	if h := strings.TrimSpace(f.Hint); h != "" {
		hint = plain(h, maxInputHint)
	}
	block := slack.NewInputBlock(f.ID, plain(label, maxInputLabel), hint, el)
	block.Optional = f.Optional
	return block, nil
}

// selectElement renders a Select field's options; cutting options or
// values would change the choice, so too many or too long is an error.
func selectElement(f chatview.Field, placeholder *slack.TextBlockObject) (*slack.SelectBlockElement, error) {
	if len(f.Options) == 0 || len(f.Options) > maxSelectOptions {
		return nil, fmt.Errorf("a select needs 1 to %d options, not %d", maxSelectOptions, len(f.Options))
	}
	opts := make([]*slack.OptionBlockObject, 0, len(f.Options))
	var initial *slack.OptionBlockObject
	values := map[string]bool{}
	for _, o := range f.Options {
		if o.Value == "" || utf8.RuneCountInString(o.Value) > maxOptionValue || values[o.Value] {
			return nil, fmt.Errorf("option value %q is empty, over %d characters or used twice", o.Value, maxOptionValue)
		}
		values[o.Value] = true
		label := strings.TrimSpace(o.Label)
		if label == "" {
			label = o.Value
		}
		opt := slack.NewOptionBlockObject(o.Value, plain(label, maxOptionText), nil)
		opts = append(opts, opt)
		if o.Value == f.Initial {
			initial = opt
		}
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, placeholder, f.ID, opts...)
	sel.InitialOption = initial
	return sel, nil
}

// HomeView renders a person's home page as a Slack Home tab within
// Slack's limits: each section a header, its text, one section block per
// line (one button as its accessory, more in an actions block under it)
// and its buttons; a divider between sections. Past 100 blocks, whole lines
// are left out and a last line says how many.
func HomeView(h chatview.Home) slack.HomeTabViewRequest {
	var units [][]slack.Block // each kept or dropped whole
	for i, s := range h.Sections {
		id := "s" + strconv.Itoa(i)
		var head []slack.Block
		if i > 0 {
			head = append(head, slack.NewDividerBlock())
		}
		if t := strings.TrimSpace(chat.Plain(s.Title)); t != "" {
			head = append(head, slack.NewHeaderBlock(plain(t, maxHeaderText), slack.HeaderBlockOptionBlockID(id)))
		}
		head = append(head, sections(slackText(s.Text))...)
		if len(head) > 0 {
			units = append(units, head)
		}
		for j, line := range s.Lines {
			units = append(units, lineBlocks(fmt.Sprintf("%s.%d", id, j), line))
		}
		if acts := viewButtons(id+".b", s.Buttons); len(acts) > 0 {
			units = append(units, acts)
		}
	}
	var blocks []slack.Block
	for i, u := range units {
		if len(blocks)+len(u) > maxViewBlocks-1 && i < len(units)-1 || len(blocks)+len(u) > maxViewBlocks {
			blocks = append(blocks, slack.NewContextBlock("more", mrkdwn(fmt.Sprintf("_… %d more not shown here_", len(units)-i))))
			break
		}
		blocks = append(blocks, u...)
	}
	if len(blocks) == 0 {
		blocks = append(blocks, slack.NewContextBlock("empty", mrkdwn("_Nothing to show yet._")))
	}
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}

// lineBlocks renders one line and its buttons.
func lineBlocks(id string, l chatview.Line) []slack.Block {
	text := slackText(l.Text)
	if strings.TrimSpace(text) == "" {
		text = "—" // Slack refuses empty text
	}
	text = clip(text, maxSectionText)
	if btns := validButtons(l.Buttons); len(btns) == 1 {
		return []slack.Block{slack.NewSectionBlock(mrkdwn(text), nil, slack.NewAccessory(btns[0]), slack.SectionBlockOptionBlockID(id))}
	}
	return append([]slack.Block{slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID(id))}, viewButtons(id+".b", l.Buttons)...)
}

// viewButtons renders buttons in actions blocks of at most 25.
func viewButtons(id string, buttons []chatview.Button) []slack.Block {
	btns := validButtons(buttons)
	var out []slack.Block
	for i := 0; i < len(btns); i += maxActionElems {
		elems := make([]slack.BlockElement, 0, maxActionElems)
		for _, b := range btns[i:min(i+maxActionElems, len(btns))] {
			elems = append(elems, b)
		}
		bid := id
		if i > 0 {
			bid += "." + strconv.Itoa(i/maxActionElems)
		}
		out = append(out, slack.NewActionBlock(bid, elems...))
	}
	return out
}

// validButtons renders the buttons Slack would take. One whose action_id
// or value is over Slack's limit, or whose action_id repeats, is left
// out: cutting it would make the click act on something else.
func validButtons(buttons []chatview.Button) []*slack.ButtonBlockElement {
	var out []*slack.ButtonBlockElement
	seen := map[string]bool{}
	for _, b := range buttons {
		if b.ActionID == "" || seen[b.ActionID] || utf8.RuneCountInString(b.ActionID) > maxActionID || utf8.RuneCountInString(b.Value) > maxButtonValue {
			continue
		}
		seen[b.ActionID] = true
		label := strings.TrimSpace(b.Label)
		if label == "" {
			label = b.ActionID
		}
		btn := slack.NewButtonBlockElement(b.ActionID, b.Value, plain(label, maxButtonText))
		if b.Style == "primary" || b.Style == "danger" {
			btn.Style = slack.Style(b.Style)
		}
		out = append(out, btn)
	}
	return out
}

// noticeView is a modal that only says text, for answers the core did not
// give in time.
func noticeView(title, text string) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type: slack.VTModal, Title: plain(title, maxViewTitle), Close: plain("Close", maxViewTitle),
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(mrkdwn(text), nil, nil)}},
	}
}

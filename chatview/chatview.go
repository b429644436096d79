// Package chatview describes forms (a chat service's modals) and each
// person's home page (Slack's Home tab) in terms the core can build without
// knowing the chat service: fields with a kind, options with labels, lines
// with buttons. Each adapter renders them its own way; slackbot turns them
// into Block Kit. Texts are the core's neutral text of package chat:
// mentions and links are chat.Mention and chat.Link tokens, never a chat
// service's markup.
package chatview

import (
	"context"
	"errors"

	"dobot/chat"
)

// Kind is how a field is asked for.
type Kind string

// The kinds of field.
const (
	// Text is one line of text.
	Text Kind = "text"
	// Multiline is free text over several lines, e.g. env vars.
	Multiline Kind = "multiline"
	// Number is a whole number.
	Number Kind = "number"
	// Select is one choice among Options.
	Select Kind = "select"
	// Secret is a text never shown back: a form never carries its initial
	// value, and its submitted value must not be logged, echoed or kept
	// after Handler.SubmitForm returns.
	Secret Kind = "secret"
)

// Option is one choice of a Select field.
type Option struct {
	Value string // what the submission carries; at most 150 characters
	Label string // what the person sees, e.g. "1 vCPU, 1 GB · $12/month"
}

// Field is one question of a form. Its ID names it in Submission.Values
// and in Reply.Errors.
type Field struct {
	ID          string
	Label       string
	Kind        Kind
	Options     []Option // for Select; at most 100
	Initial     string   // prefilled value (an Option's Value for Select); ignored for Secret
	Optional    bool     // may be left empty
	Hint        string   // plain text under the field
	Placeholder string   // plain text shown while empty
	MaxLength   int      // for Text, Multiline and Secret; 0 means the chat service's limit
}

// Form is a modal form. Labels, hints, options and errors are shown as
// plain text (a token becomes "@U123" or "label (url)"); Intro is shown
// like a message's body.
type Form struct {
	// ID says which form this is; it comes back as Submission.FormID.
	ID     string
	Title  string // short: Slack shows at most 24 characters
	Submit string // the submit button's label; default "Submit"
	Intro  string // text above the fields
	Fields []Field
	// Metadata comes back with the submission (at most 3,000 characters),
	// e.g. the channel the form was opened from. Never a secret.
	Metadata string
	// NotifyOnClose asks for Handler.FormClosed when the person closes
	// the form without submitting it.
	NotifyOnClose bool
}

// Submission is a submitted form.
type Submission struct {
	FormID   string
	FormRef  string // the open form, for Views.UpdateForm
	UserID   string
	UserName string
	// Values holds each field's value by field ID: the text typed, the
	// chosen option's Value, or "" for an empty optional field. The
	// adapter clears it when SubmitForm returns: copy (and seal) what
	// must outlive the call.
	Values   map[string]string
	Metadata string
	// TriggerID lets the core open a follow-up form (once, within 3
	// seconds).
	TriggerID string
}

// Reply is the core's answer to a submission. The zero Reply closes the
// form.
type Reply struct {
	// Errors keeps the form open and shows each message under its field,
	// by field ID.
	Errors map[string]string
	// Update replaces the form with another; Push stacks another on top.
	Update, Push *Form
	// CloseAll closes every form the person has open.
	CloseAll bool
}

// Closed says a person closed a form without submitting it.
type Closed struct {
	FormID, UserID, Metadata string
}

// Click is a press of a button on a person's home page or in a form.
type Click struct {
	UserID, UserName string
	ActionID, Value  string
	// FormID is the form the button is on, "" for the home page.
	FormID, Metadata string
	// TriggerID lets the core open a form in answer (once, within 3
	// seconds).
	TriggerID string
}

// Home is what one person sees on their home page, top to bottom.
type Home struct {
	Sections []Section
}

// Section is a titled part of a home page, e.g. "Your apps".
type Section struct {
	Title   string
	Text    string   // optional text under the title, like a message's body
	Lines   []Line   // one per item, e.g. one per app
	Buttons []Button // under the lines, e.g. "Launch an app"
}

// Line is one item of a section, with the buttons that act on it.
type Line struct {
	Text    string // like a message's body: tokens, *bold*, `code`
	Buttons []Button
}

// Button is a choice on a home page, the same as on a message: Value
// carries what the click acts on.
type Button = chat.Button

// ErrTriggerExpired means a form could not be opened because its trigger
// was used already or is older than the chat service allows (3 seconds in
// Slack): ask the person to try again.
var ErrTriggerExpired = errors.New("the form can no longer be opened: the click or command that asked for it is too old")

// Handler is what the core implements to serve forms and home pages.
type Handler interface {
	// SubmitForm answers a submission. It must return quickly (within
	// about two seconds): validate, start the work, and return; the
	// adapter answers the chat service with the Reply.
	SubmitForm(ctx context.Context, s Submission) Reply
	// FormClosed is told of a form closed unsubmitted, for forms that
	// asked for it.
	FormClosed(ctx context.Context, c Closed)
	// HomeOpened is told that a person opened their home page; the core
	// answers with Views.PublishHome.
	HomeOpened(ctx context.Context, userID string)
	// HandleViewClick handles a button pressed on a home page or a form.
	HandleViewClick(ctx context.Context, c Click)
}

// Views is what an adapter offers the core.
type Views interface {
	// OpenForm opens f for the person whose command or click gave
	// triggerID, and returns a reference to the open form.
	OpenForm(ctx context.Context, triggerID string, f Form) (formRef string, err error)
	// UpdateForm replaces an open form.
	UpdateForm(ctx context.Context, formRef string, f Form) error
	// PublishHome shows h as userID's home page. Publishes are coalesced
	// per person (the latest wins), so it returns before h is sent.
	PublishHome(ctx context.Context, userID string, h Home)
}

package launchargs

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/chatview"
	"dobot/cmdline"
	"dobot/reply"
	"dobot/secrets"
)

// Requests finds a request by id (the store): a Deny form says what it
// denies.
type Requests interface {
	Operation(ctx context.Context, id int64) (dobot.Operation, error)
}

// WantsForm reports whether text asks for the launch form: `launch` with
// --form anywhere (the rest prefills it; see LaunchFormFor), or a bare
// `launch` when the settings do not name both an app and an image.
func (f *Forms) WantsForm(text string) bool {
	// A pasted spec is not flags: a --form inside it asks for nothing.
	head, _, _ := secrets.CutBlock(text)
	words, err := cmdline.SplitWords(head)
	if err != nil || len(words) == 0 || !strings.EqualFold(words[0], "launch") {
		return false
	}
	bare := len(words) == 1 && (f.cfg.DefaultApp == "" || f.cfg.DefaultImage == "")
	return bare || slices.Contains(words[1:], "--form")
}

// DenyFormFor is DenyForm for request id, saying what it asks for.
func (f *Forms) DenyFormFor(ctx context.Context, id int64, meta Meta) chatview.Form {
	return DenyForm(id, f.requestSummary(ctx, id), meta)
}

// requestSummary is one line on what request id asks for.
func (f *Forms) requestSummary(ctx context.Context, id int64) string {
	if f.d.Requests == nil {
		return fmt.Sprintf("Request #%d.", id)
	}
	op, err := f.d.Requests.Operation(ctx, id)
	if err != nil {
		return fmt.Sprintf("Request #%d.", id)
	}
	return fmt.Sprintf("Request #%d: %s asks to %s %s.", op.ID, chat.Mention(op.Requester), op.Action, reply.Escape(op.App))
}

// Reason is a reason form's submission, read: what the command it runs
// acts on, and the command as a person would type it.
type Reason struct {
	ID     int64    // the request a Deny denies
	Reason string   // the reason given, trimmed
	Words  []string // teardown's words, to parse as typed ones
	Text   string   // the command as typed, for the audit and the operation
}

// ReadDeny reads a Deny form's submission; errs, for the form, says it
// names no request.
func ReadDeny(meta Meta, reason string) (r Reason, errs map[string]string) {
	reason = strings.TrimSpace(reason)
	id, err := strconv.ParseInt(meta.Target, 10, 64)
	if err != nil || id <= 0 {
		return Reason{}, map[string]string{FieldReason: "This form names no request. Nothing was changed."}
	}
	return Reason{ID: id, Reason: reason, Text: CommandText("deny", []string{meta.Target, reason})}, nil
}

// ReadTeardown reads a teardown form's submission: the reason after
// --reason= and the app after --, so that neither can become a flag.
func ReadTeardown(meta Meta, reason string) Reason {
	reason = strings.TrimSpace(reason)
	return Reason{Reason: reason, Words: []string{"--reason=" + reason, "--", meta.Target},
		Text: CommandText("teardown", []string{meta.Target, "--reason", reason})}
}

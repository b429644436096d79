// Package auditlog writes the audit trail: every row goes to the store
// before the step it records acts, and a copy of every change and
// decision goes to the audit channel, when one is set.
package auditlog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"dobot"
	"dobot/auditview"
	"dobot/chat"
)

// Store appends audit rows; store.DB implements it.
type Store interface {
	AppendAudit(ctx context.Context, e dobot.AuditEntry) (dobot.AuditEntry, error)
}

// Poster posts the audit channel's lines.
type Poster interface {
	Post(ctx context.Context, channel string, m chat.Message) (chat.Ref, error)
}

// Deps are what the trail writes to.
type Deps struct {
	Store Store
	Chat  Poster
	// Channel is the audit channel's id, or "" for none.
	Channel string
	// Go runs fn in the background under the bot's lifetime context, so a
	// slow chat never holds up the step that wrote the row.
	Go  func(ref string, fn func(ctx context.Context))
	Log *slog.Logger
}

// Trail is the audit trail. It is safe for concurrent use.
type Trail struct{ d Deps }

// New returns the trail writing to d.
func New(d Deps) *Trail {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Trail{d: d}
}

// Record appends e to the audit trail and, when an audit channel is set,
// mirrors a line for every change and decision there.
func (t *Trail) Record(ctx context.Context, e dobot.AuditEntry) error {
	// The trail is read as text (bot audit export): mentions and links
	// are stored as "@U123" and "label (url)", never as tokens.
	e.Error, e.Details = chat.Plain(e.Error), chat.Plain(e.Details)
	stored, err := t.d.Store.AppendAudit(ctx, e)
	if err != nil {
		return fmt.Errorf("append audit row %s: %w", e.Action, err)
	}
	t.Mirror(stored)
	return nil
}

// Journaler is a Store that can hold a row in a journal until its commit
// (store.DB.JournalAudit).
type Journaler interface {
	JournalAudit(ctx context.Context, e dobot.AuditEntry) error
}

// RecordStarted records a command's "started" row: through the store's
// journal when the command changes nothing (RecordReadOnly), else as
// Record does.
func (t *Trail) RecordStarted(ctx context.Context, e dobot.AuditEntry, readOnly bool) error {
	if readOnly {
		return t.RecordReadOnly(ctx, e)
	}
	return t.Record(ctx, e)
}

// RecordReadOnly records the "started" row of a command that changes
// nothing, as Record does, but through the store's journal when it has
// one: the row is as safe from a crash when it returns, and it commits
// with the next batch. Such a row is never mirrored.
func (t *Trail) RecordReadOnly(ctx context.Context, e dobot.AuditEntry) error {
	j, ok := t.d.Store.(Journaler)
	if !ok || auditview.WorthMirroring(e) {
		return t.Record(ctx, e)
	}
	e.Error, e.Details = chat.Plain(e.Error), chat.Plain(e.Details)
	if err := j.JournalAudit(ctx, e); err != nil {
		return fmt.Errorf("append audit row %s: %w", e.Action, err)
	}
	return nil
}

// Mirror copies a stored audit row to the audit channel, when one is set
// and the row is a change or decision. Rows written by the store together
// with the change they record come here directly.
func (t *Trail) Mirror(stored dobot.AuditEntry) {
	if t.d.Channel != "" && auditview.WorthMirroring(stored) {
		t.d.Go("audit-mirror", func(ctx context.Context) {
			if _, err := t.d.Chat.Post(ctx, t.d.Channel, chat.Message{Text: auditview.ChannelLine(stored)}); err != nil {
				t.d.Log.Warn("mirror audit row", "id", stored.ID, "err", err)
			}
		})
	}
}

// Audit records e, logging a failure to log. Callers that must stop when
// the audit fails use Record.
func (t *Trail) Audit(ctx context.Context, log *slog.Logger, e dobot.AuditEntry) {
	if err := t.Record(ctx, e); err != nil {
		log.Error("append audit", "action", e.Action, "err", err)
	}
}

// First records a command's or click's first audit row, as Audit does,
// and reports whether to go on: false when the store says Slack
// redelivered an envelope that was handled already
// (dobot.ErrAlreadyHandled), which must not be answered twice.
func (t *Trail) First(ctx context.Context, log *slog.Logger, e dobot.AuditEntry) bool {
	err := t.Record(ctx, e)
	if errors.Is(err, dobot.ErrAlreadyHandled) {
		log.Info("skipping an envelope already handled (Slack redelivered it)", "action", e.Action)
		return false
	}
	if err != nil {
		log.Error("append audit", "action", e.Action, "err", err)
	}
	return true
}

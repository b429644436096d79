package requests

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/ops"
	"dobot/reply"
)

// Approvers are reminded once, in the card's thread, before a request
// expires: 15 minutes before, or at half time for a request that waits
// less than 30 minutes. The reminder is recorded before it is posted, as a
// handled key, so that neither a restart nor a second replica sends it
// twice.
const (
	remindBefore     = 15 * time.Minute
	remindHalfUnder  = 30 * time.Minute
	reminderKeyStart = "remind-request:"
)

// ReminderDue is when approvers are reminded of op.
func ReminderDue(op dobot.Operation) time.Time {
	ttl := op.ExpiresAt.Sub(op.CreatedAt)
	if ttl < remindHalfUnder {
		return op.CreatedAt.Add(ttl / 2)
	}
	return op.ExpiresAt.Add(-remindBefore)
}

// ReminderStore is what the reminder reads and records: the requests
// waiting, who may decide them, and the reminders sent.
type ReminderStore interface {
	UnfinishedOperations(ctx context.Context) ([]dobot.Operation, error)
	UsersWithRole(ctx context.Context, role dobot.Role) ([]string, error)
	MarkHandled(ctx context.Context, key string) (bool, error)
}

// Reminder reminds approvers of requests about to expire.
type Reminder struct {
	Store       ReminderStore
	Chat        chat.Chat
	Now         func() time.Time
	Log         *slog.Logger
	ApprovalTTL time.Duration // sets how often requests are checked
}

// Remind reminds the approvers of every request due a reminder and not
// yet reminded.
func (r *Reminder) Remind(ctx context.Context) {
	unfinished, err := r.Store.UnfinishedOperations(ctx)
	if err != nil {
		r.Log.Warn("look for requests to remind", "err", err)
		return
	}
	now := r.Now()
	for _, op := range unfinished {
		if op.State != dobot.OpAwaitingApproval || op.ExpiresAt.IsZero() || op.MessageTS == "" ||
			now.Before(ReminderDue(op)) || !now.Before(op.ExpiresAt) {
			continue
		}
		first, err := r.Store.MarkHandled(ctx, reminderKeyStart+strconv.FormatInt(op.ID, 10))
		if err != nil {
			r.Log.Warn("record reminder", "request", op.ID, "err", err)
			continue
		}
		if !first {
			continue
		}
		r.post(ctx, op)
	}
}

// post posts the reminder of op in its card's thread, naming the
// approvers and admins who may decide it.
func (r *Reminder) post(ctx context.Context, op dobot.Operation) {
	var who []string
	for _, role := range []dobot.Role{dobot.RoleApprover, dobot.RoleAdmin} {
		ids, err := r.Store.UsersWithRole(ctx, role)
		if err != nil {
			r.Log.Warn("list approvers to remind", "request", op.ID, "err", err)
		}
		for _, id := range ids {
			if id != op.Requester {
				who = append(who, chat.Mention(id))
			}
		}
	}
	deciders := "an approver or admin"
	if len(who) > 0 {
		deciders = strings.Join(who, ", ")
	}
	left := op.ExpiresAt.Sub(r.Now()).Round(time.Second)
	text := fmt.Sprintf("%s Reminder: request #%d (%s, asked by %s) expires at %s, in %s. %s, please approve or deny it on the card above, or with `/do approve %d` / `/do deny %d REASON`.",
		chat.IconAlarm, op.ID, reply.Escape(deploy.What(op)), chat.Mention(op.Requester), op.ExpiresAt.UTC().Format(ops.TimeFormat), dobot.FormatDuration(left), deciders, op.ID, op.ID)
	if _, err := r.Chat.Reply(ctx, chat.Ref{Channel: op.Channel, ID: op.MessageTS}, chat.Message{Text: text}); err != nil {
		r.Log.Warn("post approval reminder", "request", op.ID, "err", err)
	}
}

// every is how often requests are checked for reminders: often enough
// for a short approval TTL, never busier than the expiry loop.
func (r *Reminder) every() time.Duration {
	return min(max(r.ApprovalTTL/20, 200*time.Millisecond), 15*time.Second)
}

// Loop checks for reminders until ctx ends.
func (r *Reminder) Loop(ctx context.Context) {
	t := time.NewTicker(r.every())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r.Remind(ctx)
	}
}

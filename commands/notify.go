package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"dobot"
	"dobot/chat"
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

// reminderDue is when approvers are reminded of op.
func reminderDue(op dobot.Operation) time.Time {
	ttl := op.ExpiresAt.Sub(op.CreatedAt)
	if ttl < remindHalfUnder {
		return op.CreatedAt.Add(ttl / 2)
	}
	return op.ExpiresAt.Add(-remindBefore)
}

// remindApprovers reminds the approvers of every request due a reminder
// and not yet reminded.
func (b *Bot) remindApprovers(ctx context.Context) {
	unfinished, err := b.store.UnfinishedOperations(ctx)
	if err != nil {
		b.log.Warn("look for requests to remind", "err", err)
		return
	}
	now := b.now()
	for _, op := range unfinished {
		if op.State != dobot.OpAwaitingApproval || op.ExpiresAt.IsZero() || op.MessageTS == "" ||
			now.Before(reminderDue(op)) || !now.Before(op.ExpiresAt) {
			continue
		}
		first, err := b.store.MarkHandled(ctx, reminderKeyStart+strconv.FormatInt(op.ID, 10))
		if err != nil {
			b.log.Warn("record reminder", "request", op.ID, "err", err)
			continue
		}
		if !first {
			continue
		}
		b.postReminder(ctx, op)
	}
}

// postReminder posts the reminder of op in its card's thread, naming the
// approvers and admins who may decide it.
func (b *Bot) postReminder(ctx context.Context, op dobot.Operation) {
	var who []string
	for _, role := range []dobot.Role{dobot.RoleApprover, dobot.RoleAdmin} {
		ids, err := b.store.UsersWithRole(ctx, role)
		if err != nil {
			b.log.Warn("list approvers to remind", "request", op.ID, "err", err)
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
	left := op.ExpiresAt.Sub(b.now()).Round(time.Second)
	text := fmt.Sprintf("%s Reminder: request #%d (%s, asked by %s) expires at %s, in %s. %s, please approve or deny it on the card above, or with `/do approve %d` / `/do deny %d REASON`.",
		chat.IconAlarm, op.ID, Escape(opWhat(op)), chat.Mention(op.Requester), op.ExpiresAt.UTC().Format(timeFormat), dobot.FormatDuration(left), deciders, op.ID, op.ID)
	if _, err := b.chat.Reply(ctx, chat.Ref{Channel: op.Channel, ID: op.MessageTS}, infoMessage(text)); err != nil {
		b.log.Warn("post approval reminder", "request", op.ID, "err", err)
	}
}

// remindEvery is how often requests are checked for reminders: often
// enough for a short approval TTL, never busier than the expiry loop.
func (b *Bot) remindEvery() time.Duration {
	return min(max(b.cfg.ApprovalTTL/20, 200*time.Millisecond), 15*time.Second)
}

// remindLoop checks for reminders until ctx ends.
func (b *Bot) remindLoop(ctx context.Context) {
	t := time.NewTicker(b.remindEvery())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		b.remindApprovers(ctx)
	}
}

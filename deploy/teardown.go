package deploy

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"dobot"
	"dobot/chat"
	"dobot/docloud"
	"dobot/progress"
)

// TeardownArgs are teardown's parsed arguments.
type TeardownArgs struct {
	Name   string
	Reason string `json:",omitempty"`
	Kind   string `json:",omitempty"` // app or droplet, fixed when planned
	// Image and Region are what the card shows, from the record when
	// planned.
	Image  string `json:",omitempty"`
	Region string `json:",omitempty"`
	// BreakGlass is an admin's reason to tear down despite a lock.
	BreakGlass string `json:",omitempty"`
}

func (a TeardownArgs) Target() string { return a.Name }

func TeardownHead(op dobot.Operation) chat.Message {
	args, _ := decodeArgs[TeardownArgs](op)
	return TeardownCard(op, dobot.App{Name: op.App, ResourceID: op.ResourceID, Kind: args.Kind, Image: args.Image, Region: args.Region}, chat.IconDelete+" Tearing down", "")
}

func RunTeardown(ctx context.Context, b *Executor, op dobot.Operation, rep *progress.Reporter) {
	args, err := decodeArgs[TeardownArgs](op)
	if err != nil {
		b.FailOp(ctx, op, rep, err)
		return
	}
	managed, err := b.store.App(ctx, op.App)
	if errors.Is(err, dobot.ErrNotFound) || (err == nil && managed.ResourceID != op.ResourceID) {
		// Already forgotten (a resumed teardown), or replaced: delete what
		// was planned, by id and of the kind planned.
		managed = dobot.App{Name: op.App, ResourceID: op.ResourceID, Kind: args.Kind}
		if managed.Kind == "" {
			managed.Kind = KindApp
		}
	} else if err != nil {
		b.finish(ctx, &op, dobot.OpFailed, err.Error())
		rep.Final(ctx, errorMessage(describeError(err, fmt.Sprintf("op-%d", op.ID))))
		return
	}
	b.executeTeardown(ctx, op, managed, rep)
}

// executeTeardown deletes the app and reports the result. Deleting an app
// DigitalOcean no longer has counts as done, so a resumed teardown is safe.
func (b *Executor) executeTeardown(ctx context.Context, op dobot.Operation, managed dobot.App, rep *progress.Reporter) {
	entry := dobot.AuditEntry{UserID: op.Requester, UserName: op.RequesterName, Channel: op.Channel, CommandText: op.CommandText,
		Action: "do.delete_app", Target: managed.Name, Decision: "allowed", Details: "app_id=" + managed.ResourceID}
	if op.Decider != "" {
		entry.Details += " approved_by=" + op.Decider
	}
	var err error
	if managed.Kind == KindDroplet {
		entry.Action, entry.Details = "do.delete_droplet", "droplet_id="+managed.ResourceID
		id, _ := strconv.Atoi(managed.ResourceID)
		_, err = b.cloud.Droplets.Delete(ctx, id) // by id, never by tag
	} else {
		_, err = b.apps.Delete(ctx, managed.ResourceID)
	}
	if err != nil && !docloud.IsNotFound(err) {
		msg := describeError(err, fmt.Sprintf("op-%d", op.ID))
		entry.Outcome, entry.Error = "error", msg
		b.audit(ctx, b.log, entry)
		b.finish(ctx, &op, dobot.OpFailed, msg)
		rep.Update(ctx, TeardownCard(op, managed, chat.IconFailed+" Teardown failed for", msg))
		rep.Final(ctx, errorMessage(fmt.Sprintf("Could not delete %s: %s", managed.Name, msg)))
		return
	}
	entry.Outcome = "ok"
	if err != nil {
		entry.Outcome = "already gone"
	}
	b.audit(ctx, b.log, entry)
	if err := b.store.DeleteApp(ctx, managed.Name); err != nil {
		b.log.Error("forget deleted app", "app", managed.Name, "err", err)
	}
	b.finish(ctx, &op, dobot.OpSucceeded, "")
	rep.Update(ctx, TeardownCard(op, managed, chat.IconDelete+" Tore down", ""))
	rep.Final(ctx, infoMessage(fmt.Sprintf(chat.IconDelete+" Deleted %s (id `%s`).", managed.Name, managed.ResourceID)))
	if managed.ThreadTS != "" && managed.ThreadTS != rep.Head().ID {
		if _, err := b.chat.Reply(ctx, ThreadOf(managed), infoMessage(fmt.Sprintf(chat.IconDelete+" %s tore %s down.", chat.Mention(op.Requester), managed.Name))); err != nil {
			b.log.Warn("note teardown in launch thread", "app", managed.Name, "err", err)
		}
	}
}

func TeardownCard(op dobot.Operation, app dobot.App, verb, failure string) chat.Message {
	m := chat.Message{
		Text:   fmt.Sprintf("%s %s (requested by %s)", verb, app.Name, chat.Mention(op.Requester)),
		Title:  fmt.Sprintf("%s %s", verb, app.Name),
		Fields: []chat.Field{{Label: KindLabel(app.Kind), Value: app.Name}, {Label: "Image", Value: app.Image}, {Label: "Region", Value: app.Region}, {Label: KindLabel(app.Kind) + " id", Value: "`" + app.ResourceID + "`"}},
		Footer: opFooter(op),
	}
	if failure != "" {
		m.Body = chat.IconFailed + " " + failure
	}
	m.Fields = NonEmpty(m.Fields)
	return m
}

// GlassReason is the --break-glass reason: an admin's reason to run
// despite a lock or freeze.
func (a TeardownArgs) GlassReason() string { return a.BreakGlass }

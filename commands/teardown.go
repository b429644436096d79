package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"dobot"
)

var teardownCommand = &Command{
	Name:        "teardown",
	Usage:       "teardown NAME",
	Description: "Delete an app the bot launched.",
	Examples:    []string{"teardown web"},
	Action:      ActionTeardown,
	Parse: func(words []string, _ Config) (any, error) {
		if len(words) != 1 {
			return nil, userErrorf("teardown takes exactly one app name, like `/do teardown web`")
		}
		if err := ValidAppName(words[0]); err != nil {
			return nil, err
		}
		return TeardownArgs{Name: words[0]}, nil
	},
	Run: runTeardown,
}

// TeardownArgs are teardown's parsed arguments.
type TeardownArgs struct{ Name string }

func (a TeardownArgs) target() string { return a.Name }

func runTeardown(ctx context.Context, b *Bot, inv *Invocation) error {
	args := inv.Args.(TeardownArgs)
	managed, err := b.managedApp(ctx, args.Name)
	if err != nil {
		return err
	}
	raw, _ := json.Marshal(args)
	op, err := b.store.CreateOperation(ctx, dobot.Operation{
		Action: ActionTeardown, App: args.Name, State: dobot.OpRunning,
		Requester: inv.Req.UserID, RequesterName: inv.Req.UserName,
		Channel: inv.Req.ChannelID, ResponseURL: inv.Req.ResponseURL,
		CommandText: "/do " + inv.Req.Text, Args: string(raw), ResourceID: managed.ResourceID,
	})
	var busy *dobot.BusyError
	if errors.As(err, &busy) {
		return userErrorf("%s", busyText(busy))
	}
	if err != nil {
		return fmt.Errorf("create teardown operation: %w", err)
	}
	rep := b.reporterFor(op)
	if err := rep.start(ctx, teardownCard(op, managed, ":wastebasket: Tearing down", "")); err != nil {
		b.finish(ctx, &op, dobot.OpFailed, "could not post the teardown message: "+err.Error())
		return fmt.Errorf("post teardown message: %w", err)
	}
	op.MessageTS = rep.ts
	if err := b.store.UpdateOperation(ctx, op); err != nil {
		return fmt.Errorf("record teardown message: %w", err)
	}
	b.executeTeardown(ctx, op, managed, rep)
	return nil
}

// executeTeardown deletes the app and reports the result. Deleting an app
// DigitalOcean no longer has counts as done, so a resumed teardown is safe.
func (b *Bot) executeTeardown(ctx context.Context, op dobot.Operation, managed dobot.App, rep *reporter) {
	entry := dobot.AuditEntry{UserID: op.Requester, UserName: op.RequesterName, Channel: op.Channel, CommandText: op.CommandText,
		Action: "do.delete_app", Target: managed.Name, Decision: "allowed", Details: "app_id=" + managed.ResourceID}
	if op.Decider != "" {
		entry.Details += " approved_by=" + op.Decider
	}
	_, err := b.apps.Delete(ctx, managed.ResourceID)
	if err != nil && !isDONotFound(err) {
		msg := describeError(err, fmt.Sprintf("op-%d", op.ID))
		entry.Outcome, entry.Error = "error", msg
		b.audit(ctx, b.log, entry)
		rep.update(ctx, teardownCard(op, managed, ":x: Teardown failed for", msg))
		rep.final(ctx, errorMessage(fmt.Sprintf("Could not delete %s: %s", managed.Name, msg)))
		b.finish(ctx, &op, dobot.OpFailed, msg)
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
	rep.update(ctx, teardownCard(op, managed, ":wastebasket: Tore down", ""))
	rep.final(ctx, infoMessage(fmt.Sprintf(":wastebasket: Deleted %s (id `%s`).", managed.Name, managed.ResourceID)))
	if managed.ThreadTS != "" && managed.ThreadTS != rep.ts {
		if _, err := b.chat.Reply(ctx, managed.Channel, managed.ThreadTS, infoMessage(fmt.Sprintf(":wastebasket: <@%s> tore %s down.", op.Requester, managed.Name))); err != nil {
			b.log.Warn("note teardown in launch thread", "app", managed.Name, "err", err)
		}
	}
	b.finish(ctx, &op, dobot.OpSucceeded, "")
}

func teardownCard(op dobot.Operation, app dobot.App, verb, failure string) Message {
	m := Message{
		Text:   fmt.Sprintf("%s %s (requested by <@%s>)", verb, app.Name, op.Requester),
		Title:  fmt.Sprintf("%s %s", verb, app.Name),
		Fields: []Field{{"App", app.Name}, {"Image", app.Image}, {"Region", app.Region}, {"App id", "`" + app.ResourceID + "`"}},
		Footer: fmt.Sprintf("Requested by <@%s> · operation #%d", op.Requester, op.ID),
	}
	if failure != "" {
		m.Body = ":x: " + failure
	}
	return m
}

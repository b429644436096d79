package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/docloud"
	"dobot/progress"
)

var teardownCommand = &Command{
	Name:        "teardown",
	Usage:       "teardown NAME [--reason TEXT]",
	Description: "Delete an app the bot launched.",
	Examples:    []string{"teardown web"},
	Action:      ActionTeardown,
	Parse: func(words []string, _ Config) (any, error) {
		fs := newFlagSet("teardown")
		reason := fs.String("reason", "", "")
		pos, err := parseFlags(fs, words)
		if err != nil {
			return nil, err
		}
		if len(pos) != 1 {
			return nil, userErrorf("teardown takes exactly one app name, like `/do teardown web --reason \"done testing\"`")
		}
		if err := ValidAppName(pos[0]); err != nil {
			return nil, err
		}
		return TeardownArgs{Name: pos[0], Reason: strings.TrimSpace(*reason)}, nil
	},
	Prepare: prepareTeardown,
}

// TeardownArgs are teardown's parsed arguments.
type TeardownArgs struct {
	Name   string
	Reason string `json:",omitempty"`
	Kind   string `json:",omitempty"` // app or droplet, fixed when planned
}

func (a TeardownArgs) target() string { return a.Name }

func prepareTeardown(ctx context.Context, b *Bot, inv *Invocation) (*Plan, error) {
	args, err := argsOf[TeardownArgs](inv)
	if err != nil {
		return nil, err
	}
	managed, err := b.managedApp(ctx, args.Name)
	var ue *UserError
	if errors.As(err, &ue) {
		if busy := b.beingLaunched(ctx, args.Name); busy != nil {
			return nil, busy
		}
		// Something by that name the bot did not create is not its to delete.
		return nil, userErrorf("the bot manages no app named %s, so it will not tear it down. If it exists on DigitalOcean but the bot did not create it, an admin can adopt it first with `/do adopt %s`.", args.Name, args.Name)
	}
	if err != nil {
		return nil, err
	}
	args.Kind = managed.Kind
	raw, err := json.Marshal(args)
	if err != nil {
		return nil, fmt.Errorf("encode teardown args: %w", err)
	}
	deletes, idLabel := "the App Platform app and all its deployments", "App id"
	if managed.Kind == kindDroplet {
		deletes, idLabel = "the droplet and its disk", "Droplet id"
	}
	fields := []Field{{Label: "App", Value: managed.Name}, {Label: "Deletes", Value: deletes},
		{Label: "Image", Value: managed.Image}, {Label: "Region", Value: managed.Region}, {Label: idLabel, Value: "`" + managed.ResourceID + "`"},
		{Label: "Launched by", Value: fmt.Sprintf("%s on %s", chat.Mention(managed.Owner), managed.CreatedAt.UTC().Format("2006-01-02"))}}
	if managed.MonthlyCents > 0 {
		fields = append(fields, Field{Label: "Saves", Value: money(managed.MonthlyCents) + "/month"})
	}
	return &Plan{
		Op:      dobot.Operation{Action: ActionTeardown, App: args.Name, Args: string(raw), Reason: args.Reason, ResourceID: managed.ResourceID},
		Summary: fmt.Sprintf("tear down %s", args.Name),
		Fields:  fields,
	}, nil
}

func teardownHead(op dobot.Operation) Message {
	return teardownCard(op, dobot.App{Name: op.App, ResourceID: op.ResourceID}, chat.IconDelete+" Tearing down", "")
}

func runTeardownOp(ctx context.Context, b *Bot, op dobot.Operation, rep *progress.Reporter) {
	args, err := decodeArgs[TeardownArgs](op)
	if err != nil {
		b.failOp(ctx, op, rep, err)
		return
	}
	managed, err := b.store.App(ctx, op.App)
	if errors.Is(err, dobot.ErrNotFound) || (err == nil && managed.ResourceID != op.ResourceID) {
		// Already forgotten (a resumed teardown), or replaced: delete what
		// was planned, by id and of the kind planned.
		managed = dobot.App{Name: op.App, ResourceID: op.ResourceID, Kind: args.Kind}
		if managed.Kind == "" {
			managed.Kind = kindApp
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
func (b *Bot) executeTeardown(ctx context.Context, op dobot.Operation, managed dobot.App, rep *progress.Reporter) {
	entry := dobot.AuditEntry{UserID: op.Requester, UserName: op.RequesterName, Channel: op.Channel, CommandText: op.CommandText,
		Action: "do.delete_app", Target: managed.Name, Decision: "allowed", Details: "app_id=" + managed.ResourceID}
	if op.Decider != "" {
		entry.Details += " approved_by=" + op.Decider
	}
	var err error
	if managed.Kind == kindDroplet {
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
		rep.Update(ctx, teardownCard(op, managed, chat.IconFailed+" Teardown failed for", msg))
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
	rep.Update(ctx, teardownCard(op, managed, chat.IconDelete+" Tore down", ""))
	rep.Final(ctx, infoMessage(fmt.Sprintf(chat.IconDelete+" Deleted %s (id `%s`).", managed.Name, managed.ResourceID)))
	if managed.ThreadTS != "" && managed.ThreadTS != rep.Head().ID {
		if _, err := b.chat.Reply(ctx, threadOf(managed), infoMessage(fmt.Sprintf(chat.IconDelete+" %s tore %s down.", chat.Mention(op.Requester), managed.Name))); err != nil {
			b.log.Warn("note teardown in launch thread", "app", managed.Name, "err", err)
		}
	}
}

func teardownCard(op dobot.Operation, app dobot.App, verb, failure string) Message {
	m := Message{
		Text:   fmt.Sprintf("%s %s (requested by %s)", verb, app.Name, chat.Mention(op.Requester)),
		Title:  fmt.Sprintf("%s %s", verb, app.Name),
		Fields: []Field{{Label: "App", Value: app.Name}, {Label: "Image", Value: app.Image}, {Label: "Region", Value: app.Region}, {Label: "App id", Value: "`" + app.ResourceID + "`"}},
		Footer: opFooter(op),
	}
	if failure != "" {
		m.Body = chat.IconFailed + " " + failure
	}
	return m
}

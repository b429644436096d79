package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/docloud"
	"dobot/docloud/daytwo"
	"dobot/domainview"
	"dobot/progress"
)

// DomainFollowArgs are what a domain follow keeps: the domain, since when,
// the phase last reported and whether the pending note was posted. They
// are stored before each message, so a restart neither repeats nor skips
// one.
type DomainFollowArgs struct {
	Name   string
	Domain string
	Since  time.Time
	Phase  string `json:",omitempty"`
	Noted  bool   `json:",omitempty"`
}

func (a DomainFollowArgs) Target() string { return a.Name }

// domainFollowFor is how long a domain is followed before the bot stops
// and says so; /do domains still shows it.
const domainFollowFor = 24 * time.Hour

// defaultDomainNote is how long a domain may stay pending before the
// thread gets a note.
const defaultDomainNote = 30 * time.Minute

// DomainFollowHead is never posted: a follow replies in its domains
// change's thread. It stands for the follow where an operation's first
// message is asked for.
func DomainFollowHead(op dobot.Operation) chat.Message {
	a, _ := decodeArgs[DomainFollowArgs](op)
	return chat.Message{Text: fmt.Sprintf("%s Following the DNS and certificate of %s on %s", chat.IconSearch, Escape(a.Domain), Escape(op.App))}
}

// RunDomainFollow polls the app until the domain is active, fails, goes
// away, or has been followed for domainFollowFor.
func RunDomainFollow(ctx context.Context, b *Executor, op dobot.Operation, rep *progress.Reporter) {
	args, err := decodeArgs[DomainFollowArgs](op)
	if err != nil {
		b.FailOp(ctx, op, rep, err)
		return
	}
	for {
		if cur, err := b.store.Operation(ctx, op.ID); err == nil && cur.State != dobot.OpRunning {
			return // stopped with /do cancel
		}
		app, _, err := b.apps.Get(ctx, op.ResourceID)
		switch {
		case docloud.IsNotFound(err):
			if b.moveFollow(ctx, &op, args, dobot.OpCanceled, "app deleted") == followMoved {
				rep.Reply(ctx, infoMessage(fmt.Sprintf("%s is gone from DigitalOcean; no longer following %s.", Escape(op.App), Escape(args.Domain))))
			}
			return
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			b.log.Warn("read app for its domain", "op", op.ID, "err", err)
		default:
			if b.domainStep(ctx, &op, &args, app, rep) {
				return
			}
		}
		select {
		case <-ctx.Done():
			return // shutdown: the follow resumes at the next start
		case <-time.After(b.watcher.Interval(b.now().Sub(args.Since))):
		}
	}
}

// domainStep reports the domain's phase when it changed, and the pending
// note when it is due. It reports whether the follow is over. Each step is
// recorded before it is said, by compare-and-set: a follow stopped with
// /do cancel meanwhile says nothing more.
func (b *Executor) domainStep(ctx context.Context, op *dobot.Operation, args *DomainFollowArgs, app *godo.App, rep *progress.Reporter) bool {
	var d *daytwo.Domain
	for _, x := range daytwo.Domains(app) {
		if strings.EqualFold(x.Name, args.Domain) {
			d = &x
		}
	}
	if d == nil {
		if b.moveFollow(ctx, op, *args, dobot.OpCanceled, "domain removed") == followMoved {
			rep.Reply(ctx, infoMessage(fmt.Sprintf("%s was removed from %s; no longer following it.", Escape(args.Domain), Escape(op.App))))
		}
		return true
	}
	if prev := args.Phase; string(d.Phase) != prev {
		args.Phase = string(d.Phase)
		to, why := dobot.OpRunning, ""
		switch d.Phase {
		case godo.AppJobSpecKindPHASE_Active:
			to = dobot.OpSucceeded
		case godo.AppJobSpecKindPHASE_Error:
			to, why = dobot.OpFailed, "domain "+args.Domain+" failed"
		}
		switch b.moveFollow(ctx, op, *args, to, why) {
		case followStopped:
			return true
		case followUnrecorded:
			args.Phase = prev // said at the next poll
			return false
		}
		rep.Reply(ctx, infoMessage(domainview.Line(*d, app)))
		if to != dobot.OpRunning {
			return true
		}
	}
	if d.Phase == godo.AppJobSpecKindPHASE_Pending && !args.Noted && b.now().Sub(args.Since) >= b.domainNoteAfter() {
		args.Noted = true
		switch b.moveFollow(ctx, op, *args, dobot.OpRunning, "") { // recorded first: one note, even across a restart
		case followStopped:
			return true
		case followMoved:
			rep.Reply(ctx, infoMessage(fmt.Sprintf("%s %s: %s is still pending %s after it was added. DigitalOcean cannot see its DNS records yet; check them with your DNS provider. `/do domains %s` shows its progress.",
				chat.IconAlarm, chat.Mention(op.Requester), Escape(args.Domain), b.domainNoteAfter(), Escape(op.App))))
		default:
			args.Noted = false
		}
	}
	if b.now().Sub(args.Since) >= domainFollowFor {
		if b.moveFollow(ctx, op, *args, dobot.OpCanceled, "still pending") == followMoved {
			rep.Reply(ctx, infoMessage(fmt.Sprintf("%s is still not active after %s; the bot stops following it here. `/do domains %s` shows its progress.",
				Escape(args.Domain), domainFollowFor, Escape(op.App))))
		}
		return true
	}
	return false
}

// What recording a follow's step came to.
const (
	followMoved      = iota // recorded
	followStopped           // the follow is no longer running (/do cancel)
	followUnrecorded        // the store failed: try at the next poll
)

// moveFollow records args and moves the follow to state to (running to
// keep following), only while it is running.
func (b *Executor) moveFollow(ctx context.Context, op *dobot.Operation, args DomainFollowArgs, to dobot.OpState, why string) int {
	raw, err := json.Marshal(args)
	if err != nil {
		b.log.Error("encode a domain's progress", "op", op.ID, "err", err)
		return followUnrecorded
	}
	moved, ok, err := b.store.Transition(ctx, op.ID, []dobot.OpState{dobot.OpRunning}, to, func(o *dobot.Operation) {
		o.Args, o.Error = string(raw), why
	})
	switch {
	case err != nil:
		b.log.Error("record a domain's progress", "op", op.ID, "err", err)
		return followUnrecorded
	case !ok:
		return followStopped
	}
	*op = moved
	return followMoved
}

// domainNoteAfter is how long a domain may be pending before its note.
func (b *Executor) domainNoteAfter() time.Duration {
	if b.cfg.DomainNoteAfter > 0 {
		return b.cfg.DomainNoteAfter
	}
	return defaultDomainNote
}

package domainview

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/docloud"
	"dobot/docloud/daytwo"
	"dobot/ops"
	"dobot/progress"
	"dobot/reply"
)

// Store is what a follow keeps: its operation, moved by compare-and-set,
// so a follow stopped meanwhile says nothing more.
type Store interface {
	Operation(ctx context.Context, id int64) (dobot.Operation, error)
	Transition(ctx context.Context, id int64, from []dobot.OpState, to dobot.OpState, mutate func(*dobot.Operation)) (dobot.Operation, bool, error)
}

// Follower follows a domain added to an app until its certificate is
// issued, in the thread of the change that added it.
type Follower struct {
	Store    Store
	Apps     godo.AppsService
	Interval func(age time.Duration) time.Duration // the polling pace
	Now      func() time.Time
	Log      *slog.Logger
	// NoteAfter is how long the domain may stay pending before its note;
	// default 30m.
	NoteAfter time.Duration
	// Fail ends the follow as failed and says why.
	Fail func(ctx context.Context, op dobot.Operation, rep *progress.Reporter, err error)
}

// FollowArgs are what a domain follow keeps: the domain, since when,
// the phase last reported and whether the pending note was posted. They
// are stored before each message, so a restart neither repeats nor skips
// one.
type FollowArgs struct {
	Name   string
	Domain string
	Since  time.Time
	Phase  string `json:",omitempty"`
	Noted  bool   `json:",omitempty"`
}

func (a FollowArgs) Target() string { return a.Name }

// domainFollowFor is how long a domain is followed before the bot stops
// and says so; /do domains still shows it.
const domainFollowFor = 24 * time.Hour

// defaultDomainNote is how long a domain may stay pending before the
// thread gets a note.
const defaultDomainNote = 30 * time.Minute

// FollowHead is never posted: a follow replies in its domains
// change's thread. It stands for the follow where an operation's first
// message is asked for.
func FollowHead(op dobot.Operation) chat.Message {
	a, _ := ops.DecodeArgs[FollowArgs](op)
	return chat.Message{Text: fmt.Sprintf("%s Following the DNS and certificate of %s on %s", chat.IconSearch, reply.Escape(a.Domain), reply.Escape(op.App))}
}

// Run polls the app until the domain is active, fails, goes
// away, or has been followed for domainFollowFor.
func (b Follower) Run(ctx context.Context, op dobot.Operation, rep *progress.Reporter) {
	args, err := ops.DecodeArgs[FollowArgs](op)
	if err != nil {
		b.Fail(ctx, op, rep, err)
		return
	}
	for {
		if cur, err := b.Store.Operation(ctx, op.ID); err == nil && cur.State != dobot.OpRunning {
			return // stopped with /do cancel
		}
		app, _, err := b.Apps.Get(ctx, op.ResourceID)
		switch {
		case docloud.IsNotFound(err):
			if b.moveFollow(ctx, &op, args, dobot.OpCanceled, "app deleted") == followMoved {
				rep.Reply(ctx, infoMessage(fmt.Sprintf("%s is gone from DigitalOcean; no longer following %s.", reply.Escape(op.App), reply.Escape(args.Domain))))
			}
			return
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			b.Log.Warn("read app for its domain", "op", op.ID, "err", err)
		default:
			if b.domainStep(ctx, &op, &args, app, rep) {
				return
			}
		}
		select {
		case <-ctx.Done():
			return // shutdown: the follow resumes at the next start
		case <-time.After(b.Interval(b.Now().Sub(args.Since))):
		}
	}
}

// domainStep reports the domain's phase when it changed, and the pending
// note when it is due. It reports whether the follow is over. Each step is
// recorded before it is said, by compare-and-set: a follow stopped with
// /do cancel meanwhile says nothing more.
func (b Follower) domainStep(ctx context.Context, op *dobot.Operation, args *FollowArgs, app *godo.App, rep *progress.Reporter) bool {
	var d *daytwo.Domain
	for _, x := range daytwo.Domains(app) {
		if strings.EqualFold(x.Name, args.Domain) {
			d = &x
		}
	}
	if d == nil {
		if b.moveFollow(ctx, op, *args, dobot.OpCanceled, "domain removed") == followMoved {
			rep.Reply(ctx, infoMessage(fmt.Sprintf("%s was removed from %s; no longer following it.", reply.Escape(args.Domain), reply.Escape(op.App))))
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
		rep.Reply(ctx, infoMessage(Line(*d, app)))
		if to != dobot.OpRunning {
			return true
		}
	}
	if d.Phase == godo.AppJobSpecKindPHASE_Pending && !args.Noted && b.Now().Sub(args.Since) >= b.domainNoteAfter() {
		args.Noted = true
		switch b.moveFollow(ctx, op, *args, dobot.OpRunning, "") { // recorded first: one note, even across a restart
		case followStopped:
			return true
		case followMoved:
			rep.Reply(ctx, infoMessage(fmt.Sprintf("%s %s: %s is still pending %s after it was added. DigitalOcean cannot see its DNS records yet; check them with your DNS provider. `/do domains %s` shows its progress.",
				chat.IconAlarm, chat.Mention(op.Requester), reply.Escape(args.Domain), b.domainNoteAfter(), reply.Escape(op.App))))
		default:
			args.Noted = false
		}
	}
	if b.Now().Sub(args.Since) >= domainFollowFor {
		if b.moveFollow(ctx, op, *args, dobot.OpCanceled, "still pending") == followMoved {
			rep.Reply(ctx, infoMessage(fmt.Sprintf("%s is still not active after %s; the bot stops following it here. `/do domains %s` shows its progress.",
				reply.Escape(args.Domain), domainFollowFor, reply.Escape(op.App))))
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
func (b Follower) moveFollow(ctx context.Context, op *dobot.Operation, args FollowArgs, to dobot.OpState, why string) int {
	raw, err := json.Marshal(args)
	if err != nil {
		b.Log.Error("encode a domain's progress", "op", op.ID, "err", err)
		return followUnrecorded
	}
	moved, ok, err := b.Store.Transition(ctx, op.ID, []dobot.OpState{dobot.OpRunning}, to, func(o *dobot.Operation) {
		o.Args, o.Error = string(raw), why
	})
	switch {
	case err != nil:
		b.Log.Error("record a domain's progress", "op", op.ID, "err", err)
		return followUnrecorded
	case !ok:
		return followStopped
	}
	*op = moved
	return followMoved
}

// domainNoteAfter is how long a domain may be pending before its note.
func (b Follower) domainNoteAfter() time.Duration {
	if b.NoteAfter > 0 {
		return b.NoteAfter
	}
	return defaultDomainNote
}

func infoMessage(text string) chat.Message { return chat.Message{Text: text} }

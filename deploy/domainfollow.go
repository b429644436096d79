package deploy

import (
	"context"

	"dobot"
	"dobot/chat"
	"dobot/domainview"
	"dobot/progress"
)

// DomainFollowArgs are what a domain's follow keeps (domainview).
type DomainFollowArgs = domainview.FollowArgs

// DomainFollowHead stands for a domain's follow where an operation's first
// message is asked for; a follow replies in its change's thread.
func DomainFollowHead(op dobot.Operation) chat.Message { return domainview.FollowHead(op) }

// RunDomainFollow follows a domain added by a domains change until its
// certificate is issued (domainview.Follower).
func RunDomainFollow(ctx context.Context, b *Executor, op dobot.Operation, rep *progress.Reporter) {
	domainview.Follower{Store: b.store, Apps: b.apps, Interval: b.watcher.Interval, Now: b.now, Log: b.log,
		NoteAfter: b.cfg.DomainNoteAfter, Fail: b.FailOp}.Run(ctx, op, rep)
}

package slackbot

// The listener's worker pool: the bounded queue of commands and clicks,
// the workers that run them, and the notes to people whose command was
// not run.

import (
	"context"
	"dobot/commands"
	"runtime/debug"
)

// jobQueues are the listener's work: queue holds commands and clicks for
// the workers; replies holds the notes sent while draining or busy. Both
// are bounded, and Run joins the goroutines that serve them before it
// returns.
type jobQueues struct {
	queue   chan job
	replies chan job
	// burst holds a slot for each job that starts while the queue is long
	// (a burst): the workers then use all cores but one, which is left to
	// the socket reader and the ack sender. Slack redelivers what it does
	// not see acked within 3 s; an answer can wait a little longer.
	burst chan struct{}
}

// job is one command or click, or one note to its sender.
type job struct {
	key                        string
	fn                         func(ctx context.Context)
	channel, user, responseURL string
	// audited is set for commands and message clicks, whose first audit
	// row can carry the envelope's key (ClaimWith).
	audited bool
	// redelivered is set when Slack says it sent the envelope before
	// (retry_attempt above 0).
	redelivered bool
}

const (
	// queueSize is how many commands and clicks may wait for a worker;
	// past it, the sender is told the bot is busy.
	queueSize = 1024
	// replyWorkers send the notes to people whose command was not run.
	replyWorkers = 2
	replyQueue   = 256
	// burstBacklog is how many queued jobs make a burst (jobQueues.burst).
	burstBacklog = 8
)

// Notes to a person whose command the listener did not run.
const (
	restartingNote = ":hourglass: The bot is restarting; try again in a minute."
	busyNote       = ":hourglass: The bot is busy; try again in a minute."
)

// dispatch queues fn for a worker, or, while draining or when the queue is
// full, queues a note telling the person to try again shortly. key
// identifies the envelope or click for deduplication.
func (l *Listener) dispatch(key string, fn func(ctx context.Context), channel, user, responseURL string) {
	l.enqueue(job{key: key, fn: fn, channel: channel, user: user, responseURL: responseURL})
}

// enqueue is dispatch of a job already built.
func (l *Listener) enqueue(j job) {
	key := j.key
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	if !l.draining {
		l.inflight.Add(1)
		select {
		case l.jobs.queue <- j:
			return
		default:
			l.inflight.Done()
			l.log.Warn("every worker is busy and the queue is full; telling the sender to retry", "key", key)
			j.fn = nil
		}
	}
	select {
	case l.jobs.replies <- j:
	default:
		l.log.Warn("too many notes waiting; not telling this sender to retry", "key", key)
	}
}

// serve runs each job from jobs until it is closed, recovering panics.
func (l *Listener) serve(jobs <-chan job, do func(context.Context, job)) {
	for j := range jobs {
		func() {
			defer func() {
				if p := recover(); p != nil {
					l.log.Error("panic in handler", "key", j.key, "panic", p, "stack", string(debug.Stack()))
				}
			}()
			do(l.workCtx, j)
		}()
	}
}

// note tells the sender of j that the bot did not run it: it is
// restarting, or, when j still has its work, busy.
func (l *Listener) note(ctx context.Context, j job) {
	if j.channel == "" && j.responseURL == "" {
		return // a Home tab or form event: there is nowhere to answer
	}
	msg := commands.Message{Text: restartingNote}
	if j.fn == nil {
		msg.Text = busyNote
	}
	if err := l.chat.Ephemeral(ctx, j.channel, j.user, msg); err != nil && j.responseURL != "" {
		_ = l.chat.Respond(ctx, j.responseURL, msg)
	}
}

// run runs one command or click, unless the store says it ran before.
func (l *Listener) run(ctx context.Context, j job) {
	defer l.inflight.Done()
	if len(l.jobs.queue) >= burstBacklog {
		l.jobs.burst <- struct{}{}
		defer func() { <-l.jobs.burst }()
	}
	if l.hooks.claim != nil && j.audited {
		j.fn(l.hooks.claim(ctx, Envelope{Key: j.key, ResponseURL: j.responseURL, UserID: j.user, ChannelID: j.channel, Redelivered: j.redelivered}))
		return
	}
	if l.hooks.handled != nil {
		first, err := l.hooks.handled(ctx, j.key)
		if err != nil {
			l.log.Error("check envelope was handled", "key", j.key, "err", err)
		} else if !first {
			l.log.Info("skipping an envelope already handled", "key", j.key)
			return
		}
	}
	l.chat.recordResponseURL(ctx, j.responseURL, j.user, j.channel)
	j.fn(ctx)
}

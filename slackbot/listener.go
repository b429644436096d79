// Package slackbot is the Slack side of the bot: it turns Socket Mode
// envelopes into commands requests, acknowledging each at once, and turns
// commands.Chat calls into Web API calls. It holds no command logic.
package slackbot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"dobot/commands"
	"dobot/internal/health"
)

// Handler runs commands and button clicks. commands.Bot implements it.
type Handler interface {
	Handle(ctx context.Context, req commands.Request)
	HandleClick(ctx context.Context, click commands.Click)
}

// Listener receives Socket Mode envelopes and hands them to a Handler on a
// bounded pool of workers.
type Listener struct {
	sm      *socketmode.Client
	chat    *Chat
	handler Handler
	log     *slog.Logger
	workers int
	seen    *recentSet

	jobs   jobQueues
	hooks  listenerHooks
	status connStatus

	// views serves forms and Home tabs; see ServeViews.
	views viewServing

	// mu guards draining against inflight.Add, so that no work is counted
	// once Drain has started waiting (WaitGroup forbids that race).
	mu       sync.Mutex
	draining bool
	inflight sync.WaitGroup
	closed   bool // the queues are closed: Run has returned
	workCtx  context.Context
}

// listenerHooks are what the wiring plugs into the listener; each may be
// nil.
type listenerHooks struct {
	// onAck is told how long each acknowledgement took from the
	// envelope's arrival.
	onAck func(time.Duration)
	// handled remembers envelopes across restarts, since Slack redelivers
	// an envelope whose ack it did not see.
	handled func(ctx context.Context, key string) (first bool, err error)
	// claim replaces handled for commands and message clicks: such a job
	// runs under the context claim returns, and the store records the
	// envelope's key and response_url with the first audit row the job
	// writes (store.WithEnvelope).
	claim func(ctx context.Context, e Envelope) context.Context
}

// Envelope is what ClaimWith's function is told of a command's or
// click's envelope.
type Envelope struct {
	// Key is the de-duplication key: the command's trigger_id, or the
	// click's user, action_ts and action.
	Key                            string
	ResponseURL, UserID, ChannelID string
	// Redelivered is set when Slack marks the envelope as a retry
	// (retry_attempt above 0): an earlier delivery may have run it.
	Redelivered bool
}

// connStatus is the Socket Mode connection's state, read by /healthz.
type connStatus struct {
	connected atomic.Bool
	running   atomic.Bool // Run is connecting or connected
	everUp    atomic.Bool // connected at least once since Run started
}

// RecentKeys is how many envelope keys the listener remembers, to skip
// redeliveries without asking the store.
const RecentKeys = 4096

// ErrInvalidAuth means Slack refused a token; retrying cannot help.
var ErrInvalidAuth = errors.New("Slack refused the token")

// NewListener returns a listener that runs at most workers handlers at once.
func NewListener(api *slack.Client, chat *Chat, h Handler, workers int, log *slog.Logger) *Listener {
	if workers <= 0 {
		workers = 16
	}
	return &Listener{
		sm:      socketmode.New(api),
		chat:    chat,
		handler: h,
		log:     log.With("component", "slack-socket"),
		workers: workers,
		jobs: jobQueues{queue: make(chan job, queueSize), replies: make(chan job, replyQueue),
			burst: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))},
		seen:    newRecentSet(RecentKeys),
		workCtx: context.Background(),
		views:   viewServing{budget: defaultSubmitBudget},
	}
}

// RememberHandled makes the listener check every envelope and click with
// first (the store's MarkHandled), so none runs twice, even across restarts.
func (l *Listener) RememberHandled(first func(ctx context.Context, key string) (bool, error)) {
	l.hooks.handled = first
}

// ClaimWith makes the listener run every command and message click under
// the context claim returns, instead of checking it with RememberHandled's
// separate write first: the store then records the envelope's key and
// response_url in the one write transaction of the command's first audit
// row, and refuses a key it has seen (store.WithEnvelope, which the
// commands answer by staying silent). One commit instead of three per
// command. Other work (Home tabs, form events) still goes through
// RememberHandled.
func (l *Listener) ClaimWith(claim func(ctx context.Context, e Envelope) context.Context) {
	l.hooks.claim = claim
}

// RememberKeys makes the listener skip these keys (commands' and clicks'
// de-duplication keys, oldest first) as already seen: the keys a previous
// run handled last, so that a redelivery Slack does not mark as one is
// still skipped after a restart.
func (l *Listener) RememberKeys(keys []string) {
	for _, k := range keys {
		l.seen.add(k)
	}
}

// ObserveAcks makes the listener report each acknowledgement's latency.
func (l *Listener) ObserveAcks(fn func(time.Duration)) { l.hooks.onAck = fn }

// Connected reports whether the socket is connected now.
func (l *Listener) Connected() bool { return l.status.connected.Load() }

// State names the Socket Mode connection's state for /healthz: connected;
// connecting before the first connection; reconnecting while a lost
// connection is being replaced; disconnected when Run is not running.
func (l *Listener) State() string {
	switch {
	case l.status.connected.Load():
		return health.SlackConnected
	case !l.status.running.Load():
		return health.SlackDisconnected
	case l.status.everUp.Load():
		return health.SlackReconnecting
	default:
		return health.SlackConnecting
	}
}

// Drain makes the listener refuse new work with a note to try again, and
// waits up to timeout for work already started.
func (l *Listener) Drain(timeout time.Duration) bool {
	l.mu.Lock()
	l.draining = true
	l.mu.Unlock()
	done := make(chan struct{})
	go func() { l.inflight.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// Run connects and keeps reconnecting with backoff until ctx is done or a
// token is refused. work is the context handlers run under; it should
// outlive ctx so that running commands can finish while draining. Before
// it returns, Run waits for the envelope reader, for the commands already
// handed to workers and for the notes being sent: call Drain first to let
// them finish, and end work to cut them short. Call Run once.
func (l *Listener) Run(ctx, work context.Context) (err error) {
	l.workCtx = work
	l.status.running.Store(true)
	defer l.status.running.Store(false)
	var pool sync.WaitGroup
	for range l.workers {
		pool.Go(func() { l.serve(l.jobs.queue, l.run) })
	}
	for range replyWorkers {
		pool.Go(func() { l.serve(l.jobs.replies, l.note) })
	}
	// The reader and the connection end together: without a reader,
	// envelopes would go unacknowledged.
	conn, stop := context.WithCancel(ctx)
	read := make(chan error, 1)
	go func() {
		defer stop()
		defer func() {
			if p := recover(); p != nil {
				l.log.Error("panic reading Slack events", "panic", p, "stack", string(debug.Stack()))
				read <- fmt.Errorf("panic reading Slack events: %v", p)
			}
		}()
		read <- l.readEvents(conn)
	}()
	defer func() {
		stop()
		if rerr := <-read; ctx.Err() == nil && err == nil {
			if rerr == nil {
				rerr = errors.New("the event channel closed")
			}
			err = fmt.Errorf("reading Slack events stopped: %w", rerr)
		}
		// No dispatch can come now: the reader has stopped.
		l.mu.Lock()
		l.closed = true
		close(l.jobs.queue)
		close(l.jobs.replies)
		l.mu.Unlock()
		pool.Wait()
	}()
	return l.connect(conn)
}

// connect runs the Socket Mode connection, reconnecting with backoff.
func (l *Listener) connect(ctx context.Context) error {
	backoff := time.Second
	for {
		err := l.sm.RunContext(ctx)
		l.status.connected.Store(false)
		if ctx.Err() != nil {
			return nil
		}
		if isAuthError(err) {
			return fmt.Errorf("%w: SLACK_APP_TOKEN (%v); check that it is the app-level token (xapp-…) with connections:write and that Socket Mode is enabled", ErrInvalidAuth, err)
		}
		l.log.Warn("Socket Mode connection ended; reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, time.Minute)
	}
}

func isAuthError(err error) bool {
	if err == nil {
		return false
	}
	switch err.Error() {
	case "invalid_auth", "not_authed", "account_inactive", "token_revoked", "not_allowed_token_type":
		return true
	}
	var sce slack.StatusCodeError
	return errors.As(err, &sce) && sce.Code == 404
}

// readEvents acknowledges every envelope before anything else and then
// dispatches its work.
func (l *Listener) readEvents(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case evt, ok := <-l.sm.Events:
			if !ok {
				return nil
			}
			l.onEvent(evt)
		}
	}
}

func (l *Listener) onEvent(evt socketmode.Event) {
	// Every envelope is acknowledged before anything else is done with it,
	// but a form submission, which is acked with its answer, later by
	// design, and not counted with the acks sent at once.
	if needsAck(evt) {
		arrived := time.Now()
		l.ack(evt)
		if l.hooks.onAck != nil {
			l.hooks.onAck(time.Since(arrived))
		}
	}
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok || !l.firstTime(evt) {
			return
		}
		// Slack redelivers an envelope whose ack it did not see in time, and
		// the redelivery may carry a new envelope id; the trigger_id is the
		// command's own and stays the same.
		key := "env:" + evt.Request.EnvelopeID
		if cmd.TriggerID != "" {
			key = "cmd:" + cmd.TriggerID
			if !l.seen.add(key) {
				l.log.Info("skipping a redelivered command", "envelope", evt.Request.EnvelopeID, "retry_attempt", evt.Request.RetryAttempt)
				return
			}
		}
		req := commands.Request{Ref: evt.Request.EnvelopeID, UserID: cmd.UserID, UserName: cmd.UserName,
			ChannelID: cmd.ChannelID, Text: strings.TrimSpace(commandText(cmd.Text)), ResponseURL: cmd.ResponseURL, TriggerID: cmd.TriggerID}
		l.enqueue(job{key: key, fn: func(ctx context.Context) { l.handler.Handle(ctx, req) },
			channel: req.ChannelID, user: req.UserID, responseURL: req.ResponseURL, audited: true, redelivered: evt.Request.RetryAttempt > 0})
	case socketmode.EventTypeInteractive:
		l.onInteractive(evt)
	case socketmode.EventTypeEventsAPI:
		if api, ok := evt.Data.(slackevents.EventsAPIEvent); ok && l.firstTime(evt) {
			l.onEventsAPI(api)
		}
	case socketmode.EventTypeConnected:
		l.status.connected.Store(true)
		l.status.everUp.Store(true)
		l.log.Info("connected to Slack")
	case socketmode.EventTypeConnecting:
		// slack-go reconnects by itself when a socket drops, and says so
		// only with this event: the old socket is gone.
		l.status.connected.Store(false)
		l.log.Debug("connecting to Slack")
	case socketmode.EventTypeConnectionError:
		l.status.connected.Store(false)
		l.log.Warn("Slack connection error", "err", evt.Data)
	case socketmode.EventTypeInvalidAuth:
		l.status.connected.Store(false)
	case socketmode.EventTypeDisconnect:
		l.status.connected.Store(false)
	}
}

// onInteractive handles an interactive envelope: a view submission is
// acked with its answer (views_listen.go); anything else is acked at once,
// then a click on a message goes to the Handler, and a click in a view and
// a closed view to the view handler.
func (l *Listener) onInteractive(evt socketmode.Event) {
	cb, ok := evt.Data.(slack.InteractionCallback)
	if ok && cb.Type == slack.InteractionTypeViewSubmission {
		l.onSubmission(evt, cb)
		return
	}
	if !ok || !l.firstTime(evt) {
		return
	}
	switch {
	case cb.Type == slack.InteractionTypeViewClosed:
		l.onViewClosed(evt, cb)
	case cb.Type != slack.InteractionTypeBlockActions:
	case cb.Container.Type == "view" || cb.View.ID != "":
		l.onViewClick(cb)
	default:
		l.onClick(evt, cb)
	}
}

// onClick hands each button pressed on a message to the Handler.
func (l *Listener) onClick(evt socketmode.Event, cb slack.InteractionCallback) {
	for _, a := range cb.ActionCallback.BlockActions {
		// Slack may redeliver one click in a new envelope; the action_ts
		// identifies the click itself.
		key := "click:" + cb.User.ID + ":" + a.ActionTs + ":" + a.ActionID
		if !l.seen.add(key) {
			continue
		}
		click := commands.Click{Ref: evt.Request.EnvelopeID, UserID: cb.User.ID, UserName: cb.User.Name,
			ChannelID: cb.Channel.ID, MessageTS: messageTS(cb), ActionID: a.ActionID, Value: a.Value, ResponseURL: cb.ResponseURL,
			TriggerID: cb.TriggerID}
		l.enqueue(job{key: key, fn: func(ctx context.Context) { l.handler.HandleClick(ctx, click) },
			channel: click.ChannelID, user: click.UserID, responseURL: click.ResponseURL, audited: true, redelivered: evt.Request.RetryAttempt > 0})
	}
}

// needsAck reports whether evt is an envelope to acknowledge at once: not
// hello, which carries a request too, and not a form submission.
func needsAck(evt socketmode.Event) bool {
	if evt.Request == nil || isSubmission(evt) {
		return false
	}
	switch evt.Type {
	case socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive, socketmode.EventTypeEventsAPI:
		return true
	}
	return false
}

func messageTS(cb slack.InteractionCallback) string {
	if cb.Container.MessageTs != "" {
		return cb.Container.MessageTs
	}
	return cb.Message.Timestamp
}

func (l *Listener) ack(evt socketmode.Event) {
	if err := l.sm.Ack(*evt.Request); err != nil {
		l.log.Error("ack", "envelope", evt.Request.EnvelopeID, "err", err)
	}
}

// firstTime reports whether this envelope has not been handled before;
// Slack retries an envelope it thinks was not acknowledged.
func (l *Listener) firstTime(evt socketmode.Event) bool {
	if evt.Request == nil || evt.Request.EnvelopeID == "" {
		return true
	}
	return l.seen.add("env:" + evt.Request.EnvelopeID)
}

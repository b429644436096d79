package slackbot

import (
	"context"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"dobot/commands"
	"dobot/internal/slacktest"
)

// A burst of envelopes while every worker is busy waits in a bounded queue:
// it does not start a goroutine per envelope.
func TestBurstDoesNotStartAGoroutinePerEnvelope(t *testing.T) {
	w := startListener(t, slacktest.Options{})
	unblock := make(chan struct{})
	defer close(unblock)
	started := make(chan struct{}, 1)
	w.handler.onCommand = func(ctx context.Context, _ commands.Request) {
		select {
		case started <- struct{}{}:
		default:
		}
		<-unblock
	}
	before := slackbotGoroutines()
	const burst = 200
	ids := make([]string, burst)
	for i := range ids {
		id, err := w.srv.SlashCommand(slack.SlashCommand{Text: "status " + strconv.Itoa(i), UserID: "U1", ChannelID: "C1"})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	// Envelopes are read in order: once the last is acked, every one has
	// been dispatched.
	if _, err := w.srv.WaitAck(w.ctx, ids[burst-1]); err != nil {
		t.Fatal(err)
	}
	<-started
	t.Logf("slackbot goroutines: %d before, %d after", before, slackbotGoroutines())
	if grew := slackbotGoroutines() - before; grew > burst/4 {
		t.Errorf("%d envelopes with every worker busy started %d goroutines; want a bounded pool", burst, grew)
	}
}

// In a burst, handlers leave a core to the socket reader and the ack
// sender: once the queue is long, at most GOMAXPROCS-1 (and at least one)
// run at once.
func TestBurstLeavesACoreForTheAcks(t *testing.T) {
	const burst = 100
	w := startListener(t, slacktest.Options{})
	unblock := make(chan struct{})
	var started, running, most atomic.Int32
	overlap, overlapOnce := make(chan struct{}), sync.Once{}
	w.handler.onCommand = func(ctx context.Context, _ commands.Request) {
		i := started.Add(1)
		if i <= 16 {
			<-unblock // the first ones hold every worker while the burst queues
			return
		}
		n := running.Add(1)
		// The last few start once the queue is short again, unthrottled.
		for m := most.Load(); i <= burst-2*burstBacklog && n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		if n > 1 {
			overlapOnce.Do(func() { close(overlap) })
		}
		// The handler's work lasts until another handler runs beside it
		// (the limit is broken: the test fails on it), or a moment.
		select {
		case <-overlap:
		case <-time.After(time.Millisecond):
		}
		running.Add(-1)
	}
	ids := make([]string, burst)
	for i := range ids {
		id, err := w.srv.SlashCommand(slack.SlashCommand{Text: "status " + strconv.Itoa(i), UserID: "U1", ChannelID: "C1"})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	if _, err := w.srv.WaitAck(w.ctx, ids[burst-1]); err != nil {
		t.Fatal(err)
	}
	close(unblock)
	deadline := time.Now().Add(waitFor)
	for started.Load() < burst && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	if got := started.Load(); got < burst {
		t.Fatalf("%d of %d commands ran", got, burst)
	}
	if limit := int32(max(1, runtime.GOMAXPROCS(0)-1)); most.Load() > limit {
		t.Errorf("%d handlers ran at once in a burst; want at most %d, leaving a core to the acks", most.Load(), limit)
	}
}

// slackbotGoroutines counts the goroutines running this package's code
// (a frame in dobot/slackbot, however they were started): the test
// server's and the HTTP client's goroutines, which come and go with the
// machine's load, do not count.
func slackbotGoroutines() int {
	buf := make([]byte, 8<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "dobot/slackbot.") {
			n++
		}
	}
	return n
}

// The "restarting" notes sent while draining are joined: Run does not
// return while one is still being sent.
func TestRunWaitsForRestartingNotes(t *testing.T) {
	w := startListener(t, slacktest.Options{})
	if !w.listener.Drain(waitFor) {
		t.Fatal("Drain with no work did not finish")
	}
	release := w.srv.Hold(func(method string, _ url.Values) bool { return method == "chat.postEphemeral" })
	defer release()
	if _, err := w.srv.SlashCommand(slack.SlashCommand{Text: "status", UserID: "U1", ChannelID: "C1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.WaitMessage(w.ctx, func(m slacktest.Message) bool {
		return m.Method == "chat.postEphemeral" && m.User == "U1"
	}); err != nil {
		t.Fatalf("no restarting note: %v", err)
	}
	w.stop()
	// The note is held by Slack: Run must still be waiting for it. (This
	// only ever passes wrongly on a slow machine; it cannot fail wrongly.)
	select {
	case err := <-w.done:
		w.done <- err
		t.Fatal("Run returned while a restarting note was still being sent")
	case <-time.After(300 * time.Millisecond):
	}
	release()
	select {
	case err := <-w.done:
		w.done <- err
	case <-time.After(waitFor):
		t.Fatal("Run did not return once the note was sent")
	}
}

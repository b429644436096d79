// Package slacktest is a stand-in for Slack in end-to-end tests. It speaks
// the real Socket Mode protocol (apps.connections.open, hello, envelopes,
// websocket pings, acks, disconnect) and the parts of the Web API the bot
// uses, as the unmodified slack-go client sends and expects them, so the
// real bot binary can be pointed at it with slack.OptionAPIURL.
//
// Everything the bot does is recorded: every Web API call (Calls), every
// message-like call (Messages) and every ack (Acks). Faults — failing
// channels, rate limits, dropped connections — are injected per test.
//
// Where the server has to choose, it copies Slack rather than what would be
// convenient: chat.* methods carry the bot token in the "token" form field,
// slash-command payloads have string values ("is_enterprise_install":"false"),
// a block_actions payload on an ephemeral message has no "message", a
// response_url may be used five times within thirty minutes, blocks and text
// must keep within Slack's limits, and an envelope not acked within three
// seconds is delivered again.
package slacktest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"dobot/internal/slacktest/views"
)

// Identifiers this fake workspace reports wherever Slack would name the
// team, the app or the bot.
const (
	TeamID     = "T0TEST"
	TeamDomain = "slacktest"
	AppID      = "A0TEST"
	BotUserID  = "U0BOT"
	BotID      = "B0BOT"
)

// Options configures a Server. The zero value is usable.
type Options struct {
	// BotToken is the token every Web API method except
	// apps.connections.open requires, either as "Authorization: Bearer" or
	// in the "token" form field (slack-go uses the form field for chat.*,
	// users.info and auth.test). Default "xoxb-test-bot".
	BotToken string
	// AppToken is the app-level token apps.connections.open requires as
	// "Authorization: Bearer". Default "xapp-test-app".
	AppToken string
	// PingInterval is how often the server sends websocket ping frames.
	// slack-go drops a connection that saw no ping for 30s, so it must stay
	// below that. Default 5s.
	PingInterval time.Duration
	// Users maps user ids to names for users.info, slash commands and
	// clicks. Ids not in the map are named by their lowercased id.
	Users map[string]string
	// DisconnectGrace is how long a connection told to disconnect stays
	// open before the server closes it, as Slack does. Default 10s.
	DisconnectGrace time.Duration
	// Now is the clock response_url expiry is measured by, so a test can
	// move past Slack's thirty minutes without waiting. Default time.Now.
	Now func() time.Time
	// AckDeadline is how long an envelope waits for its ack before the
	// server redelivers it, as Slack does after three seconds. Default 3s.
	AckDeadline time.Duration
	// TriggerLife is how long a trigger_id may be exchanged for a view,
	// measured by Now: Slack says three seconds
	// (docs.slack.dev/surfaces/modals, "Opening modals"). Default 3s.
	TriggerLife time.Duration
	// HomeTabDisabled makes views.publish answer not_enabled, as for an
	// app whose manifest does not enable the Home tab.
	HomeTabDisabled bool
}

// Server is a running fake Slack. It is safe for concurrent use.
type Server struct {
	opts Options
	http *httptest.Server
	wg   sync.WaitGroup // websocket goroutines, waited for by Close

	mu      sync.Mutex
	changed chan struct{} // closed and replaced whenever recorded state changes
	closed  bool

	sock   socketState  // Socket Mode (socket.go)
	web    webState     // Web API calls and what they made (webapi.go, messages.go)
	faults faultState   // failures injected per test (webapi.go)
	views  *views.State // modals, Home tabs and trigger_ids (views.go, viewdrive.go)

	holdMu sync.Mutex
	holds  []*hold // see Hold
}

// socketState is the Socket Mode side of a Server.
type socketState struct {
	tickets     map[string]bool // issued and not yet used
	conns       map[*wsConn]bool
	live        liveConns // where envelopes go: every connection that got hello and no disconnect
	connections int
	sent        map[string]delivery // envelope id → when and where it was written
	acks        []Ack
	acked       map[string]bool          // envelope ids whose ack was read
	ackWaits    map[string]chan struct{} // envelope id → closed at its ack (awaitAck)
	firstOf     map[string]string        // redelivery's envelope id → first delivery's
	attemptOf   map[string]int           // redelivery's envelope id → its retry_attempt
	loseAcks    int                      // acks still to ignore, see LoseAcks
}

// webState is what the Web API calls asked for and made.
type webState struct {
	calls     []Call
	messages  []Message
	posts     map[postKey]*Message // current content of each posted message
	ephemeral map[string]bool      // message_ts of ephemeral messages
	tsSeq     int
	responses map[string]*responseTarget // response_url path → target
	uploads   map[string]bool            // file id → uploaded
}

// faultState is the failures a test injected into the Web API.
type faultState struct {
	failChannel map[string]string
	notMember   map[string]bool // channels the bot is not in, see LeaveChannel
	rateLimits  map[string]*rateLimit
	userInfoErr string
}

// New starts a Server on a loopback port. Call Close when done.
func New(opts Options) *Server {
	if opts.BotToken == "" {
		opts.BotToken = "xoxb-test-bot"
	}
	if opts.AppToken == "" {
		opts.AppToken = "xapp-test-app"
	}
	if opts.PingInterval <= 0 {
		opts.PingInterval = 5 * time.Second
	}
	if opts.DisconnectGrace <= 0 {
		opts.DisconnectGrace = 10 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.AckDeadline <= 0 {
		opts.AckDeadline = 3 * time.Second
	}
	if opts.TriggerLife <= 0 {
		opts.TriggerLife = 3 * time.Second
	}
	s := &Server{
		opts:    opts,
		changed: make(chan struct{}),
		sock: socketState{tickets: map[string]bool{}, conns: map[*wsConn]bool{}, sent: map[string]delivery{},
			acked: map[string]bool{}, ackWaits: map[string]chan struct{}{}, firstOf: map[string]string{}, attemptOf: map[string]int{}},
		web: webState{posts: map[postKey]*Message{}, ephemeral: map[string]bool{},
			responses: map[string]*responseTarget{}, uploads: map[string]bool{}},
		faults: faultState{failChannel: map[string]string{}, notMember: map[string]bool{}, rateLimits: map[string]*rateLimit{}},
		views:  views.New(opts.TriggerLife),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.handleAPI)
	mux.HandleFunc("/link/", s.handleLink)
	mux.HandleFunc("/response/", s.handleResponseURL)
	mux.HandleFunc("/upload/", s.handleUpload)
	mux.HandleFunc("/", s.handleUnknown)
	s.http = httptest.NewServer(mux)
	return s
}

// Close closes every websocket connection and the HTTP server, and waits
// for the server's goroutines to finish. Waits still blocked return an
// error.
func (s *Server) Close() {
	s.releaseHolds()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	for id, ch := range s.sock.ackWaits {
		close(ch)
		delete(s.sock.ackWaits, id)
	}
	conns := make([]*wsConn, 0, len(s.sock.conns))
	for c := range s.sock.conns {
		conns = append(conns, c)
	}
	s.sock.live = liveConns{}
	s.notifyLocked()
	s.mu.Unlock()

	for _, c := range conns {
		c.close()
	}
	s.http.Close()
	s.wg.Wait()
}

// APIURL is the base URL to hand to slack.OptionAPIURL, with the trailing
// slash slack-go expects.
func (s *Server) APIURL() string { return s.http.URL + "/api/" }

// errClosed is returned by waits and sends once Close has been called.
var errClosed = errors.New("slacktest: server closed")

// notifyLocked wakes every waiter. s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// wait blocks until cond, called with s.mu held, reports true, the server
// closes, or ctx ends.
func (s *Server) wait(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		if cond() {
			s.mu.Unlock()
			return nil
		}
		if s.closed {
			s.mu.Unlock()
			return errClosed
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// userName is what Slack would call the user with this id.
func (s *Server) userName(id string) string {
	if name, ok := s.opts.Users[id]; ok {
		return name
	}
	return strings.ToLower(id)
}

// randomHex returns n random bytes as hex.
func randomHex(n int) string { return views.RandomHex(n) }

// newUUID returns a random version 4 UUID, the shape of Slack's envelope ids.
func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
}

package slacktest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
)

// envelopeWait is how long an envelope waits for a connection when none is
// live, e.g. while the client reconnects.
const envelopeWait = 5 * time.Second

// writeTimeout bounds every websocket write, so a stuck client cannot hang
// a test.
const writeTimeout = 10 * time.Second

// Ack is a Socket Mode acknowledgement the client sent back.
type Ack struct {
	// EnvelopeID is the id of the acknowledged envelope.
	EnvelopeID string
	// Payload is the ack's optional payload, e.g. a slash command's
	// immediate response message; nil when the client sent none.
	Payload json.RawMessage
	// SentAt is when the envelope was written, taken just before the
	// write; zero if the envelope id is not one this server sent.
	SentAt time.Time
	// AckedAt is when the ack was read, taken just after the read.
	AckedAt time.Time
	// FirstEnvelopeID is the id of the envelope's first delivery: the
	// same as EnvelopeID unless this ack is for a redelivery.
	FirstEnvelopeID string
	// RetryAttempt is the acked delivery's retry_attempt: 0 for the first.
	RetryAttempt int
	// Connection is the number (1 for the first opened) of the connection
	// the acked delivery was written to; 0 if unknown.
	Connection int
}

// delivery is when and on which connection an envelope was written.
type delivery struct {
	at   time.Time
	conn int
}

// MaxConnections is how many Socket Mode connections one app may hold open
// at once, as Slack allows.
const MaxConnections = 10

// liveConns are the connections envelopes go to, oldest first. As Slack
// does, each envelope goes to one of them: here to each in turn.
type liveConns struct {
	list []*wsConn
	next int
}

func (l *liveConns) add(c *wsConn) { l.list = append(l.list, c) }

func (l *liveConns) remove(c *wsConn) {
	for i, x := range l.list {
		if x == c {
			l.list = append(l.list[:i:i], l.list[i+1:]...)
			return
		}
	}
}

// pick is the connection for the next envelope, nil when none is live.
func (l *liveConns) pick() *wsConn {
	if len(l.list) == 0 {
		return nil
	}
	l.next = (l.next + 1) % len(l.list)
	return l.list[l.next]
}

// newest is the connection opened last, nil when none is live.
func (l *liveConns) newest() *wsConn {
	if len(l.list) == 0 {
		return nil
	}
	return l.list[len(l.list)-1]
}

// wsConn is one Socket Mode websocket. gorilla/websocket allows a single
// concurrent writer, so data frames go through wmu; WriteControl (pings) and
// Close may run concurrently with it.
type wsConn struct {
	id   int
	ws   *websocket.Conn
	wmu  sync.Mutex
	done chan struct{} // closed when the read loop ends

	closeOnce sync.Once
}

func (c *wsConn) close() { c.closeOnce.Do(func() { _ = c.ws.Close() }) }

// write sends one text frame. before runs, with the write lock held, just
// before the frame is written, so timestamps taken there are accurate.
func (c *wsConn) write(data []byte, before func()) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.ws.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return err
	}
	if before != nil {
		before()
	}
	return c.ws.WriteMessage(websocket.TextMessage, data)
}

var upgrader = websocket.Upgrader{
	// Slack's client sends Origin https://api.slack.com; accept anything.
	CheckOrigin: func(*http.Request) bool { return true },
}

// handleLink serves the websocket URL handed out by apps.connections.open.
func (s *Server) handleLink(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	valid := s.sock.tickets[ticket]
	delete(s.sock.tickets, ticket) // tickets are single use
	closed := s.closed
	s.mu.Unlock()
	if closed {
		http.Error(w, "server closed", http.StatusServiceUnavailable)
		return
	}
	if !valid {
		http.Error(w, "invalid or used ticket", http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	full := len(s.sock.conns) >= MaxConnections
	s.mu.Unlock()
	if full {
		// Slack does not document what an eleventh connection gets; a
		// refusal makes a client that opens too many fail loudly.
		http.Error(w, fmt.Sprintf("too many connections: an app may have %d", MaxConnections), http.StatusTooManyRequests)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has already answered the client
	}
	c := &wsConn{ws: ws, done: make(chan struct{})}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.close()
		return
	}
	s.sock.connections++
	c.id = s.sock.connections
	s.sock.conns[c] = true
	live := len(s.sock.conns)
	s.wg.Add(1) // the ping loop; this handler is tracked by httptest until hijack only
	s.wg.Add(1) // this handler's read loop
	s.mu.Unlock()
	defer s.wg.Done()

	go s.pingLoop(c)
	hello, _ := json.Marshal(map[string]any{
		"type":            "hello",
		"num_connections": live,
		"debug_info": map[string]any{
			"host":                        "slacktest",
			"started":                     time.Now().UTC().Format("2006-01-02 15:04:05.000"),
			"build_number":                1,
			"approximate_connection_time": 18060,
		},
		"connection_info": map[string]any{"app_id": AppID},
	})
	if err := c.write(hello, nil); err == nil {
		s.mu.Lock()
		if !s.closed {
			s.sock.live.add(c)
			s.notifyLocked()
		}
		s.mu.Unlock()
	}
	s.readLoop(c)
}

// readLoop records acks until the connection fails, then forgets it.
func (s *Server) readLoop(c *wsConn) {
	defer func() {
		close(c.done)
		c.close()
		s.mu.Lock()
		delete(s.sock.conns, c)
		s.sock.live.remove(c)
		s.notifyLocked()
		s.mu.Unlock()
	}()
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		ackedAt := time.Now()
		var a struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &a) != nil || a.EnvelopeID == "" {
			continue // Slack ignores frames that are not acks
		}
		s.mu.Lock()
		if s.sock.loseAcks > 0 {
			s.sock.loseAcks-- // lost on the way, as far as the server knows
			s.mu.Unlock()
			continue
		}
		first := s.sock.firstOf[a.EnvelopeID]
		if first == "" {
			first = a.EnvelopeID
		}
		s.sock.acked[a.EnvelopeID] = true
		if ch := s.sock.ackWaits[a.EnvelopeID]; ch != nil {
			close(ch)
			delete(s.sock.ackWaits, a.EnvelopeID)
		}
		s.sock.acks = append(s.sock.acks, Ack{
			EnvelopeID:      a.EnvelopeID,
			Payload:         a.Payload,
			SentAt:          s.sock.sent[a.EnvelopeID].at,
			Connection:      s.sock.sent[a.EnvelopeID].conn,
			AckedAt:         ackedAt,
			FirstEnvelopeID: first,
			RetryAttempt:    s.sock.attemptOf[a.EnvelopeID],
		})
		s.views.Ack(first, a.Payload, s.opts.Now(), s.opts.AckDeadline)
		s.notifyLocked()
		s.mu.Unlock()
	}
}

// pingLoop sends websocket pings, which slack-go's dead-man timer needs.
func (s *Server) pingLoop(c *wsConn) {
	defer s.wg.Done()
	t := time.NewTicker(s.opts.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			err := c.ws.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(writeTimeout))
			if err != nil {
				return
			}
		}
	}
}

// WaitConnected blocks until a client is connected and has been sent hello.
func (s *Server) WaitConnected(ctx context.Context) error {
	if err := s.wait(ctx, func() bool { return s.sock.live.newest() != nil }); err != nil {
		return fmt.Errorf("wait for socket mode connection: %w", err)
	}
	return nil
}

// WaitConnectedAfter is WaitConnected for a connection opened after the
// first n: a restarted bot's, not its predecessor's.
func (s *Server) WaitConnectedAfter(ctx context.Context, n int) error {
	if err := s.wait(ctx, func() bool { c := s.sock.live.newest(); return c != nil && c.id > n }); err != nil {
		return fmt.Errorf("wait for socket mode connection: %w", err)
	}
	return nil
}

// Live is how many connections envelopes may go to now.
func (s *Server) Live() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sock.live.list)
}

// Connections is how many websocket connections have been opened so far,
// including closed ones; a reconnect makes it grow by one.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sock.connections
}

// envelope is a Socket Mode request as Slack frames it. A first delivery
// carries retry_attempt 0 and an empty retry_reason, as slack-go's own
// fixtures show.
type envelope struct {
	EnvelopeID             string          `json:"envelope_id"`
	Payload                json.RawMessage `json:"payload"`
	Type                   string          `json:"type"`
	AcceptsResponsePayload bool            `json:"accepts_response_payload"`
	RetryAttempt           int             `json:"retry_attempt"`
	RetryReason            string          `json:"retry_reason"`
}

// maxRedeliveries is how many times an unacknowledged envelope is sent
// again, as Slack retries an event three times.
const maxRedeliveries = 3

// LoseAcks makes the server ignore the next n acks it reads, as if they
// were lost or arrived after the deadline: the envelopes they answer are
// redelivered once Options.AckDeadline passes.
func (s *Server) LoseAcks(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sock.loseAcks = n
}

// liveConn returns the connection the next envelope goes to (choose picks
// it among the live ones), waiting up to envelopeWait for one.
func (s *Server) liveConn(choose func(*liveConns) *wsConn) (*wsConn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), envelopeWait)
	defer cancel()
	var c *wsConn
	err := s.wait(ctx, func() bool { c = choose(&s.sock.live); return c != nil })
	if err != nil {
		return nil, fmt.Errorf("no socket mode connection within %v: %w", envelopeWait, err)
	}
	return c, nil
}

// SlashCommand sends a slash_commands envelope. Command defaults to "/do";
// TeamID, TeamDomain, APIAppID, UserName, ChannelName, ResponseURL (a URL on
// this server, unique per envelope) and TriggerID are filled if empty. The
// payload is encoded as Slack does, with every value a string.
func (s *Server) SlashCommand(c slack.SlashCommand) (envelopeID string, err error) {
	id := newUUID()
	if c.Command == "" {
		c.Command = "/do"
	}
	if c.TeamID == "" {
		c.TeamID = TeamID
	}
	if c.TeamDomain == "" {
		c.TeamDomain = TeamDomain
	}
	if c.APIAppID == "" {
		c.APIAppID = AppID
	}
	if c.UserName == "" {
		c.UserName = s.userName(c.UserID)
	}
	if c.ChannelName == "" {
		c.ChannelName = strings.ToLower(c.ChannelID)
	}
	c.TriggerID = s.issueTrigger(c.TriggerID, c.UserID)
	if c.Token == "" {
		c.Token = "verification-token"
	}
	if c.ResponseURL == "" {
		c.ResponseURL = s.newResponseURL(id, c.ChannelID, "", false)
	}
	payload := map[string]string{
		"token":                 c.Token,
		"team_id":               c.TeamID,
		"team_domain":           c.TeamDomain,
		"channel_id":            c.ChannelID,
		"channel_name":          c.ChannelName,
		"user_id":               c.UserID,
		"user_name":             c.UserName,
		"command":               c.Command,
		"text":                  c.Text,
		"api_app_id":            c.APIAppID,
		"is_enterprise_install": fmt.Sprint(c.IsEnterpriseInstall),
		"response_url":          c.ResponseURL,
		"trigger_id":            c.TriggerID,
	}
	if c.EnterpriseID != "" {
		payload["enterprise_id"] = c.EnterpriseID
		payload["enterprise_name"] = c.EnterpriseName
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return "", fmt.Errorf("marshal slash command: %w", err)
	}
	return s.sendEnvelope(envelope{EnvelopeID: id, Payload: raw, Type: "slash_commands", AcceptsResponsePayload: true})
}

// Interaction sends an "interactive" envelope whose payload is cb as
// slack-go encodes it. Type defaults to block_actions; ResponseURL,
// TriggerID, APIAppID and Team.ID are filled if empty. Prefer ClickButton
// for button clicks: it builds the payload the way Slack does.
func (s *Server) Interaction(cb slack.InteractionCallback) (envelopeID string, err error) {
	id := newUUID()
	if cb.Type == "" {
		cb.Type = slack.InteractionTypeBlockActions
	}
	cb.TriggerID = s.issueTrigger(cb.TriggerID, cb.User.ID)
	if cb.APIAppID == "" {
		cb.APIAppID = AppID
	}
	if cb.Team.ID == "" {
		cb.Team.ID = TeamID
	}
	if cb.ResponseURL == "" {
		channel := cb.Container.ChannelID
		if channel == "" {
			channel = cb.Channel.ID
		}
		ts := cb.Container.MessageTs
		if ts == "" {
			ts = cb.Message.Timestamp
		}
		cb.ResponseURL = s.newResponseURL(id, channel, ts, cb.Container.IsEphemeral)
	}
	raw, err := json.Marshal(&cb)
	if err != nil {
		return "", fmt.Errorf("marshal interaction: %w", err)
	}
	return s.sendEnvelope(envelope{EnvelopeID: id, Payload: raw, Type: "interactive"})
}

// Disconnect sends the newest live connection (waiting for one as
// SlashCommand does) a disconnect request, as Slack does
// before it recycles a connection; reason is e.g. "refresh_requested",
// "warning" or "link_disabled". No envelope goes to that connection
// afterwards, and the server closes it after Options.DisconnectGrace if the
// client has not.
func (s *Server) Disconnect(reason string) error {
	c, err := s.liveConn((*liveConns).newest)
	if err != nil {
		return fmt.Errorf("disconnect: %w", err)
	}
	msg, _ := json.Marshal(map[string]any{
		"type":       "disconnect",
		"reason":     reason,
		"debug_info": map[string]any{"host": "slacktest"},
	})
	err = c.write(msg, nil)
	s.mu.Lock()
	s.sock.live.remove(c)
	s.notifyLocked()
	if !s.closed {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			t := time.NewTimer(s.opts.DisconnectGrace)
			defer t.Stop()
			select {
			case <-c.done:
			case <-t.C:
				c.close()
			}
		}()
	}
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("send disconnect on connection %d: %w", c.id, err)
	}
	return nil
}

// DropConnection closes the newest live connection's TCP socket without a
// close frame, as a network failure would.
func (s *Server) DropConnection() {
	s.mu.Lock()
	c := s.sock.live.newest()
	s.sock.live.remove(c)
	s.notifyLocked()
	s.mu.Unlock()
	if c != nil {
		c.close()
	}
}

// SendRaw writes v to the newest live connection as one text frame: []byte,
// json.RawMessage and string as they are, anything else as JSON. It is for
// tests of malformed or unexpected frames.
func (s *Server) SendRaw(v any) error {
	var data []byte
	switch v := v.(type) {
	case []byte:
		data = v
	case json.RawMessage:
		data = v
	case string:
		data = []byte(v)
	default:
		var err error
		if data, err = json.Marshal(v); err != nil {
			return fmt.Errorf("send raw: %w", err)
		}
	}
	c, err := s.liveConn((*liveConns).newest)
	if err != nil {
		return fmt.Errorf("send raw: %w", err)
	}
	if err := c.write(data, nil); err != nil {
		return fmt.Errorf("send raw on connection %d: %w", c.id, err)
	}
	return nil
}

// WaitAck blocks until the envelope, or a redelivery of it, has been
// acked, or ctx ends.
func (s *Server) WaitAck(ctx context.Context, envelopeID string) (Ack, error) {
	var ack Ack
	err := s.wait(ctx, func() bool {
		for _, a := range s.sock.acks {
			if a.EnvelopeID == envelopeID || a.FirstEnvelopeID == envelopeID {
				ack = a
				return true
			}
		}
		return false
	})
	if err != nil {
		return Ack{}, fmt.Errorf("wait for ack of envelope %s: %w", envelopeID, err)
	}
	return ack, nil
}

// Acks returns every ack received so far, in order.
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Ack(nil), s.sock.acks...)
}

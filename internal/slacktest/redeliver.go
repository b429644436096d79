package slacktest

// Sending envelopes, and sending them again when their ack does not come
// in time, as Slack does.

import (
	"encoding/json"
	"fmt"
	"time"
)

// sendEnvelope writes env to the live connection and redelivers it if no
// ack arrives within Options.AckDeadline, as Slack does.
func (s *Server) sendEnvelope(env envelope) (string, error) {
	if err := s.deliver(env); err != nil {
		return "", err
	}
	s.mu.Lock()
	if !s.closed {
		s.wg.Add(1)
		go s.redeliverUnacked(env)
	}
	s.mu.Unlock()
	return env.EnvelopeID, nil
}

// redeliverUnacked sends env again, up to maxRedeliveries times, while its
// latest delivery is not acked within the deadline, with retry_attempt
// counting up and retry_reason "timeout" (the value Slack's own Java and
// Node Socket Mode SDKs document and test with). Whether Slack keeps the
// envelope_id on a retry is not documented; each redelivery here gets a new
// one, the harder case, so a client must recognise a retry by its payload.
// Slack documents retries for Events API envelopes; slash commands and
// clicks are redelivered here too, so the bot is ready for either.
func (s *Server) redeliverUnacked(env envelope) {
	defer s.wg.Done()
	first := env.EnvelopeID
	for attempt := 1; attempt <= maxRedeliveries; attempt++ {
		if s.awaitAck(env.EnvelopeID) {
			return
		}
		env.EnvelopeID = newUUID()
		env.RetryAttempt = attempt
		env.RetryReason = "timeout"
		s.mu.Lock()
		s.sock.firstOf[env.EnvelopeID] = first
		s.sock.attemptOf[env.EnvelopeID] = attempt
		s.mu.Unlock()
		if s.deliver(env) != nil {
			return
		}
	}
}

// awaitAck waits up to the ack deadline for envelope id's ack, on a
// channel of its own: waiting on s.changed would wake every envelope in
// flight at every ack and message, which a burst of a thousand turns into
// half a million wake-ups on the CPU the bot under test needs. It reports
// whether the envelope needs no redelivery: acked, or the server closed.
func (s *Server) awaitAck(id string) bool {
	s.mu.Lock()
	if s.sock.acked[id] || s.closed {
		s.mu.Unlock()
		return true
	}
	ch := make(chan struct{})
	s.sock.ackWaits[id] = ch
	s.mu.Unlock()
	t := time.NewTimer(s.opts.AckDeadline)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sock.ackWaits, id)
	return s.sock.acked[id] || s.closed
}

// deliver writes env to one live connection, each in turn, recording when
// and where. An unacked envelope's redelivery may so go to another
// connection than the first delivery, as with Slack.
func (s *Server) deliver(env envelope) error {
	data, err := json.Marshal(env)
	if err != nil {
		return fmt.Errorf("marshal %s envelope: %w", env.Type, err)
	}
	c, err := s.liveConn((*liveConns).pick)
	if err != nil {
		return fmt.Errorf("send %s envelope: %w", env.Type, err)
	}
	err = c.write(data, func() {
		s.mu.Lock()
		s.sock.sent[env.EnvelopeID] = delivery{at: time.Now(), conn: c.id}
		s.mu.Unlock()
	})
	if err != nil {
		// A connection that cannot take a write gets no more envelopes.
		s.mu.Lock()
		s.sock.live.remove(c)
		s.notifyLocked()
		s.mu.Unlock()
		c.close()
		return fmt.Errorf("send %s envelope on connection %d: %w", env.Type, c.id, err)
	}
	return nil
}

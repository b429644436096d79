package bench

import (
	"fmt"
	"testing"
	"time"

	"dobot/internal/slacktest"
)

// ackLatencies returns ack latency (envelope written → ack read) of each id
// that was acked, sorted, and the acks themselves.
func ackLatencies(ids []string, acks map[string]slacktest.Ack) []time.Duration {
	var ds []time.Duration
	for _, id := range ids {
		if a, ok := acks[id]; ok && !a.SentAt.IsZero() {
			ds = append(ds, a.AckedAt.Sub(a.SentAt))
		}
	}
	return sortDurations(ds)
}

// answers waits for n and counts the private answers to the admin recorded after since.
func (r *rig) answers(n int, since time.Time, timeout time.Duration) int {
	return len(r.waitMessages(n, timeout, func(m slacktest.Message) bool {
		return m.Method == "chat.postEphemeral" && m.User == admin && !m.At.Before(since)
	}))
}

// measureAckSteady sends `status` at a steady rate over one socket and
// reports the ack latency's p50 and p99.
func measureAckSteady(t *testing.T, sz sizes, res *results) {
	r := newRig(t, rigOptions{})
	n := int(float64(sz.steadyRate) * sz.steadyFor.Seconds())
	interval := time.Second / time.Duration(sz.steadyRate)
	ids := make([]string, 0, n)
	start := time.Now()
	var behind time.Duration
	for i := range n {
		next := start.Add(time.Duration(i) * interval)
		if d := time.Until(next); d > 0 {
			time.Sleep(d)
		} else {
			behind = max(behind, -d)
		}
		ids = append(ids, r.slash("status"))
	}
	sent := time.Since(start)
	acks := r.waitAcks(ids, 30*time.Second)
	lat := ackLatencies(ids, acks)
	if len(lat) != n {
		t.Fatalf("%d of %d status commands acked\n%s", len(lat), n, r.logs)
	}
	answered := r.answers(n, start, 60*time.Second)
	if answered < n {
		t.Errorf("%d of %d status commands answered\n%s", answered, n, r.logs)
	}
	p50, p99, worst := percentile(lat, 50), percentile(lat, 99), lat[len(lat)-1]
	res.add(fmt.Sprintf("ack latency, `status` at %d/s for %v (%d commands, one socket)", sz.steadyRate, sz.steadyFor, n),
		"p50 ≤ 1 ms, p99 ≤ 5 ms",
		fmt.Sprintf("p50 %s, p99 %s (max %s)", ms(p50), ms(p99), ms(worst)),
		p50 <= time.Millisecond && p99 <= 5*time.Millisecond)
	res.note("steady acks: %d commands written in %v (sender at most %v behind schedule); all %d acked and %d answered",
		n, sent.Round(time.Millisecond), behind.Round(time.Microsecond), len(lat), answered)
}

// measureAckBurst writes many commands back to back over one socket and
// reports how long the last ack took after the first envelope.
func measureAckBurst(t *testing.T, sz sizes, res *results) {
	r := newRig(t, rigOptions{})
	n := sz.burst
	ids := make([]string, 0, n)
	start := time.Now()
	for range n {
		ids = append(ids, r.slash("status"))
	}
	acks := r.waitAcks(ids, 60*time.Second)
	lat := ackLatencies(ids, acks)
	if len(acks) == 0 {
		t.Fatalf("no command of the burst was acked\n%s", r.logs)
	}
	var firstSent, lastSent, lastAck time.Time
	for _, a := range acks {
		if firstSent.IsZero() || a.SentAt.Before(firstSent) {
			firstSent = a.SentAt
		}
		if a.SentAt.After(lastSent) {
			lastSent = a.SentAt
		}
		if a.AckedAt.After(lastAck) {
			lastAck = a.AckedAt
		}
	}
	span := lastAck.Sub(firstSent)
	rate := float64(len(acks)) / span.Seconds()
	if len(acks) != n {
		t.Errorf("%d of %d burst commands acked\n%s", len(acks), n, r.logs)
	}
	answered := r.answers(n, start, 120*time.Second)
	answeredIn := time.Duration(0)
	if got := r.waitMessages(0, 0, func(m slacktest.Message) bool {
		return m.Method == "chat.postEphemeral" && m.User == admin && !m.At.Before(start)
	}); len(got) > 0 {
		answeredIn = got[len(got)-1].At.Sub(firstSent)
	}
	if answered < n {
		t.Errorf("%d of %d burst commands answered\n%s", answered, n, r.logs)
	}
	res.add(fmt.Sprintf("burst: %d `status` commands written at once", n),
		"every one acked; last ack ≤ 250 ms after first envelope (≥ 4,000 acks/s)",
		fmt.Sprintf("%d/%d acked; last ack %s after first envelope (%.0f acks/s)", len(acks), n, ms(span), rate),
		len(acks) == n && span <= 250*time.Millisecond)
	res.note("burst: writing the %d envelopes took %s; per-envelope ack latency p50 %s, p99 %s; all %d answered %s after the first envelope (not a target)",
		n, ms(lastSent.Sub(firstSent)), ms(percentile(lat, 50)), ms(percentile(lat, 99)), answered, ms(answeredIn))
}

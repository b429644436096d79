package bench

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"testing"
)

// metric is one line of the peer comparison.
type metric struct {
	name         string
	unit         string
	higherBetter bool
	// ratio is the target for dobot / peer (at most, or at least
	// when higherBetter); 0 when the issue sets none.
	ratio float64
	// guard is the absolute line for dobot's median, at most
	// (at least when higherBetter); 0 when there is none.
	guard float64
}

// The measures, in the order they are printed. The targets are issue 16's.
var (
	metricAckP50    = &metric{name: "ack p50, `status` at 200/s", unit: "ms", ratio: 0.8}
	metricAckP99    = &metric{name: "ack p99, `status` at 200/s", unit: "ms", ratio: 0.5, guard: 5}
	metricAnswerP50 = &metric{name: "answer p50 (command → the asker's ephemeral arrives), at 200/s", unit: "ms", ratio: 0.5}
	metricAnswerP99 = &metric{name: "answer p99 (command → the asker's ephemeral arrives), at 200/s", unit: "ms", ratio: 0.5}
	metricBurstRate = &metric{name: "burst ack rate (commands / first envelope → last ack)", unit: "acks/s", higherBetter: true, ratio: 3}
	metricBurstLast = &metric{name: "burst: last ack after the first envelope", unit: "ms", guard: 250}
	metricRSS       = &metric{name: "idle RSS after connecting", unit: "MB", ratio: 0.4, guard: 30}
	metricPeakRSS   = &metric{name: "peak RSS over the round (VmHWM)", unit: "MB"}
	metricStart     = &metric{name: "start-up (process start → Socket Mode hello)", unit: "ms", guard: 300}

	peerMetrics = []*metric{metricAckP50, metricAckP99, metricAnswerP50, metricAnswerP99, metricBurstRate, metricBurstLast, metricRSS, metricPeakRSS, metricStart}
)

// peerTable collects each contender's value of each metric in each round.
type peerTable struct {
	rounds int
	ours   string // dobot
	theirs string // the peer
	mu     sync.Mutex
	values map[*metric]map[string]map[int]float64 // metric → contender → round → value
	notes  []string
}

func newPeerTable(rounds int, ours, theirs string) *peerTable {
	return &peerTable{rounds: rounds, ours: ours, theirs: theirs, values: map[*metric]map[string]map[int]float64{}}
}

func (p *peerTable) add(round int, m *metric, who string, v float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.values[m] == nil {
		p.values[m] = map[string]map[int]float64{}
	}
	if p.values[m][who] == nil {
		p.values[m][who] = map[int]float64{}
	}
	p.values[m][who][round] = v
}

func (p *peerTable) note(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.notes = append(p.notes, fmt.Sprintf(format, args...))
}

// missing names every measure that lacks a usable number for either
// contender in any round: the rows that would print empty or wrong.
func (p *peerTable) missing() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, m := range peerMetrics {
		for _, who := range []string{p.ours, p.theirs} {
			got := 0
			for round := range p.rounds {
				v, ok := p.values[m][who][round]
				if ok && v > 0 && !math.IsInf(v, 0) && !math.IsNaN(v) {
					got++
				}
			}
			if got < p.rounds {
				out = append(out, fmt.Sprintf("%s: %s measured in %d of %d rounds", m.name, who, got, p.rounds))
			}
		}
	}
	return out
}

// line is one measure's summary over the rounds.
type line struct {
	m                 *metric
	ours, theirs      float64 // medians
	ratio             float64 // ours / theirs
	lowRatio, hiRatio float64 // over the rounds' own ratios
}

func (p *peerTable) lines() []line {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []line
	for _, m := range peerMetrics {
		ours, theirs := p.values[m][p.ours], p.values[m][p.theirs]
		l := line{m: m, ours: median(ours), theirs: median(theirs), lowRatio: math.Inf(1), hiRatio: math.Inf(-1)}
		l.ratio = l.ours / l.theirs
		for round, o := range ours {
			if t, ok := theirs[round]; ok && t > 0 {
				l.lowRatio, l.hiRatio = math.Min(l.lowRatio, o/t), math.Max(l.hiRatio, o/t)
			}
		}
		out = append(out, l)
	}
	return out
}

// median of the values, NaN when there are none.
func median(byRound map[int]float64) float64 {
	if len(byRound) == 0 {
		return math.NaN()
	}
	vs := make([]float64, 0, len(byRound))
	for _, v := range byRound {
		vs = append(vs, v)
	}
	sort.Float64s(vs)
	if n := len(vs); n%2 == 1 {
		return vs[n/2]
	} else {
		return (vs[n/2-1] + vs[n/2]) / 2
	}
}

func metText(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// String is the line as BENCHMARKS.md shows it: "dobot / Bolt = ratio",
// the medians, the rounds' spread, and the targets marked met or not.
func (l line) String(ours, theirs string, rounds int) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s: %s / %s = %.2f (medians of %d round(s): %s %s, %s %s; rounds' own ratios %.2f–%.2f)",
		l.m.name, ours, theirs, l.ratio, rounds, ours, num(l.ours, l.m.unit), theirs, num(l.theirs, l.m.unit), l.lowRatio, l.hiRatio)
	if l.m.ratio > 0 {
		if l.m.higherBetter {
			fmt.Fprintf(&sb, "; target ≥ %.1f×: %s", l.m.ratio, metText(l.ratio >= l.m.ratio))
		} else {
			fmt.Fprintf(&sb, "; target ≤ %.1f×: %s", l.m.ratio, metText(l.ratio <= l.m.ratio))
		}
	}
	if l.m.guard > 0 {
		if l.m.higherBetter {
			fmt.Fprintf(&sb, "; guard %s ≥ %s: %s", ours, num(l.m.guard, l.m.unit), metText(l.ours >= l.m.guard))
		} else {
			fmt.Fprintf(&sb, "; guard %s ≤ %s: %s", ours, num(l.m.guard, l.m.unit), metText(l.ours <= l.m.guard))
		}
	}
	return sb.String()
}

func num(v float64, unit string) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case unit == "acks/s":
		return fmt.Sprintf("%.0f acks/s", v)
	case v < 10:
		return fmt.Sprintf("%.2f %s", v, unit)
	}
	return fmt.Sprintf("%.1f %s", v, unit)
}

func (p *peerTable) markdown(sz peerSizes) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "\n### dobot / %s, same run (%s mode: %d rounds, %d/s for %v, burst of %d, %v idle)\n\n",
		p.theirs, sz.mode, sz.rounds, sz.steadyRate, sz.steadyFor, sz.burst, sz.idle)
	for _, l := range p.lines() {
		fmt.Fprintf(&sb, "- %s\n", l.String(p.ours, p.theirs, p.rounds))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.notes) > 0 {
		sb.WriteString("\nDetails:\n\n")
		for _, n := range p.notes {
			fmt.Fprintf(&sb, "- %s\n", n)
		}
	}
	return sb.String()
}

// TestPeerTableReportsEmptyRows checks that the harness notices a measure
// that was not taken, for either contender or in any round, so an empty or
// partial row can never pass for a result.
func TestPeerTableReportsEmptyRows(t *testing.T) {
	fill := func(skip *metric, who string, round int, v float64) *peerTable {
		p := newPeerTable(2, "dobot", "Bolt")
		for _, m := range peerMetrics {
			for _, c := range []string{"dobot", "Bolt"} {
				for r := range 2 {
					if m == skip && c == who && r == round {
						if v != 0 {
							p.add(r, m, c, v)
						}
						continue
					}
					p.add(r, m, c, 1.5)
				}
			}
		}
		return p
	}
	if got := fill(nil, "", 0, 0).missing(); len(got) != 0 {
		t.Errorf("missing() of a full table = %q; want none", got)
	}
	tests := []struct {
		name  string
		skip  *metric
		who   string
		round int
		v     float64
	}{
		{"peer never measured", metricAnswerP99, "Bolt", 0, 0},
		{"dobot missing one round", metricBurstRate, "dobot", 1, 0},
		{"negative", metricRSS, "dobot", 0, -0.0001},
		{"NaN", metricAckP99, "Bolt", 1, math.NaN()},
		{"infinite", metricStart, "Bolt", 0, math.Inf(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fill(tt.skip, tt.who, tt.round, tt.v).missing()
			want := fmt.Sprintf("%s: %s measured in 1 of 2 rounds", tt.skip.name, tt.who)
			if len(got) != 1 || got[0] != want {
				t.Errorf("missing() = %q; want [%q]", got, want)
			}
		})
	}
	// Every measure the harness prints is checked.
	if len(peerMetrics) != 9 {
		t.Errorf("peerMetrics has %d measures; update this test", len(peerMetrics))
	}
}

// TestPeerLineFormat pins the line BENCHMARKS.md quotes.
func TestPeerLineFormat(t *testing.T) {
	p := newPeerTable(2, "dobot", "Bolt")
	for r, v := range []float64{1, 3} {
		p.add(r, metricAckP99, "dobot", v)
		p.add(r, metricAckP99, "Bolt", 4)
		p.add(r, metricBurstRate, "dobot", 9000)
		p.add(r, metricBurstRate, "Bolt", 2000+1000*float64(r))
	}
	ls := p.lines()
	got := map[*metric]string{}
	for _, l := range ls {
		got[l.m] = l.String("dobot", "Bolt", 2)
	}
	want := map[*metric]string{
		metricAckP99:    "ack p99, `status` at 200/s: dobot / Bolt = 0.50 (medians of 2 round(s): dobot 2.00 ms, Bolt 4.00 ms; rounds' own ratios 0.25–0.75); target ≤ 0.5×: met; guard dobot ≤ 5.00 ms: met",
		metricBurstRate: "burst ack rate (commands / first envelope → last ack): dobot / Bolt = 3.60 (medians of 2 round(s): dobot 9000 acks/s, Bolt 2500 acks/s; rounds' own ratios 3.00–4.50); target ≥ 3.0×: met",
	}
	for m, w := range want {
		if got[m] != w {
			t.Errorf("line for %s =\n%s\nwant\n%s", m.name, got[m], w)
		}
	}
}

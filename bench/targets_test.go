package bench

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// sizes are how big each measurement is: the sizes with -full, small
// ones otherwise.
type sizes struct {
	mode        string
	steadyRate  int           // status commands a second
	steadyFor   time.Duration // for this long
	burst       int           // commands written at once
	launchPhase time.Duration // dotest PhaseDelay for the single launch (3 phases)
	fleet       int           // launches watched at once
	fleetPhase  time.Duration // dotest PhaseDelay for the fleet
	auditRows   int           // audit rows in the database
	auditRuns   int           // timed /do audit commands
	starts      int           // bot starts timed
	idle        time.Duration // idle time before reading RSS
	preflights  int           // launches whose pre-flight check is timed
	verifyRows  int           // keyed audit rows `bot audit verify` checks
	verifyRuns  int           // timed runs of it

	replicaRounds    int             // alternating rounds of the burst on 1 and on 3 replicas
	leases           []time.Duration // failover runs, one per lease; 0 is the default (BOT_LEASE unset)
	failoverLaunches int             // launches in flight when a replica is killed
	failoverPhase    time.Duration   // their dotest PhaseDelay (3 phases)
	homeApps         int             // apps the person opening the Home tab has
	homeOpens        int             // timed opens after the first
	// budgetEnv is added to the replicas' environment for the request
	// budget: in smoke mode a short fixed BOT_WATCH_INTERVAL, so that the
	// step takes seconds; the full mode keeps the adaptive pace.
	budgetEnv []string
}

var smokeSizes = sizes{
	mode:       "smoke",
	steadyRate: 200, steadyFor: 100 * time.Millisecond,
	burst:       20,
	launchPhase: 300 * time.Millisecond,
	fleet:       2, fleetPhase: 300 * time.Millisecond,
	auditRows: 5000, auditRuns: 3,
	starts: 2, idle: time.Second,
	preflights: 2,
	verifyRows: 5000, verifyRuns: 1,
	replicaRounds: 1,
	leases:        []time.Duration{time.Second}, failoverLaunches: 3, failoverPhase: 3 * time.Second,
	homeApps: 10, homeOpens: 1,
	budgetEnv: []string{"BOT_WATCH_INTERVAL=300ms"},
}

var fullSizes = sizes{
	mode:       "full",
	steadyRate: 200, steadyFor: 10 * time.Second,
	burst:       1000,
	launchPhase: 40 * time.Second,                  // 3 phases: a 2-minute deployment
	fleet:       200, fleetPhase: 60 * time.Second, // a 3-minute deployment
	auditRows: 1_000_000, auditRuns: 20,
	starts: 5, idle: 5 * time.Second,
	preflights: 20,
	verifyRows: 1_000_000, verifyRuns: 3,
	replicaRounds: 3,
	leases:        []time.Duration{0, 2 * time.Second, 5 * time.Second}, failoverLaunches: 9, failoverPhase: 60 * time.Second,
	homeApps: 200, homeOpens: 100,
}

// row is one line of the results table.
type row struct {
	measure, target, result string
	met                     bool
}

// results collects rows and notes from the measurements, in order.
type results struct {
	mu    sync.Mutex
	rows  []row
	notes []string
}

func (r *results) add(measure, target, result string, met bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rows = append(r.rows, row{measure, target, result, met})
}

// count is the number of rows so far.
func (r *results) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.rows)
}

// empty names the rows whose result is blank.
func (r *results) empty() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, x := range r.rows {
		if strings.TrimSpace(x.result) == "" {
			out = append(out, x.measure)
		}
	}
	return out
}

func (r *results) note(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

func (r *results) markdown(sz sizes) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var sb strings.Builder
	fmt.Fprintf(&sb, "\n### dobot benchmark results (%s mode)\n\n", sz.mode)
	sb.WriteString("| measure | target | result | met? |\n|---|---|---|---|\n")
	for _, x := range r.rows {
		met := "no"
		if x.met {
			met = "yes"
		}
		fmt.Fprintf(&sb, "| %s | %s | %s | %s |\n", x.measure, x.target, x.result, met)
	}
	if len(r.notes) > 0 {
		sb.WriteString("\nDetails:\n\n")
		for _, n := range r.notes {
			fmt.Fprintf(&sb, "- %s\n", n)
		}
	}
	return sb.String()
}

// TestTargets runs every measurement and prints the results table. In the
// default (smoke) mode it checks only that each measurement works; it never
// fails on a timing.
func TestTargets(t *testing.T) {
	sz := smokeSizes
	if *full {
		sz = fullSizes
	}
	res := &results{}
	steps := []struct {
		name string
		run  func(*testing.T, sizes, *results)
	}{
		{"AckSteady", measureAckSteady},
		{"AckBurst", measureAckBurst},
		{"OneLaunch", measureOneLaunch},
		{"Fleet", measureFleet},
		{"Audit", measureAudit},
		{"AuditVerify", measureAuditVerify},
		{"Preflight", measurePreflight},
		{"Footprint", measureFootprint},
		{"ReplicaBurst", measureReplicaBurst},
		{"Failover", measureFailover},
		{"ReplicaBudget", measureReplicaBudget},
		{"HomeTab", measureHomeTab},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			start := time.Now()
			before := res.count()
			s.run(t, sz, res)
			t.Logf("%s took %v", s.name, time.Since(start).Round(time.Millisecond))
			// No empty rows: every measurement must have put a number in
			// the table.
			if res.count() == before {
				t.Errorf("%s measured nothing: no row in the results table", s.name)
			}
		})
	}
	if empty := res.empty(); len(empty) > 0 {
		t.Errorf("rows with no result: %s", strings.Join(empty, "; "))
	}
	table := res.markdown(sz)
	if *full {
		fmt.Fprint(os.Stdout, table)
	} else {
		t.Log(table)
	}
}

// percentile is the nearest-rank percentile p (0–100) of sorted ds.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func sortDurations(ds []time.Duration) []time.Duration {
	out := append([]time.Duration(nil), ds...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// ms formats d in milliseconds with enough precision for sub-millisecond
// latencies.
func ms(d time.Duration) string {
	switch {
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

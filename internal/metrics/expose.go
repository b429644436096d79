package metrics

import (
	"bufio"
	"fmt"
	"math"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The metrics are written in Prometheus's text exposition format by this
// file rather than by client_golang: the bot uses counters, gauges and one
// histogram, and client_golang with its protobuf dependency added about
// 2.4 MB to the stripped binary.

// counterVec counts by label values.
type counterVec struct {
	name, help string
	labels     []string
	mu         sync.Mutex
	values     map[string]float64 // by label values joined with \xff
}

func newCounterVec(name, help string, labels ...string) *counterVec {
	return &counterVec{name: name, help: help, labels: labels, values: map[string]float64{}}
}

func (c *counterVec) inc(values ...string) {
	key := strings.Join(values, "\xff")
	c.mu.Lock()
	c.values[key]++
	c.mu.Unlock()
}

func (c *counterVec) write(w *bufio.Writer) {
	c.mu.Lock()
	keys := make([]string, 0, len(c.values))
	for k := range c.values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	header(w, c.name, c.help, "counter")
	for _, k := range keys {
		values := strings.Split(k, "\xff")
		pairs := make([]string, len(c.labels))
		for i, l := range c.labels {
			pairs[i] = l + `="` + escapeLabel(values[i]) + `"`
		}
		fmt.Fprintf(w, "%s{%s} %s\n", c.name, strings.Join(pairs, ","), number(c.values[k]))
	}
	c.mu.Unlock()
}

// gauge is one value that goes up and down.
type gauge struct {
	name, help string
	mu         sync.Mutex
	value      float64
}

func (g *gauge) add(d float64) {
	g.mu.Lock()
	g.value += d
	g.mu.Unlock()
}

func (g *gauge) set(v float64) {
	g.mu.Lock()
	g.value = v
	g.mu.Unlock()
}

func (g *gauge) write(w *bufio.Writer) {
	g.mu.Lock()
	v := g.value
	g.mu.Unlock()
	header(w, g.name, g.help, "gauge")
	fmt.Fprintf(w, "%s %s\n", g.name, number(v))
}

// histogram counts observations into cumulative buckets.
type histogram struct {
	name, help string
	bounds     []float64
	mu         sync.Mutex
	counts     []uint64 // per bucket, not cumulative; the last is +Inf
	sum        float64
}

func newHistogram(name, help string, bounds []float64) *histogram {
	return &histogram{name: name, help: help, bounds: bounds, counts: make([]uint64, len(bounds)+1)}
}

func (h *histogram) observe(v float64) {
	i, _ := slices.BinarySearch(h.bounds, v) // a value on a bound counts in it: le
	h.mu.Lock()
	h.counts[i]++
	h.sum += v
	h.mu.Unlock()
}

func (h *histogram) write(w *bufio.Writer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	header(w, h.name, h.help, "histogram")
	var total uint64
	for i, b := range h.bounds {
		total += h.counts[i]
		fmt.Fprintf(w, "%s_bucket{le=%q} %d\n", h.name, number(b), total)
	}
	total += h.counts[len(h.bounds)]
	fmt.Fprintf(w, "%s_bucket{le=\"+Inf\"} %d\n", h.name, total)
	fmt.Fprintf(w, "%s_sum %s\n", h.name, number(h.sum))
	fmt.Fprintf(w, "%s_count %d\n", h.name, total)
}

// runtimeGauges are the Go runtime's and the process's own numbers, under
// the names Prometheus's Go and process collectors give them.
func runtimeGauges(w *bufio.Writer, started time.Time) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	simple := func(name, help, typ string, v float64) {
		header(w, name, help, typ)
		fmt.Fprintf(w, "%s %s\n", name, number(v))
	}
	simple("go_goroutines", "Number of goroutines that currently exist.", "gauge", float64(runtime.NumGoroutine()))
	simple("go_memstats_alloc_bytes", "Number of bytes allocated in heap and currently in use.", "gauge", float64(ms.HeapAlloc))
	simple("go_memstats_sys_bytes", "Number of bytes obtained from system.", "gauge", float64(ms.Sys))
	simple("go_gc_cycles_total", "Number of completed GC cycles.", "counter", float64(ms.NumGC))
	simple("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", "gauge", float64(started.UnixNano())/1e9)
	if rss, ok := residentBytes(); ok {
		simple("process_resident_memory_bytes", "Resident memory size in bytes.", "gauge", rss)
	}
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		simple("process_open_fds", "Number of open file descriptors.", "gauge", float64(len(fds)))
	}
}

// residentBytes reads the process's resident set size on Linux.
func residentBytes() (float64, bool) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseFloat(f[1], 64)
	if err != nil {
		return 0, false
	}
	return pages * float64(os.Getpagesize()), true
}

func header(w *bufio.Writer, name, help, typ string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, escapeHelp(help), name, typ)
}

// number formats v as Prometheus does.
func number(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

func escapeLabel(s string) string { return labelEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }

// contentType is the text exposition format's.
const contentType = "text/plain; version=0.0.4; charset=utf-8"

// serve writes every metric.
func (m *Metrics) serve(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", contentType)
	bw := bufio.NewWriter(w)
	m.commands.write(bw)
	m.ackLatency.write(bw)
	m.inFlight.write(bw)
	m.doRequests.write(bw)
	m.slackRequests.write(bw)
	m.rateLimit.write(bw)
	m.rateRemaining.write(bw)
	runtimeGauges(bw, m.started)
	_ = bw.Flush()
}

package bench

import (
	"fmt"
	"os"
	"testing"
	"time"
)

// measureFootprint reports the stripped binary's size, the time from
// starting the process to its Socket Mode connection, and its resident
// memory after sitting idle.
func measureFootprint(t *testing.T, sz sizes, res *results) {
	fi, err := os.Stat(botBinary)
	if err != nil {
		t.Fatal(err)
	}
	size := fi.Size()

	var starts []time.Duration
	var last *rig
	for range sz.starts {
		r := newRig(t, rigOptions{}) // a fresh database each time: migrations included
		starts = append(starts, r.connectedIn)
		if last != nil {
			last.stop()
		}
		last = r
	}
	starts = sortDurations(starts)

	time.Sleep(sz.idle)
	kib, err := last.rss()
	if err != nil {
		t.Fatalf("read RSS: %v", err)
	}
	rssMB := float64(kib) * 1024 / 1e6
	sizeMB := float64(size) / 1e6
	p50, worst := percentile(starts, 50), starts[len(starts)-1]
	res.add("footprint: idle RSS / start → connected / binary size",
		"≤ 30 MB / ≤ 300 ms / ≤ 30 MB",
		fmt.Sprintf("%.1f MB after %v idle / p50 %s, max %s over %d starts / %.1f MB",
			rssMB, sz.idle, ms(p50), ms(worst), len(starts), sizeMB),
		rssMB <= 30 && worst <= 300*time.Millisecond && sizeMB <= 30)
	res.note("footprint: binary built with CGO_ENABLED=0 go build -trimpath -ldflags=\"-s -w\" (as the Dockerfile does) is %d bytes; start → connected is process start to the Socket Mode hello on a fresh database", size)
}

package bench

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// botProfile is where TestAckProfile writes the bot's CPU profile.
var botProfile = flag.String("botprofile", "", "write a CPU profile of the bot process under `status` at 200/s for 10 s to this file, and print its top 10 (TestAckProfile)")

// profileHook is added to package main of cmd/bot only in the binary
// TestAckProfile builds, through go build -overlay, so the production
// binary carries no profiling code. SIGUSR1 starts a CPU profile into
// $BENCH_CPUPROFILE; SIGUSR2 stops it and then creates $BENCH_CPUPROFILE.done.
const profileHook = `package main

import (
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
)

func init() {
	path := os.Getenv("BENCH_CPUPROFILE")
	if path == "" {
		return
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGUSR2)
	go func() {
		var f *os.File
		for sig := range sigs {
			switch {
			case sig == syscall.SIGUSR1 && f == nil:
				var err error
				if f, err = os.Create(path); err == nil {
					err = pprof.StartCPUProfile(f)
				}
				if err != nil {
					os.Stderr.WriteString("bench profile: " + err.Error() + "\n")
				}
			case sig == syscall.SIGUSR2 && f != nil:
				pprof.StopCPUProfile()
				f.Close()
				f = nil
				os.WriteFile(path+".done", nil, 0o600)
			}
		}
	}()
}
`

// buildProfiledBot builds the bot as botproc does, plus profileHook.
func buildProfiledBot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	hook := filepath.Join(dir, "zz_benchprofile.go")
	if err := os.WriteFile(hook, []byte(profileHook), 0o600); err != nil {
		t.Fatal(err)
	}
	overlay, _ := json.Marshal(map[string]any{"Replace": map[string]string{filepath.Join(root, "cmd", "bot", "zz_benchprofile.go"): hook}})
	overlayPath := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlayPath, overlay, 0o600); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "bot")
	build := exec.Command("go", "build", "-trimpath", "-overlay", overlayPath, "-o", bin, "./cmd/bot")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the profiled bot: %v\n%s", err, out)
	}
	return bin
}

// TestAckProfile profiles the real bot process while it acks and answers
// `status` at 200 a second for 10 s, the load of the ack measurements, and
// prints the profile's top 10 by flat and by cumulative time, and the ack
// path's own top 10. It runs only
// with -botprofile:
//
//	go test ./bench/ -run TestAckProfile -v -args -botprofile /tmp/ack.pprof
func TestAckProfile(t *testing.T) {
	if *botProfile == "" {
		t.Skip("ack profile: skipped: run with -args -botprofile FILE")
	}
	out, err := filepath.Abs(*botProfile)
	if err != nil {
		t.Fatal(err)
	}
	_ = os.Remove(out + ".done")
	bin := buildProfiledBot(t)

	// newRig runs botBinary; the tests of this package run one at a time.
	saved := botBinary
	botBinary = bin
	r := newRig(t, rigOptions{env: []string{"BOT_HTTP_ADDR=127.0.0.1:0", "BENCH_CPUPROFILE=" + out}})
	botBinary = saved
	c := &contender{name: "dobot", slack: r.slack, pid: r.cmd.Process.Pid, connectedIn: r.connectedIn, logs: r.logs, stop: r.stop}

	if err := r.cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	rate, n := 200, 2000
	cmds, took, behind := c.steady(t, rate, n, "CP")
	got := c.collect(cmds, 30*time.Second, 90*time.Second)
	if err := r.cmd.Process.Signal(syscall.SIGUSR2); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(out + ".done"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the bot wrote no profile\n%s", r.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = os.Remove(out + ".done")
	ack, answer := got.latencies(cmds)
	if len(ack) < n || len(answer) < n {
		t.Errorf("%d of %d acked, %d answered\n%s", len(ack), n, len(answer), r.logs)
	}
	fmt.Printf("\nprofile: %d `status` commands at %d/s written in %v (sender at most %v behind); ack p50 %s p99 %s; answer p50 %s p99 %s\n",
		n, rate, took.Round(time.Millisecond), behind.Round(time.Microsecond),
		ms(percentile(ack, 50)), ms(percentile(ack, 99)), ms(percentile(answer, 50)), ms(percentile(answer, 99)))
	// The third listing is the ack path alone: slack-go's Socket Mode
	// reader, parser and ack sender, against the whole process's samples.
	for _, order := range [][]string{{"-top"}, {"-top", "-cum"}, {"-top", "-cum", "-focus=slack-go/slack/socketmode"}} {
		args := append([]string{"tool", "pprof", "-nodecount=10"}, order...)
		top, err := exec.Command("go", append(args, bin, out)...).CombinedOutput()
		if err != nil {
			t.Fatalf("go tool pprof: %v\n%s", err, top)
		}
		fmt.Printf("\n$ go tool pprof %v BINARY %s\n%s", order, filepath.Base(out), top)
	}
}

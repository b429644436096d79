package botproc

import (
	"testing"
)

// StartReplica runs binary as replica name on w: env plus its instance id
// and HTTP address. Like Start, it waits until the replica is connected.
func (w *World) StartReplica(t testing.TB, binary string, env []string, name, httpAddr string) *Process {
	t.Helper()
	w.Env = append(append([]string{}, env...), "BOT_INSTANCE="+name, "BOT_HTTP_ADDR="+httpAddr)
	return w.Start(t, binary)
}

// LogTailsOnFailure logs the last n bytes of every process in procs when
// t has failed, at cleanup. procs is read then, so replicas started later
// are included.
func LogTailsOnFailure(t testing.TB, procs map[string]*Process, n int) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for name, p := range procs {
			t.Logf("--- log of %s (last %d bytes):\n%s", name, n, Tail(p.Logs.String(), n))
		}
	})
}

// Tail is the last n bytes of s, marked as cut when it is.
func Tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

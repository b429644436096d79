package ops_test

import (
	"context"
	"testing"

	"dobot/ops"
)

func TestRunnerJoinsWorkAndRefusesItWhileStopping(t *testing.T) {
	var r ops.Runner
	ctx, cancel := context.WithCancel(context.Background())
	r.Start(ctx)
	started := make(chan struct{})
	ended := make(chan struct{})
	if !r.Go("loop", func(ctx context.Context) {
		close(started)
		<-ctx.Done()
		close(ended)
	}) {
		t.Fatal("Go refused work before Wait")
	}
	<-started
	if r.Stopping() {
		t.Error("Stopping before the lifetime ended")
	}
	r.Go("panics", func(context.Context) { panic("boom") }) // recovered, and joined
	cancel()
	r.Wait()
	select {
	case <-ended:
	default:
		t.Error("Wait returned before the work ended")
	}
	if !r.Stopping() {
		t.Error("not Stopping after the lifetime ended")
	}
	if r.Go("late", func(context.Context) { t.Error("work started after Wait") }) {
		t.Error("Go accepted work after Wait began")
	}
}

package ops_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"dobot"
	"dobot/ops"
)

// failures records what a poller failed the operation with.
type failures struct{ errs []error }

func (f *failures) fail(_ context.Context, err error) { f.errs = append(f.errs, err) }

func TestPollerGivesUpAfterFailuresInARow(t *testing.T) {
	var f failures
	p := ops.NewPoller(context.Background(), time.Hour, func() bool { return false }, f.fail, nil)
	defer p.Stop()
	boom := errors.New("503")
	for i := 1; i < ops.MaxPollFailures; i++ {
		if !p.OK(boom) {
			t.Fatalf("OK gave up after %d failures; want %d", i, ops.MaxPollFailures)
		}
	}
	if !p.OK(nil) {
		t.Fatal("OK(nil) = false")
	}
	for i := 1; i < ops.MaxPollFailures; i++ {
		p.OK(boom) // a success reset the count
	}
	if len(f.errs) != 0 {
		t.Fatalf("failed after a success reset the count: %v", f.errs)
	}
	if p.OK(boom) {
		t.Fatal("OK kept polling after too many failures in a row")
	}
	if len(f.errs) != 1 || !errors.Is(f.errs[0], boom) || !strings.Contains(f.errs[0].Error(), "in a row") {
		t.Errorf("failed with %v; want one failure wrapping the last poll's error", f.errs)
	}
}

func TestPollerFailsAtTheTimeoutButNotAtShutdown(t *testing.T) {
	var f failures
	p := ops.NewPoller(context.Background(), time.Millisecond, func() bool { return false }, f.fail, nil)
	defer p.Stop()
	if p.Wait(time.Hour) {
		t.Fatal("Wait outlived the timeout")
	}
	if len(f.errs) != 1 || !strings.Contains(f.errs[0].Error(), "did not finish within") {
		t.Errorf("failed with %v; want the timeout", f.errs)
	}

	f = failures{}
	ctx, cancel := context.WithCancel(context.Background())
	p = ops.NewPoller(ctx, time.Hour, func() bool { return false }, f.fail, nil)
	defer p.Stop()
	cancel()
	if p.Wait(time.Hour) || len(f.errs) != 0 {
		t.Errorf("at shutdown: polled on, or failed with %v; want a quiet stop", f.errs)
	}
}

func TestDecodeArgsFailsLoudly(t *testing.T) {
	type args struct{ Name string }
	got, err := ops.DecodeArgs[args](dobot.Operation{ID: 3, Action: "launch", Args: `{"Name":"web"}`})
	if err != nil || got.Name != "web" {
		t.Errorf("DecodeArgs = %+v, %v; want web", got, err)
	}
	if _, err := ops.DecodeArgs[args](dobot.Operation{ID: 3, Action: "launch", Args: `{"Name":`}); err == nil || !strings.Contains(err.Error(), "operation 3") {
		t.Errorf("DecodeArgs of a broken value = %v; want an error naming the operation", err)
	}
}

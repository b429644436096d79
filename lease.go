package dobot

import (
	"context"
	"errors"
	"time"
)

// Lease is a named claim on a piece of work ("op:42", "loop:ttl") that one
// replica holds until Expires. The holder renews it while it works; once it
// runs out, another replica may take the work over.
type Lease struct {
	Name    string
	Holder  string
	Expires time.Time
}

// ErrLeaseLost is the cause of a context canceled because its replica lost
// the lease of the work it was doing: another replica may be doing it now,
// so nothing more may be sent, posted or stored for it from here.
var ErrLeaseLost = errors.New("lease lost to another replica")

type leaseCheckKey struct{}

// WithLeaseCheck returns ctx carrying held, which reports whether the work
// ctx belongs to still surely holds its lease by the local clock.
func WithLeaseCheck(ctx context.Context, held func() bool) context.Context {
	return context.WithValue(ctx, leaseCheckKey{}, held)
}

// LeaseGone reports whether the work ctx belongs to must stop acting: its
// lease was lost, or its last renewal is too old for the lease to be surely
// held. The second catches a replica paused past its lease (a frozen VM, a
// stopped process): it wakes up acting before its heartbeat can tell it.
func LeaseGone(ctx context.Context) bool {
	if errors.Is(context.Cause(ctx), ErrLeaseLost) {
		return true
	}
	held, ok := ctx.Value(leaseCheckKey{}).(func() bool)
	return ok && !held()
}

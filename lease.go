package dobot

import (
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

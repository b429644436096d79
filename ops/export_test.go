package ops

import "context"

// RenewOnce is one heartbeat of l, for tests.
func RenewOnce(ctx context.Context, l *Leases) { l.renew(ctx) }

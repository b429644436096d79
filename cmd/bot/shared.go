package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"dobot/store"
	"dobot/watch"
)

// sharedWatch lets the watchers of every replica on one PostgreSQL store
// share DigitalOcean's request budget (see watch.Shared).
type sharedWatch struct {
	db       *store.DB
	instance string
	claims   atomic.Int64
}

var _ watch.Shared = (*sharedWatch)(nil)

// pollLease is the lease whose holder may poll DigitalOcean; it is taken
// for one interval and never renewed.
const pollLease = "watch:poll"

// ClaimPoll takes the poll lease under a name used once, so that it is
// granted only when the last poll's interval, whoever polled, has passed.
func (s *sharedWatch) ClaimPoll(ctx context.Context, interval time.Duration) (bool, error) {
	holder := fmt.Sprintf("%s#%d", s.instance, s.claims.Add(1))
	_, ok, err := s.db.AcquireLease(ctx, pollLease, holder, interval)
	return ok, err
}

func (s *sharedWatch) SaveSnapshots(ctx context.Context, bodies map[string][]byte) error {
	return s.db.SaveSnapshots(ctx, bodies)
}

func (s *sharedWatch) Snapshots(ctx context.Context, ids []string) (map[string]watch.Snapshot, error) {
	got, err := s.db.Snapshots(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]watch.Snapshot, len(got))
	for id, snap := range got {
		out[id] = watch.Snapshot{Body: snap.Body, ReadAt: snap.ReadAt}
	}
	return out, nil
}

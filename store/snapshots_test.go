package store

import (
	"context"
	"testing"
	"time"
)

// What one replica read of an app is there for the others, replaced by the
// next read and forgotten after an hour without one.
func TestSnapshots(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be backend) {
		ctx := context.Background()
		db, clock, _ := be.open(t)
		if err := db.SaveSnapshots(ctx, map[string][]byte{"a1": []byte(`{"id":"a1","v":1}`), "a2": []byte(`{"id":"a2"}`)}); err != nil {
			t.Fatal(err)
		}
		read := clock.Now()
		clock.Advance(time.Minute)
		if err := db.SaveSnapshots(ctx, map[string][]byte{"a1": []byte(`{"id":"a1","v":2}`)}); err != nil {
			t.Fatal(err)
		}
		got, err := db.Snapshots(ctx, []string{"a1", "a2", "a3"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || string(got["a1"].Body) != `{"id":"a1","v":2}` || !got["a1"].ReadAt.Equal(clock.Now()) || !got["a2"].ReadAt.Equal(read) {
			t.Errorf("Snapshots = %+v; want a1 at v2 read now, a2 read a minute ago, no a3", got)
		}
		clock.Advance(time.Hour + time.Second)
		if err := db.SaveSnapshots(ctx, map[string][]byte{"a3": []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Snapshots(ctx, []string{"a1", "a2", "a3"}); len(got) != 1 {
			t.Errorf("Snapshots after an hour = %d apps; want only a3, the others forgotten", len(got))
		}
	})
}

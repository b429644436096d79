package commands

import (
	"context"
	"time"
)

// HomeStore keeps, for every replica, who looks at their home page and a
// count of the changes home pages show.
type HomeStore interface {
	// NoteHomeOpened records that userID opened their home page now.
	NoteHomeOpened(ctx context.Context, userID string) error
	// HomeViewers lists who opened their home page within the last while.
	HomeViewers(ctx context.Context, within time.Duration) ([]string, error)
	// ForgetHomeViewers drops those who have not opened it for longer.
	ForgetHomeViewers(ctx context.Context, after time.Duration) (int64, error)
	// HomeChanges counts the changes to apps and operations a home page
	// shows, whoever made them, and up to which count pages were
	// republished.
	HomeChanges(ctx context.Context) (changes, published int64, err error)
	// MarkHomePublished records pages republished up to count upto.
	MarkHomePublished(ctx context.Context, upto int64) error
}

// homePoll is how often the home loop looks for changes: what one look
// finds is one republish, so a burst of changes (an approval, its
// operation starting, the app recorded) costs a page or two, not one a
// change.
const homePoll = time.Second

// startHomeLoop keeps home pages current from one replica at a time (the
// lease "loop:home"; with SQLite the only process holds it).
func (b *Bot) startHomeLoop() {
	if b.svc.ui.views == nil {
		return
	}
	b.background("home pages", func(ctx context.Context) { b.eng.leases.Loop(ctx, "loop:home", b.homeLoop) })
}

// homeLoop looks for changes every homePoll until ctx ends (the lease is
// lost or the bot stops).
func (b *Bot) homeLoop(ctx context.Context) {
	t := time.NewTicker(homePoll)
	defer t.Stop()
	for {
		if err := b.syncHomes(ctx); err != nil && ctx.Err() == nil {
			b.log.Warn("keep home pages current; trying again", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// syncHomes is one look: when the store's change count has moved past the
// count last republished, it republishes the page of everyone who opened
// theirs in the last day, then marks the count it read republished. The
// mark is in the store, so a replica that takes the loop over neither
// misses a change made before it did nor republishes one already shown;
// pages are read after the count, so a change the count missed moves it
// again for the next look. When nothing changed it is one query.
func (b *Bot) syncHomes(ctx context.Context) error {
	changes, published, err := b.store.HomeChanges(ctx)
	if err != nil || changes == published {
		return err
	}
	viewers, err := b.store.HomeViewers(ctx, homeViewerTTL)
	if err != nil {
		return err
	}
	for _, u := range viewers {
		if ctx.Err() != nil {
			return nil // the next holder of the loop republishes them
		}
		b.publishHome(ctx, u)
	}
	if ctx.Err() != nil {
		return nil
	}
	if _, err := b.store.ForgetHomeViewers(ctx, homeViewerTTL); err != nil {
		b.log.Warn("forget old home page viewers", "err", err)
	}
	return b.store.MarkHomePublished(ctx, changes)
}

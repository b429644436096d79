package slackbot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"dobot/chatview"
)

// homeInterval is how often one person's Home tab is published at most:
// changes in between are coalesced, and the latest wins.
const homeInterval = time.Second

// Views implements chatview.Views with Slack's views.* methods: forms are
// modals, home pages are Home tabs.
type Views struct {
	chat *Chat // its client and its rate-limit retries
	log  *slog.Logger
	// interval is homeInterval, shorter in tests.
	interval time.Duration

	mu    sync.Mutex
	homes map[string]*homeState // by user, while a publish is due or recent
	wg    sync.WaitGroup
}

// homeState is one person's pending Home tab.
type homeState struct {
	next    *chatview.Home  // latest not yet sent
	nextCtx context.Context // its caller's, detached from its cancel
}

var _ chatview.Views = (*Views)(nil)

// NewViews returns Views that call Slack through chat's client.
func NewViews(chat *Chat, log *slog.Logger) *Views {
	return &Views{chat: chat, log: log.With("component", "slack-views"), interval: homeInterval, homes: map[string]*homeState{}}
}

// triggerErrors are Slack's refusals of a trigger_id.
var triggerErrors = map[string]bool{"expired_trigger_id": true, "exchanged_trigger_id": true, "invalid_trigger_id": true}

// viewError explains Slack's refusal of a view: a trigger too old wraps
// chatview.ErrTriggerExpired; a view Slack finds invalid names what it
// said was wrong.
func viewError(err error) error {
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) {
		return err
	}
	if triggerErrors[se.Err] {
		return fmt.Errorf("%w (%s)", chatview.ErrTriggerExpired, se.Err)
	}
	if len(se.ResponseMetadata.Messages) > 0 {
		return fmt.Errorf("%s: %v", se.Err, se.ResponseMetadata.Messages)
	}
	return err
}

// OpenForm opens f as a modal for the person whose command or click gave
// triggerID, and returns the modal's view id.
func (v *Views) OpenForm(ctx context.Context, triggerID string, f chatview.Form) (string, error) {
	view, err := FormView(f)
	if err != nil {
		return "", err
	}
	var resp *slack.ViewResponse
	err = v.chat.retry(ctx, func() (err error) {
		resp, err = v.chat.api.OpenViewContext(ctx, triggerID, view)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("open form %s: %w", f.ID, viewError(err))
	}
	return resp.View.ID, nil
}

// UpdateForm replaces the open modal formRef (a view id) with f.
func (v *Views) UpdateForm(ctx context.Context, formRef string, f chatview.Form) error {
	view, err := FormView(f)
	if err != nil {
		return err
	}
	err = v.chat.retry(ctx, func() error {
		_, err := v.chat.api.UpdateViewContext(ctx, view, "", "", formRef)
		return err
	})
	if err != nil {
		return fmt.Errorf("update form %s: %w", f.ID, viewError(err))
	}
	return nil
}

// PublishHome publishes h as userID's Home tab. The first publish goes out
// at once; others within the interval after one wait for it to pass, and
// only the latest of them is sent. It returns at once; failures are
// logged.
func (v *Views) PublishHome(ctx context.Context, userID string, h chatview.Home) {
	v.mu.Lock()
	defer v.mu.Unlock()
	st, busy := v.homes[userID]
	if !busy {
		st = &homeState{}
		v.homes[userID] = st
	}
	st.next, st.nextCtx = &h, context.WithoutCancel(ctx)
	if !busy {
		v.wg.Go(func() { v.publishLoop(userID, st) })
	}
}

// publishLoop sends userID's latest Home tab, then waits out the interval
// and sends again if a newer one came meanwhile; it ends after an interval
// with nothing new.
func (v *Views) publishLoop(userID string, st *homeState) {
	for {
		v.mu.Lock()
		next, ctx := st.next, st.nextCtx
		st.next, st.nextCtx = nil, nil
		if next == nil {
			delete(v.homes, userID)
			v.mu.Unlock()
			return
		}
		v.mu.Unlock()
		sendCtx, cancel := context.WithTimeout(ctx, coalescedTimeout)
		if err := v.publish(sendCtx, userID, *next); err != nil {
			v.log.Warn("publish Home tab", "user", userID, "err", err)
		}
		cancel()
		time.Sleep(v.interval) // the pace Slack's Home tab is published at, not an ordering
	}
}

func (v *Views) publish(ctx context.Context, userID string, h chatview.Home) error {
	view := HomeView(h)
	return viewError(v.chat.retry(ctx, func() error {
		_, err := v.chat.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: userID, View: view})
		return err
	}))
}

// Wait blocks until no Home tab is waiting to be published.
func (v *Views) Wait() { v.wg.Wait() }

// Package routes decides where an app's messages go. /do watch sends them
// (the cards and threads of its next operations, its expiry reminders and
// notes) to another channel; without a route they go where each command
// is typed, and what the bot starts on its own goes to the app's launch
// thread.
//
// A Router reads and changes the routes through a narrow store, posts
// through the chat port, and returns the answers for package commands to
// send.
package routes

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/reply"
)

// Store keeps where each app's messages go (store.DB).
type Store interface {
	Route(ctx context.Context, app string) (dobot.Route, error)
	SetRoute(ctx context.Context, r dobot.Route) error
	DeleteRoute(ctx context.Context, app string) (bool, error)
}

// Poster is the part of chat.Chat a router posts with.
type Poster interface {
	Post(ctx context.Context, channel string, m chat.Message) (chat.Ref, error)
	Reply(ctx context.Context, parent chat.Ref, m chat.Message) (chat.Ref, error)
}

// Router answers /do watch and routes an app's messages.
type Router struct {
	store Store
	chat  Poster
	log   *slog.Logger
}

// New returns a Router over store and chat, logging to log.
func New(store Store, chat Poster, log *slog.Logger) *Router {
	return &Router{store: store, chat: chat, log: log}
}

// RouteOp sends a new operation's card and thread to its app's route, when
// it has one, and returns the note that tells the requester where it went;
// ok is false when the operation stays where it is.
func (r *Router) RouteOp(ctx context.Context, op *dobot.Operation) (note chat.Message, ok bool) {
	rt, err := r.store.Route(ctx, op.App)
	if err != nil || op.App == "" || rt.Channel == op.Channel || strings.HasPrefix(op.Action, "registry.") {
		if err != nil && !errors.Is(err, dobot.ErrNotFound) {
			r.log.Warn("read route", "app", op.App, "err", err)
		}
		return chat.Message{}, false
	}
	op.Channel = rt.Channel
	return chat.Message{Text: fmt.Sprintf("%s's messages go to %s (`/do watch %s`): the card and progress of this %s are there.",
		reply.Escape(op.App), chat.Channel(rt.Channel), reply.Escape(op.App), reply.Escape(op.Action))}, true
}

// Notice posts a notice about a managed app: in its route channel when it
// has one elsewhere, else in its launch thread.
func (r *Router) Notice(ctx context.Context, app dobot.App, m chat.Message) {
	if rt, err := r.store.Route(ctx, app.Name); err == nil && rt.Channel != app.Channel {
		if _, err := r.chat.Post(ctx, rt.Channel, m); err == nil {
			return
		}
	}
	if _, err := r.chat.Reply(ctx, chat.Ref{Channel: app.Channel, ID: app.ThreadTS}, m); err != nil {
		r.log.Warn("post app notice", "app", app.Name, "err", err)
	}
}

// Home is where an operation the bot starts on its own for app (a TTL
// expiry) reports: a new card in the app's route channel when it has one
// elsewhere (thread ""), else the app's launch thread.
func (r *Router) Home(ctx context.Context, app dobot.App) (channel, thread string) {
	if rt, err := r.store.Route(ctx, app.Name); err == nil && rt.Channel != app.Channel {
		return rt.Channel, ""
	}
	return app.Channel, app.ThreadTS
}

// Announce posts m where everyone sees it: in app's route channel when it
// has one, else in channel, where the command was typed. It reports false
// when the bot could not post there, for the caller to answer privately.
func (r *Router) Announce(ctx context.Context, channel, app string, m chat.Message) bool {
	if app != "" {
		if rt, err := r.store.Route(ctx, app); err == nil {
			channel = rt.Channel
		}
	}
	if _, err := r.chat.Post(ctx, channel, m); err != nil {
		if !errors.Is(err, chat.ErrCannotPost) {
			r.log.Warn("announce", "channel", channel, "err", err)
		}
		return false
	}
	return true
}

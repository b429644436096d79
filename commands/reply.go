package commands

import (
	"dobot/chat"
	"dobot/reply"
)

// The commands' errors and escaping are package reply's.
type (
	// UserError is an error that is safe to show: reply.UserError.
	UserError = reply.UserError
	// Markup is text the bot built itself: reply.Markup.
	Markup = reply.Markup
)

// ErrCannotPost is wrapped by a Chat when the bot may not post in a
// channel: package chat's.
var ErrCannotPost = chat.ErrCannotPost

// Escape cleans untrusted text of tokens: reply.Escape.
func Escape(s string) string { return reply.Escape(s) }

func userErrorf(format string, a ...any) error { return reply.Errorf(format, a...) }

func fromDomain(err error) error { return reply.FromDomain(err) }

func describeError(err error, ref string) string { return reply.Describe(err, ref) }

var errPanic = reply.ErrPanic

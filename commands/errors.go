package commands

import (
	"dobot/chat"
	"errors"
	"fmt"
	"net/http"

	"github.com/digitalocean/godo"

	"dobot"
)

// UserError is an error that is safe to show and tells the person what to
// do. Anything else is internal: logged in full, shown only as a reference.
type UserError struct {
	Msg string
}

func (e *UserError) Error() string { return e.Msg }

func userErrorf(format string, a ...any) error {
	// Arguments often quote what was typed: escape them, so an error can
	// neither ping nor link (see Markup for the bot's own markup).
	return &UserError{Msg: fmt.Sprintf(format, escapeArgs(a)...)}
}

// fromDomain turns a domain rule's plain-text refusal (*dobot.UserError)
// into a UserError, escaped for message text; other errors pass through.
func fromDomain(err error) error {
	var de *dobot.UserError
	if errors.As(err, &de) {
		return &UserError{Msg: Escape(de.Msg)}
	}
	return err
}

// ErrCannotPost is wrapped by a Chat when the bot may not post in a
// channel: package chat's.
var ErrCannotPost = chat.ErrCannotPost

// describeError turns err into the text a person sees. DigitalOcean's own
// errors keep their message and request id, which support can trace; user
// errors show as they are; anything else shows only the reference ref.
func describeError(err error, ref string) string {
	var ue *UserError
	if errors.As(err, &ue) {
		return ue.Msg
	}
	var re *dobot.UserError
	if errors.As(err, &re) {
		return Escape(re.Msg)
	}
	var de *godo.ErrorResponse
	if errors.As(err, &de) {
		return describeDOError(de)
	}
	return fmt.Sprintf("Something went wrong on our side. The details are logged; quote reference `%s` when you ask for help.", ref)
}

func describeDOError(de *godo.ErrorResponse) string {
	status := 0
	if de.Response != nil {
		status = de.Response.StatusCode
	}
	msg := Escape(de.Message)
	if msg == "" && status != 0 {
		msg = http.StatusText(status)
	}
	s := fmt.Sprintf("DigitalOcean said: %s", msg)
	switch status {
	case http.StatusPreconditionFailed:
		// The documented 412 of the single-registry routes on an account
		// with several registries.
		msg = "this call works only on an account with one container registry, and this one has several; name the registry (`/do registry` lists them)"
		s = fmt.Sprintf("DigitalOcean refused: %s", msg)
	case http.StatusForbidden:
		msg = "DO_API_TOKEN lacks a scope this needs (" + msg + "); give the token the custom scopes the README lists"
		s = fmt.Sprintf("DigitalOcean refused: %s", msg)
	}
	if status != 0 {
		s += fmt.Sprintf(" (HTTP %d", status)
		if de.RequestID != "" {
			s += ", request id " + Escape(de.RequestID)
		}
		s += ")"
	} else if de.RequestID != "" {
		s += " (request id " + Escape(de.RequestID) + ")"
	}
	return s
}

// errPanic stands for a recovered panic; the stack is in the log.
var errPanic = errors.New("panic")

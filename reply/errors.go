// Package reply is what a person reads when something goes wrong: user
// errors (safe to show, saying what to do), DigitalOcean's errors with
// their request id, and a reference for anything else. Text a person or
// DigitalOcean wrote is cleaned of tokens (Escape) on the way in.
package reply

import (
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

// Errorf is a UserError whose string arguments are escaped; Markup
// arguments are the bot's own and go in as they are.
func Errorf(format string, a ...any) error {
	// Arguments often quote what was typed: escape them, so an error can
	// neither ping nor link (see Markup for the bot's own markup).
	return &UserError{Msg: fmt.Sprintf(format, escapeArgs(a)...)}
}

// FromDomain turns a domain rule's plain-text refusal (*dobot.UserError)
// into a UserError, escaped for message text; other errors pass through.
func FromDomain(err error) error {
	var de *dobot.UserError
	if errors.As(err, &de) {
		return &UserError{Msg: Escape(de.Msg)}
	}
	return err
}

// Describe turns err into the text a person sees. DigitalOcean's own
// errors keep their message and request id, which support can trace; user
// errors show as they are; anything else shows only the reference ref.
func Describe(err error, ref string) string {
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

// ErrPanic stands for a recovered panic; the stack is in the log.
var ErrPanic = errors.New("panic")

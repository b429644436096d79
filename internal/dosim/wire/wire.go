// Package wire holds what every part of the DigitalOcean simulator shares:
// one request as a handler sees it (Call), the answer it gives (Reply),
// DigitalOcean's error shape and its paging. The resource packages (apps,
// droplets, registry) answer in these terms; internal/dosim routes to them
// and writes the answers out with DigitalOcean's headers.
package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Call is what a handler needs from one request.
type Call struct {
	R      *http.Request
	Params map[string]string // path parameters by name
	Body   []byte
	Now    time.Time
}

// Base is the scheme and host the request came to, for the absolute links
// DigitalOcean puts in its answers.
func (c *Call) Base() string { return "http://" + c.R.Host }

// Handler serves one operation. The simulator calls it with its lock held.
type Handler func(c *Call) Reply

// Reply is what a handler answers: a body to encode as JSON, or an error.
type Reply struct {
	Status int
	Body   any
	Err    *APIError
	Header http.Header
	Empty  bool // no body at all, as in a 204
}

// APIError is DigitalOcean's error body, less the request id the simulator
// adds when it writes the answer.
type APIError struct {
	Status  int
	ID      string
	Message string
}

// Err is an error reply.
func Err(status int, id, message string) Reply {
	return Reply{Status: status, Err: &APIError{Status: status, ID: id, Message: message}}
}

// Fail is the reply carrying e.
func Fail(e *APIError) Reply { return Reply{Status: e.Status, Err: e} }

// NotFound is DigitalOcean's 404.
func NotFound() Reply {
	return Err(http.StatusNotFound, "not_found", "The resource you requested could not be found.")
}

// OK is a 200 with body.
func OK(body any) Reply { return Reply{Status: http.StatusOK, Body: body} }

// With is a reply of status with body, such as a 201 or 202.
func With(status int, body any) Reply { return Reply{Status: status, Body: body} }

// NoBody is a reply of status with an empty body, as DigitalOcean sends for
// deletes (204) and for a few actions (200).
func NoBody(status int) Reply { return Reply{Status: status, Empty: true} }

// Invalid is a 400 invalid_argument, DigitalOcean's answer to a request it
// understands but refuses.
func Invalid(format string, args ...any) *APIError {
	return &APIError{Status: http.StatusBadRequest, ID: "invalid_argument", Message: fmt.Sprintf(format, args...)}
}

// Decode reads a JSON body into v; an empty body or null leaves v alone.
func Decode(body []byte, v any) *APIError {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &APIError{Status: http.StatusBadRequest, ID: "bad_request", Message: "unable to parse request body: " + err.Error()}
	}
	return nil
}

// Page cuts n items into the page the query asks for, and returns the
// links and meta DigitalOcean sends with it.
func (c *Call) Page(n int) (from, to int, links, meta map[string]any) {
	q := c.R.URL.Query()
	pg, _ := strconv.Atoi(q.Get("page"))
	per, _ := strconv.Atoi(q.Get("per_page"))
	if pg < 1 {
		pg = 1
	}
	if per < 1 {
		per = 20
	}
	per = min(per, 200)
	last := max(1, (n+per-1)/per)
	from, to = min(n, (pg-1)*per), min(n, pg*per)
	// Links keep the query's filters, such as tag_name, as DigitalOcean's do.
	link := func(p int) string {
		v := c.R.URL.Query()
		v.Set("page", strconv.Itoa(p))
		v.Set("per_page", strconv.Itoa(per))
		return fmt.Sprintf("%s%s?%s", c.Base(), c.R.URL.Path, v.Encode())
	}
	pages := map[string]any{}
	if pg > 1 {
		pages["first"], pages["prev"] = link(1), link(min(pg-1, last))
	}
	if pg < last {
		pages["next"], pages["last"] = link(pg+1), link(last)
	}
	return from, to, map[string]any{"pages": pages}, map[string]any{"total": n}
}

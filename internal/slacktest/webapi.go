package slacktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Call is one HTTP request the server received: a Web API method, a
// response_url post ("response_url"), a file upload ("upload") or an unknown
// path (the path itself).
type Call struct {
	// Method is the Web API method name, e.g. "chat.postMessage".
	Method string
	// Form holds the form and query parameters, including "token" when the
	// client sent it that way. For a JSON body, each top-level field is
	// here too, non-strings as their JSON text.
	Form url.Values
	// Body is the raw body when it was JSON, else nil.
	Body json.RawMessage
	// Content is the file body, for Method "upload".
	Content []byte
	// Status is the HTTP status the server answered with.
	Status int
	// Error is the Slack error code of an ok:false answer, else "".
	Error string
	// At is when the request arrived.
	At time.Time
}

// rateLimit is a pending RateLimit fault.
type rateLimit struct {
	times      int
	retryAfter int // seconds
}

// FailChannel makes chat.postMessage, chat.update, chat.postEphemeral,
// chat.delete, files.completeUploadExternal and conversations.info for
// channel answer ok:false with
// slackErr, e.g. "not_in_channel" or "channel_not_found". An empty slackErr
// clears the fault. Failed calls appear in Calls, not in Messages.
func (s *Server) FailChannel(channel, slackErr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if slackErr == "" {
		delete(s.faults.failChannel, channel)
		return
	}
	s.faults.failChannel[channel] = slackErr
}

// LeaveChannel makes the bot no longer a member of channel: chat.postMessage,
// chat.postEphemeral, chat.update and files.completeUploadExternal there
// answer not_in_channel, as Slack does for an app without
// chat:write.public, and conversations.info says is_member false.
// JoinChannel undoes it.
func (s *Server) LeaveChannel(channel string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.notMember[channel] = true
}

// JoinChannel makes the bot a member of channel again; see LeaveChannel.
func (s *Server) JoinChannel(channel string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.faults.notMember, channel)
}

// RateLimit makes the next times calls of method (e.g. "chat.postMessage"
// or "apps.connections.open") answer HTTP 429 with a Retry-After header of
// retryAfter in whole seconds, rounded up and at least 1, as Slack does.
func (s *Server) RateLimit(method string, times int, retryAfter time.Duration) {
	secs := max(1, int(math.Ceil(retryAfter.Seconds())))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.rateLimits[method] = &rateLimit{times: times, retryAfter: secs}
}

// SetUserInfoError makes users.info answer ok:false with err, e.g.
// "user_not_found"; "" restores normal answers.
func (s *Server) SetUserInfoError(err string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.userInfoErr = err
}

// Calls returns every HTTP request received so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.web.calls...)
}

// apiRequest is a parsed Web API request.
type apiRequest struct {
	method string
	form   url.Values
	body   json.RawMessage
	token  string
	at     time.Time
}

// parseAPIRequest reads the token and parameters the ways Slack accepts
// them: a Bearer header or a "token" parameter; a form body, a JSON body or
// the query string.
func parseAPIRequest(r *http.Request) (*apiRequest, error) {
	req := &apiRequest{
		method: strings.TrimPrefix(r.URL.Path, "/api/"),
		form:   url.Values{},
		at:     time.Now(),
	}
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ctype == "application/json" {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		req.form = r.URL.Query()
		if len(bytes.TrimSpace(body)) > 0 {
			req.body = body
			var fields map[string]json.RawMessage
			if err := json.Unmarshal(body, &fields); err != nil {
				return nil, fmt.Errorf("invalid JSON body: %w", err)
			}
			for k, v := range fields {
				var str string
				if json.Unmarshal(v, &str) == nil {
					req.form.Set(k, str)
				} else {
					req.form.Set(k, string(v))
				}
			}
		}
	} else {
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
		req.form = r.Form
	}
	if auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		req.token = auth
	} else {
		req.token = req.form.Get("token")
	}
	return req, nil
}

// handleAPI serves /api/METHOD.
func (s *Server) handleAPI(w http.ResponseWriter, r *http.Request) {
	req, err := parseAPIRequest(r)
	if err != nil {
		s.record(Call{Method: strings.TrimPrefix(r.URL.Path, "/api/"), Status: http.StatusOK, Error: "invalid_form_data", At: time.Now()})
		writeJSON(w, http.StatusOK, slackErr("invalid_form_data"))
		return
	}
	call := Call{Method: req.method, Form: req.form, Body: req.body, At: req.at}

	if secs, limited := s.takeRateLimit(req.method); limited {
		call.Status, call.Error = http.StatusTooManyRequests, "ratelimited"
		s.record(call)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		writeJSON(w, http.StatusTooManyRequests, slackErr("ratelimited"))
		return
	}

	handler, known := s.methods()[req.method]
	var resp map[string]any
	switch {
	case !known:
		resp = slackErr("unknown_method")
	case req.token == "":
		resp = slackErr("not_authed")
	case req.method == "apps.connections.open" && req.token != s.opts.AppToken,
		req.method != "apps.connections.open" && req.token != s.opts.BotToken:
		resp = slackErr("invalid_auth")
	default:
		resp = handler(req)
	}
	call.Status = http.StatusOK
	if ok, _ := resp["ok"].(bool); !ok {
		call.Error, _ = resp["error"].(string)
	}
	s.record(call)
	s.waitHolds(req)
	writeJSON(w, http.StatusOK, resp)
}

// methods maps Web API method names to their handlers. A handler runs
// after authentication and returns the JSON answer.
func (s *Server) methods() map[string]func(*apiRequest) map[string]any {
	return map[string]func(*apiRequest) map[string]any{
		"apps.connections.open":        s.connectionsOpen,
		"auth.test":                    s.authTest,
		"chat.postMessage":             s.postMessage,
		"chat.update":                  s.update,
		"chat.postEphemeral":           s.postEphemeral,
		"chat.delete":                  s.deleteMessage,
		"users.info":                   s.usersInfo,
		"conversations.info":           s.conversationsInfo,
		"files.getUploadURLExternal":   s.getUploadURL,
		"files.completeUploadExternal": s.completeUpload,
		"chat.getPermalink":            s.getPermalink,
		"conversations.open":           s.conversationsOpen,
		"views.open":                   s.viewsOpen,
		"views.push":                   s.viewsPush,
		"views.update":                 s.viewsUpdate,
		"views.publish":                s.viewsPublish,
	}
}

// takeRateLimit consumes one pending 429 for method, if any.
func (s *Server) takeRateLimit(method string) (retryAfter int, limited bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rl := s.faults.rateLimits[method]
	if rl == nil || rl.times <= 0 {
		return 0, false
	}
	rl.times--
	return rl.retryAfter, true
}

// record appends c to the call log.
func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.web.calls = append(s.web.calls, c)
	s.notifyLocked()
}

func slackErr(code string) map[string]any { return map[string]any{"ok": false, "error": code} }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// handleUnknown answers 404 for any path Slack would not serve, and records
// it so a test can fail on it.
func (s *Server) handleUnknown(w http.ResponseWriter, r *http.Request) {
	s.record(Call{Method: r.URL.Path, Form: r.URL.Query(), Status: http.StatusNotFound, At: time.Now()})
	http.NotFound(w, r)
}

func (s *Server) connectionsOpen(*apiRequest) map[string]any {
	s.mu.Lock()
	ticket := randomHex(16)
	s.sock.tickets[ticket] = true
	s.mu.Unlock()
	u := "ws" + strings.TrimPrefix(s.http.URL, "http") + "/link/?ticket=" + ticket + "&app_id=" + AppID
	return map[string]any{"ok": true, "url": u}
}

func (s *Server) authTest(*apiRequest) map[string]any {
	return map[string]any{
		"ok":      true,
		"url":     "https://" + TeamDomain + ".slack.com/",
		"team":    TeamDomain,
		"user":    "dobot",
		"team_id": TeamID,
		"user_id": BotUserID,
		"bot_id":  BotID,
	}
}

func (s *Server) usersInfo(req *apiRequest) map[string]any {
	s.mu.Lock()
	failure := s.faults.userInfoErr
	s.mu.Unlock()
	if failure != "" {
		return slackErr(failure)
	}
	id := req.form.Get("user")
	if id == "" {
		return slackErr("user_not_found")
	}
	name := s.userName(id)
	return map[string]any{"ok": true, "user": map[string]any{
		"id":        id,
		"team_id":   TeamID,
		"name":      name,
		"deleted":   false,
		"real_name": name,
		"tz":        "Etc/UTC",
		"tz_label":  "Coordinated Universal Time",
		"tz_offset": 0,
		"profile": map[string]any{
			"real_name":    name,
			"display_name": name,
			"email":        name + "@example.com",
			"team":         TeamID,
		},
		"is_admin": false,
		"is_owner": false,
		"is_bot":   false,
		"updated":  1700000000,
	}}
}

func (s *Server) conversationsInfo(req *apiRequest) map[string]any {
	channel := req.form.Get("channel")
	if channel == "" {
		return slackErr("channel_not_found")
	}
	s.mu.Lock()
	failure, member := s.faults.failChannel[channel], !s.faults.notMember[channel]
	s.mu.Unlock()
	if failure != "" {
		return slackErr(failure)
	}
	return map[string]any{"ok": true, "channel": map[string]any{
		"id":         channel,
		"name":       strings.ToLower(channel),
		"is_channel": true,
		"is_member":  member,
		"created":    1700000000,
	}}
}

// channelFault is the FailChannel error for channel, not_in_channel when the
// bot left it, or "".
func (s *Server) channelFault(channel string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.faults.failChannel[channel]; f != "" {
		return f
	}
	if s.faults.notMember[channel] {
		return "not_in_channel"
	}
	return ""
}

func (s *Server) getUploadURL(req *apiRequest) map[string]any {
	if req.form.Get("filename") == "" || req.form.Get("length") == "" {
		return slackErr("invalid_arguments")
	}
	id := "F" + strings.ToUpper(randomHex(5))
	s.mu.Lock()
	s.web.uploads[id] = false
	s.mu.Unlock()
	return map[string]any{"ok": true, "upload_url": s.http.URL + "/upload/" + id, "file_id": id}
}

// handleUpload receives the file body posted to an upload URL.
func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	content, _ := io.ReadAll(r.Body)
	n := len(content)
	s.mu.Lock()
	_, known := s.web.uploads[id]
	if known {
		s.web.uploads[id] = true
	}
	s.mu.Unlock()
	status := http.StatusOK
	if !known {
		status = http.StatusNotFound
	}
	s.record(Call{Method: "upload", Form: url.Values{"file_id": {id}}, Content: content, Status: status, At: time.Now()})
	if !known {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintf(w, "OK - %d", n)
}

func (s *Server) completeUpload(req *apiRequest) map[string]any {
	var files []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(req.form.Get("files")), &files); err != nil || len(files) == 0 {
		return slackErr("invalid_arguments")
	}
	channel := req.form.Get("channel_id")
	if channel == "" {
		channel = req.form.Get("channels")
	}
	// Sharing the file where the bot is not a member fails, as a post would.
	if channel != "" {
		if failure := s.channelFault(channel); failure != "" {
			return slackErr(failure)
		}
	}
	s.mu.Lock()
	for _, f := range files {
		if !s.web.uploads[f.ID] {
			s.mu.Unlock()
			return slackErr("file_not_found")
		}
	}
	s.web.messages = append(s.web.messages, Message{
		Method:   "files.completeUploadExternal",
		Channel:  channel,
		ThreadTS: req.form.Get("thread_ts"),
		Text:     req.form.Get("initial_comment"),
		Blocks:   rawOrNil(req.form.Get("blocks")),
		At:       req.at,
	})
	s.notifyLocked()
	s.mu.Unlock()
	out := make([]map[string]any, len(files))
	for i, f := range files {
		out[i] = map[string]any{"id": f.ID, "title": f.Title}
	}
	return map[string]any{"ok": true, "files": out}
}

// rawOrNil turns a JSON text parameter into a RawMessage, or nil if absent.
func rawOrNil(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}

// getPermalink answers chat.getPermalink for a message the bot posted,
// shaped as Slack's: https://TEAM.slack.com/archives/CHANNEL/pTS without
// its dot, with thread_ts and cid for a reply. Slack answers
// message_not_found for a ts it has no message for.
func (s *Server) getPermalink(req *apiRequest) map[string]any {
	channel, ts := req.form.Get("channel"), req.form.Get("message_ts")
	if channel == "" {
		return slackErr("channel_not_found")
	}
	if ts == "" {
		return slackErr("invalid_arguments")
	}
	s.mu.Lock()
	failure := s.faults.failChannel[channel]
	cur := s.web.posts[postKey{channel, ts}]
	s.mu.Unlock()
	if failure != "" {
		return slackErr("channel_not_found")
	}
	if cur == nil || isDeleted(cur) {
		return slackErr("message_not_found")
	}
	link := "https://" + TeamDomain + ".slack.com/archives/" + channel + "/p" + strings.ReplaceAll(ts, ".", "")
	if cur.ThreadTS != "" && cur.ThreadTS != ts {
		link += "?thread_ts=" + cur.ThreadTS + "&cid=" + channel
	}
	return map[string]any{"ok": true, "channel": channel, "permalink": link}
}

// DirectChannel is the id of the app's direct-message conversation with
// user, as conversations.open gives it.
func DirectChannel(user string) string { return "D" + strings.TrimPrefix(user, "U") }

// conversationsOpen answers conversations.open for one user: the app's
// direct-message conversation with them. Slack wants users (or channel);
// with neither it answers users_list_not_supplied, and a user id that is
// not one user_not_found.
func (s *Server) conversationsOpen(req *apiRequest) map[string]any {
	users := req.form.Get("users")
	if users == "" {
		return slackErr("users_list_not_supplied")
	}
	if strings.Contains(users, ",") {
		// A group DM: the bot never opens one, so the server need not
		// model it.
		return slackErr("not_supported")
	}
	if !strings.HasPrefix(users, "U") && !strings.HasPrefix(users, "W") {
		return slackErr("user_not_found")
	}
	return map[string]any{"ok": true, "channel": map[string]any{"id": DirectChannel(users), "is_im": true, "user": users, "created": 1700000000}}
}

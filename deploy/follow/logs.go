package follow

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/docloud"
	"dobot/progress"
	"dobot/reply"
)

// failureLogLines is how much of a failed step's log its thread gets.
const failureLogLines = 60

// attachFailureLogs posts the tail of the failing step's log in the thread
// of a failed deployment, so the reason is one click away.
func (f *Follower) attachFailureLogs(ctx context.Context, op dobot.Operation, failedStep string, rep *progress.Reporter) {
	if !rep.Posted() || op.DeploymentID == "" {
		return
	}
	typ := godo.AppLogTypeDeploy
	if failedStep == "build" || failedStep == "" {
		typ = godo.AppLogTypeBuild
	}
	app, _, err := f.Apps.Get(ctx, op.ResourceID)
	if err != nil {
		f.Log.Warn("get app for failure logs", "op", op.ID, "err", err)
		return
	}
	l := docloud.Logs{Apps: f.Apps, HTTP: f.HTTP, LiveWindow: 5 * time.Second, Log: f.Log}
	text, err := l.Fetch(ctx, app, op.DeploymentID, typ, failureLogLines)
	if err != nil {
		f.Log.Warn("fetch failure logs", "op", op.ID, "err", err)
		return
	}
	title := fmt.Sprintf("%s: last %d lines of the %s log", op.App, failureLogLines, strings.ToLower(string(typ)))
	if err := f.Chat.Upload(ctx, rep.Head(), op.App+"-"+strings.ToLower(string(typ))+".log", title, text); err != nil {
		rep.Reply(ctx, chat.Message{Text: fmt.Sprintf("*%s*\n```%s```", reply.Escape(title), reply.Escape(ClipTail(text, 2800)))})
	}
}

// ClipTail keeps the last n bytes of s, at a line start when it can.
func ClipTail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	if i := strings.IndexByte(s, '\n'); i >= 0 && i < len(s)-1 {
		s = s[i+1:]
	}
	return s
}

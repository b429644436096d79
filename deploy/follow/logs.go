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
		rep.Reply(ctx, failureLogFallback(title, text))
	}
}

// failureLogInline is the most text, escaped, that the fallback shows:
// Slack's section text holds 3,000 characters.
const failureLogInline = 2900

// failureLogFallback is the end of a failed step's log as a code block in
// one message, for when it could not be uploaded: clipped so that it fits
// once escaped, never inside a character.
func failureLogFallback(title, text string) chat.Message {
	head := "*" + reply.Escape(title) + "*\n```"
	return chat.Message{Text: head + reply.EscapedTail(text, failureLogInline-reply.RenderedLen(head)-3) + "```"}
}

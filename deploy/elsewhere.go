package deploy

import (
	"context"
	"fmt"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/docloud"
	"dobot/docloud/daytwo"
)

// FollowElsewhere reports a deployment the bot did not start in channel
// (in the thread of thread, or as a new message when thread is ""), then
// follows it as its own (follow.Follower.Elsewhere).
func (b *Executor) FollowElsewhere(ctx context.Context, app dobot.App, d *godo.Deployment, channel, thread string) {
	b.follow.Elsewhere(ctx, app, d, elsewhereMessage(app, d), channel, thread)
}

// elsewhereMessage announces a deployment the bot did not start: its
// cause, what it builds or runs, and its id.
func elsewhereMessage(app dobot.App, d *godo.Deployment) chat.Message {
	fields := []chat.Field{{Label: KindLabel(KindApp), Value: Escape(app.Name)}, {Label: "Cause", Value: Escape(daytwo.DeploymentCause(d))}}
	if c := daytwo.DeploymentCommit(d); c != "" {
		fields = append(fields, chat.Field{Label: "Commit", Value: "`" + Escape(c) + "`"})
	}
	if img := docloud.DeploymentImage(d); img != "" {
		fields = append(fields, chat.Field{Label: "Image", Value: Escape(img)})
	}
	fields = append(fields, chat.Field{Label: "Deployment", Value: "`" + Escape(d.ID) + "`"},
		chat.Field{Label: "Links", Value: LinksText(KindApp, app.ResourceID, "")})
	return chat.Message{
		Text:   fmt.Sprintf("%s A deployment of %s started outside the bot: %s", chat.IconLaunch, Escape(app.Name), Escape(daytwo.DeploymentCause(d))),
		Title:  fmt.Sprintf("%s Deployment of %s started elsewhere", chat.IconLaunch, Escape(app.Name)),
		Fields: fields,
	}
}

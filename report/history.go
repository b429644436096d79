package report

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/docloud"
	"dobot/ops"
	"dobot/reply"
)

// historyLimit is how many deployments history shows, newest first.
const historyLimit = 20

// ClickHistoryRollback is the "Roll back to this" button of a history
// line. Its value is "NAME DEPLOYMENT"; the action id carries the
// deployment id too (see IDSep).
const ClickHistoryRollback = "history_rollback"

// History lists the app name's deployments, newest first, linked to its
// launch thread.
func (r *Board) History(ctx context.Context, name string) (chat.Message, error) {
	managed, err := r.d.Plan.ManagedApp(ctx, name)
	if err != nil {
		return chat.Message{}, err
	}
	if managed.Kind == deploy.KindDroplet {
		return chat.Message{}, reply.Errorf("%s is a droplet; it has no deployments. `/do status %s` shows it.", managed.Name, managed.Name)
	}
	app, err := r.d.Plan.GetApp(ctx, managed)
	if err != nil {
		return chat.Message{}, err
	}
	deps, _, err := r.d.Apps.ListDeployments(ctx, managed.ResourceID, &godo.ListOptions{Page: 1, PerPage: historyLimit})
	if err != nil {
		return chat.Message{}, fmt.Errorf("list deployments of %s: %w", managed.Name, err)
	}
	ours, err := r.d.Store.OperationsOn(ctx, managed.ResourceID)
	if err != nil {
		return chat.Message{}, err
	}
	return r.WithThreadLink(ctx, managed, historyMessage(managed, app, deps, ours)), nil
}

// historyMessage lists deps newest first, each matched against the bot's
// operations on the app, with a "Roll back to this" button on each one
// that once went live and is not live now.
func historyMessage(managed dobot.App, app *godo.App, deps []*godo.Deployment, ours []dobot.Operation) chat.Message {
	sort.SliceStable(deps, func(i, j int) bool { return deps[i].CreatedAt.After(deps[j].CreatedAt) })
	byDeployment := map[string]dobot.Operation{}
	for _, op := range ours {
		if op.DeploymentID != "" {
			byDeployment[op.DeploymentID] = op
		}
	}
	activeID := ""
	if app.ActiveDeployment != nil {
		activeID = app.ActiveDeployment.ID
	}
	var lines []string
	var buttons []chat.Button
	for i, d := range deps {
		n := i + 1
		lines = append(lines, fmt.Sprintf("%d. %s", n, historyLine(d, activeID, byDeployment)))
		if d.ID != activeID && (d.Phase == godo.DeploymentPhase_Active || d.Phase == godo.DeploymentPhase_Superseded) {
			buttons = append(buttons, chat.Button{ActionID: ClickHistoryRollback + IDSep + d.ID,
				Label: fmt.Sprintf("Roll back to this (%d)", n), Value: managed.Name + " " + d.ID})
		}
	}
	if len(lines) == 0 {
		lines = append(lines, "DigitalOcean lists no deployments for it yet.")
	}
	return chat.Message{
		Text:    fmt.Sprintf("*History of %s* (newest first)\n%s", managed.Name, strings.Join(lines, "\n")),
		Buttons: buttons,
		Footer:  "A button runs `/do rollback " + managed.Name + " DEPLOYMENT` for that line, under the rollback policy.",
	}
}

// historyLine is one deployment: its phase, image, how it came about and
// who asked, when, and its id.
func historyLine(d *godo.Deployment, activeID string, byDeployment map[string]dobot.Operation) string {
	phase := deploy.PhaseName(string(d.Phase))
	if d.ID == activeID {
		phase = chat.IconLive + " live now"
	}
	image := docloud.DeploymentImage(d)
	if image == "" {
		image = "(no image)"
	}
	how := "outside the bot"
	if op, ok := byDeployment[d.ID]; ok {
		how = fmt.Sprintf("%s by %s (%s)", op.Action, chat.Mention(op.Requester), deploy.Ref(op))
	} else if cause := strings.TrimSpace(d.Cause); cause != "" {
		how += " (" + reply.Escape(cause) + ")"
	}
	return fmt.Sprintf("%s · `%s` · %s · %s · deployment `%s`", phase, reply.Escape(image), how, d.CreatedAt.UTC().Format(ops.TimeFormat), d.ID)
}

package commands

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
)

// historyLimit is how many deployments history shows, newest first.
const historyLimit = 20

// clickHistoryRollback is the "Roll back to this" button of a history
// line. Its value is "NAME DEPLOYMENT"; the action id carries the
// deployment id too (see opsIDSep).
const clickHistoryRollback = "history_rollback"

var historyCommand = &Command{
	Name:        "history",
	Usage:       "history NAME",
	Description: "An app's deployments, newest first: image and digest, who, when and how (launch, redeploy, rollback, or outside the bot), each with a button to roll back to it.",
	Examples:    []string{"history web"},
	MinRole:     dobot.RoleViewer,
	Parse: func(words []string, _ Config) (any, error) {
		if len(words) != 1 {
			return nil, userErrorf("history takes one app name, like `/do history web`")
		}
		if err := ValidAppName(words[0]); err != nil {
			return nil, err
		}
		return statusArgs{name: words[0]}, nil
	},
	Run: runHistory,
}

func runHistory(ctx context.Context, b *Bot, inv *Invocation) error {
	args, err := argsOf[statusArgs](inv)
	if err != nil {
		return err
	}
	managed, err := b.plan.ManagedApp(ctx, args.name)
	if err != nil {
		return err
	}
	if managed.Kind == kindDroplet {
		return userErrorf("%s is a droplet; it has no deployments. `/do status %s` shows it.", managed.Name, managed.Name)
	}
	app, err := b.plan.GetApp(ctx, managed)
	if err != nil {
		return err
	}
	deps, _, err := b.cloud.Apps.ListDeployments(ctx, managed.ResourceID, &godo.ListOptions{Page: 1, PerPage: historyLimit})
	if err != nil {
		return fmt.Errorf("list deployments of %s: %w", managed.Name, err)
	}
	ours, err := b.store.OperationsOn(ctx, managed.ResourceID)
	if err != nil {
		return err
	}
	b.answerPrivately(ctx, inv.Req, managed, historyMessage(managed, app, deps, ours))
	return nil
}

// historyMessage lists deps newest first, each matched against the bot's
// operations on the app, with a "Roll back to this" button on each one
// that once went live and is not live now.
func historyMessage(managed dobot.App, app *godo.App, deps []*godo.Deployment, ours []dobot.Operation) Message {
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
	var buttons []Button
	for i, d := range deps {
		n := i + 1
		lines = append(lines, fmt.Sprintf("%d. %s", n, historyLine(d, activeID, byDeployment)))
		if d.ID != activeID && (d.Phase == godo.DeploymentPhase_Active || d.Phase == godo.DeploymentPhase_Superseded) {
			buttons = append(buttons, Button{ActionID: clickHistoryRollback + opsIDSep + d.ID,
				Label: fmt.Sprintf("Roll back to this (%d)", n), Value: managed.Name + " " + d.ID})
		}
	}
	if len(lines) == 0 {
		lines = append(lines, "DigitalOcean lists no deployments for it yet.")
	}
	return Message{
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
		how = fmt.Sprintf("%s by %s (%s)", op.Action, chat.Mention(op.Requester), opRef(op))
	} else if cause := strings.TrimSpace(d.Cause); cause != "" {
		how += " (" + Escape(cause) + ")"
	}
	return fmt.Sprintf("%s · `%s` · %s · %s · deployment `%s`", phase, Escape(image), how, d.CreatedAt.UTC().Format(timeFormat), d.ID)
}

// historyClicks is the history's button, as the rollback it stands for.
func historyClicks() []*clickRoute {
	return []*clickRoute{{id: clickHistoryRollback, label: "Roll back to this", command: "rollback", args: func(c Click) (any, error) {
		name, dep, ok := strings.Cut(c.Value, " ")
		if !ok || ValidAppName(name) != nil || !deploymentIDPattern.MatchString(dep) {
			return nil, userErrorf("That button does not name an app and a deployment. Nothing was changed.")
		}
		return ChangeArgs{Name: name, RollbackTo: deploy.RollbackTo{DeploymentID: dep}, Reason: "Roll back to this, from the history"}, nil
	}}}
}

// appState is currentState, or, when the app has no active deployment and
// none under way (its only deployment was canceled or failed), the state
// of its newest deployment: never "Unknown" while DigitalOcean knows.
func (b *Bot) appState(ctx context.Context, app *godo.App) deploy.LaunchState {
	st := currentState(app)
	if st.Phase != "UNKNOWN" {
		return st
	}
	deps, _, err := b.cloud.Apps.ListDeployments(ctx, app.ID, &godo.ListOptions{Page: 1, PerPage: 5})
	if err != nil || len(deps) == 0 {
		return st
	}
	sort.SliceStable(deps, func(i, j int) bool { return deps[i].CreatedAt.After(deps[j].CreatedAt) })
	return deploy.StateOf(deps[0], app)
}

// runningImage is the image the app's active deployment runs: after a
// rollback that is the older image, not the last one asked for. The
// record's own text is kept while it names the same image.
func runningImage(managed dobot.App, app *godo.App) string {
	recorded := deploy.ImageWithDigest(managed.Image, managed.ImageDigest)
	running := docloud.DeploymentImage(app.ActiveDeployment)
	if running == "" || managed.ImageDigest != "" && strings.Contains(running, managed.ImageDigest) {
		return recorded
	}
	if managed.ImageDigest == "" && strings.HasSuffix(running, "/"+managed.Image) || running == managed.Image {
		return recorded
	}
	return Escape(running)
}

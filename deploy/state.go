package deploy

import (
	"context"
	"fmt"
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/deploy/follow"
	"dobot/progress"
	"dobot/reply"
)

// LaunchState is what the person sees of a deployment (follow.State).
type LaunchState = follow.State

// followLaunch watches a launch's first deployment to its end.
func (b *Executor) followLaunch(ctx context.Context, op dobot.Operation, args LaunchArgs, rep *progress.Reporter) {
	b.assignToProject(ctx, op, false, rep)
	b.follow.Deployment(ctx, op, args.Name, func(op dobot.Operation, st LaunchState) chat.Message { return LaunchCard(op, args, st) }, rep)
}

// DeploymentState finds deployment depID in app (follow.Lookup).
func (b *Executor) DeploymentState(ctx context.Context, app *godo.App, depID string) (LaunchState, error) {
	return follow.Lookup(ctx, b.apps, app, depID)
}

// StateOf is deployment d of app as the person sees it (follow.StateOf).
func StateOf(d *godo.Deployment, app *godo.App) LaunchState { return follow.StateOf(d, app) }

// PhaseName is a phase as people read it (follow.PhaseName).
func PhaseName(p string) string { return follow.PhaseName(p) }

// PhaseLine is st's phase with its progress (follow.PhaseLine).
func PhaseLine(st LaunchState) string { return follow.PhaseLine(st) }

// ClipTail is reply.ClipTail.
func ClipTail(s string, n int) string { return reply.ClipTail(s, n) }

// LaunchCard is the head message of a launch.
func LaunchCard(op dobot.Operation, args LaunchArgs, st LaunchState) chat.Message {
	title := fmt.Sprintf(chat.IconLaunch+" Launching %s", args.Name)
	switch {
	case godo.DeploymentPhase(st.Phase) == godo.DeploymentPhase_Active:
		title = fmt.Sprintf(chat.IconOK+" %s is live", args.Name)
	case godo.DeploymentPhase(st.Phase) == godo.DeploymentPhase_Canceled:
		title = CanceledTitle(op.Action, args.Name)
	case st.Final():
		title = fmt.Sprintf(chat.IconFailed+" %s failed", args.Name)
	case st.Phase == "DROPLET_ACTIVE":
		title = fmt.Sprintf(chat.IconOK+" %s: droplet active, container start not checked", args.Name)
	}
	region := args.Region
	if args.Droplet {
		region = args.DropletRegion
	}
	imageLabel, image := "Image", args.Image
	if args.From != nil {
		imageLabel, image = "Source", Escape(args.From.Describe())
	}
	if args.Check.Digest != "" {
		image += "\n`" + args.Check.Digest + "`"
	}
	fields := []chat.Field{
		{Label: KindLabel(map[bool]string{false: KindApp, true: KindDroplet}[args.Droplet]), Value: args.Name},
		{Label: imageLabel, Value: image},
		{Label: "Region", Value: region},
		{Label: "Runs on", Value: args.runsOn()},
		{Label: "Phase", Value: PhaseName(st.Phase)},
	}
	if args.Size != "" {
		fields = append(fields, chat.Field{Label: "Size", Value: args.Size})
	}
	if args.Instances > 0 {
		fields = append(fields, chat.Field{Label: "Instances", Value: fmt.Sprint(args.Instances)})
	}
	if args.MonthlyCents > 0 {
		fields = append(fields, chat.Field{Label: "Cost", Value: Money(args.MonthlyCents) + "/month"})
	}
	fields = append(fields, args.From.cardFields(st)...)
	if keys := args.envKeys(); len(keys) > 0 {
		fields = append(fields, chat.Field{Label: "Environment", Value: EnvKeysText(keys, args.IsSecret)})
	}
	if st.DeploymentID != "" {
		fields = append(fields, chat.Field{Label: "Deployment", Value: "`" + st.DeploymentID + "`"})
	}
	fields = append(fields, args.noteFields()...)
	kindOf := KindApp
	if args.Droplet {
		kindOf = KindDroplet
	}
	text := fmt.Sprintf("%s is launching %s (%s) in %s: %s", chat.Mention(op.Requester), args.Name, args.what(), args.Region, PhaseName(st.Phase))
	return stateCard(op, st, kindOf, text, title, fields, args.Check.Warning)
}

// stateCard is the card of an operation in state st: text and title over
// fields and a Links field for the resource of kind, with st's progress,
// the check's warning and st's failure, if any.
func stateCard(op dobot.Operation, st LaunchState, kind, text, title string, fields []chat.Field, warning string) chat.Message {
	if links := LinksText(kind, op.ResourceID, st.URL); links != "" {
		fields = append(fields, chat.Field{Label: "Links", Value: links})
	}
	var body []string
	if warning != "" {
		body = append(body, chat.IconWarning+" "+warning)
	}
	if st.Failure != "" {
		body = append(body, FailureMark(st)+" "+st.Failure)
	}
	return chat.Message{
		Text:     text,
		Title:    title,
		Fields:   NonEmpty(fields),
		Body:     strings.Join(body, "\n"),
		Progress: st.Progress,
		Footer:   opFooter(op),
	}
}

// opFooter names who asked for op and, for an approved request, who approved.
func opFooter(op dobot.Operation) string {
	footer := fmt.Sprintf("Requested by %s · operation #%d", chat.Mention(op.Requester), op.ID)
	if op.Decider != "" {
		footer += " · " + DecisionLine(op)
	}
	return footer
}

// controlPanelURL is the resource's page in DigitalOcean's control panel.
func controlPanelURL(kind, id string) string {
	if id == "" {
		return ""
	}
	if kind == KindDroplet {
		return "https://cloud.digitalocean.com/droplets/" + id
	}
	return "https://cloud.digitalocean.com/apps/" + id
}

// LinksText links the live app and its control panel page, as far as they
// are known.
func LinksText(kind, id, liveURL string) string {
	var links []string
	if liveURL != "" {
		links = append(links, chat.Link(liveURL, "Open the app"))
	}
	if u := controlPanelURL(kind, id); u != "" {
		links = append(links, chat.Link(u, "Control panel"))
	}
	return strings.Join(links, " · ")
}

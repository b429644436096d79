package commands

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/ops"
	"dobot/watch"
)

// progressUpdateGap is the least time between two updates of a head message
// for step progress alone; phase changes update at once. It keeps a
// two-minute launch within eight Slack requests.
const progressUpdateGap = 45 * time.Second

// waiting reports whether a phase only waits for the next one. Such phases
// get their thread reply, like every phase change, but no update of the
// head message: that keeps a two-minute launch within eight Slack requests.
func waiting(phase string) bool {
	return phase == string(godo.DeploymentPhase_PendingBuild) || phase == string(godo.DeploymentPhase_PendingDeploy)
}

// launchState is what the person sees of a deployment.
type launchState struct {
	Phase        string // DigitalOcean's deployment phase, or "starting"
	Progress     *Progress
	DeploymentID string
	URL          string
	Failure      string // failing step and reason
	FailedStep   string // top-level step that failed: "build" or "deploy"
	// Components is each component's progress, one a line, for a
	// deployment that builds from Git or runs several components.
	Components string
}

func (s launchState) final() bool {
	switch godo.DeploymentPhase(s.Phase) {
	case godo.DeploymentPhase_Active, godo.DeploymentPhase_Error, godo.DeploymentPhase_Canceled, godo.DeploymentPhase_Superseded:
		return true
	}
	return s.Phase == "ERROR"
}

// followLaunch watches a launch's first deployment to its end.
func (b *Bot) followLaunch(ctx context.Context, op dobot.Operation, args LaunchArgs, rep *reporter) {
	b.followDeployment(ctx, op, args.Name, func(op dobot.Operation, st launchState) Message { return launchCard(op, args, st) }, rep)
}

// followDeployment watches op's deployment until it is live or has failed,
// keeping the head message current with card and replying at each phase
// change. Launch, redeploy and rollback all end here.
func (b *Bot) followDeployment(ctx context.Context, op dobot.Operation, name string, card func(dobot.Operation, launchState) Message, rep *reporter) {
	ctx, cancel := context.WithTimeout(ctx, b.cfg.OpTimeout)
	defer cancel()
	defer b.giveUpIfTimedOut(ctx, &op, name, rep)
	updates, stop := b.watcher.Watch(op.ResourceID, op.CreatedAt)
	defer stop()
	last := launchState{Phase: "starting"}
	var lastUpdate time.Time
	for {
		var u watch.Update
		select {
		case <-ctx.Done():
			return // shutdown or timeout: the operation stays running and resumes
		case u = <-updates:
		}
		if u.Err != nil {
			if watch.IsNotFound(u.Err) {
				b.endDeployment(ctx, &op, name, dobot.OpFailed, "app deleted while deploying")
				_ = b.store.DeleteApp(ctx, name)
				rep.final(ctx, errorMessage(fmt.Sprintf("%s disappeared from DigitalOcean before its deployment finished; it was deleted outside the bot.", name)))
				return
			}
			continue // transient: the watcher polls again at its pace
		}
		st, err := b.deploymentState(ctx, u.App, op.DeploymentID)
		if err != nil {
			b.log.Warn("read deployment", "op", op.ID, "err", err)
			continue
		}
		if op.DeploymentID == "" && st.DeploymentID != "" {
			op.DeploymentID = st.DeploymentID
			if err := b.store.UpdateOperation(ctx, op); err != nil {
				b.log.Error("record deployment id", "op", op.ID, "err", err)
			}
		}
		if st.final() {
			// The operation is finished in the store before anyone sees the
			// outcome, on the card or in the thread, so a command typed the
			// instant "is live" appears never finds the app busy.
			switch godo.DeploymentPhase(st.Phase) {
			case godo.DeploymentPhase_Active:
				b.endDeployment(ctx, &op, name, dobot.OpSucceeded, "")
			case godo.DeploymentPhase_Canceled:
				b.endDeployment(ctx, &op, name, dobot.OpCanceled, st.Failure)
			default:
				b.endDeployment(ctx, &op, name, dobot.OpFailed, st.Failure)
			}
		}
		switch {
		case st.Phase != last.Phase && waiting(st.Phase):
			rep.reply(ctx, infoMessage(phaseLine(st)))
		case st.Phase != last.Phase:
			rep.update(ctx, card(op, st))
			lastUpdate = b.now()
			if !st.final() {
				rep.reply(ctx, infoMessage(phaseLine(st)))
			}
		case st.Components != last.Components && st.Components != "" && !st.final():
			rep.reply(ctx, infoMessage(st.Components))
		case progressChanged(last, st) && b.now().Sub(lastUpdate) >= progressUpdateGap:
			rep.update(ctx, card(op, st))
			lastUpdate = b.now()
		}
		last = st
		if !st.final() {
			continue
		}
		switch godo.DeploymentPhase(st.Phase) {
		case godo.DeploymentPhase_Active:
			rep.final(ctx, Message{Text: fmt.Sprintf(":white_check_mark: %s is live at %s", name, Escape(orPending(st.URL)))})
		case godo.DeploymentPhase_Canceled:
			rep.final(ctx, infoMessage(fmt.Sprintf(":no_entry_sign: The deployment of %s was canceled. The app stays; `/do teardown %s` removes it.", name, name)))
		default:
			rep.final(ctx, errorMessage(fmt.Sprintf("%s failed: %s", name, st.Failure)))
			b.attachFailureLogs(ctx, op, st, rep)
		}
		return
	}
}

// endDeployment records a deployment's outcome in the operation and the audit.
func (b *Bot) endDeployment(ctx context.Context, op *dobot.Operation, name string, state dobot.OpState, why string) {
	b.finish(ctx, op, state, why)
	outcome := "live"
	if state != dobot.OpSucceeded {
		outcome = string(state)
	}
	b.audit(ctx, b.log, dobot.AuditEntry{UserID: op.Requester, UserName: op.RequesterName, Channel: op.Channel,
		CommandText: op.CommandText, Action: "do.deployment", Target: name, Decision: "allowed",
		Outcome: outcome, Error: why, Details: fmt.Sprintf("%s app_id=%s deployment_id=%s", op.Action, op.ResourceID, op.DeploymentID)})
}

func orPending(url string) string {
	if url == "" {
		return "(its URL is not assigned yet; `/do status` will show it)"
	}
	return url
}

func progressChanged(a, b launchState) bool {
	if (a.Progress == nil) != (b.Progress == nil) {
		return true
	}
	return a.Progress != nil && *a.Progress != *b.Progress
}

// deploymentState finds deployment depID in app. When the app no longer
// shows it (it failed or was superseded) it asks DigitalOcean for it.
func (b *Bot) deploymentState(ctx context.Context, app *godo.App, depID string) (launchState, error) {
	if depID == "" {
		if d := firstDeployment(app); d != nil {
			depID = d.ID
		} else {
			return launchState{Phase: string(godo.DeploymentPhase_PendingBuild)}, nil
		}
	}
	if d := app.ActiveDeployment; d != nil && d.ID == depID {
		return stateOf(d, app), nil
	}
	for _, d := range []*godo.Deployment{app.InProgressDeployment, app.PendingDeployment} {
		if d != nil && d.ID == depID {
			return stateOf(d, app), nil
		}
	}
	d, _, err := b.apps.GetDeployment(ctx, app.ID, depID)
	if err != nil {
		return launchState{}, fmt.Errorf("get deployment %s of app %s: %w", depID, app.ID, err)
	}
	return stateOf(d, app), nil
}

func stateOf(d *godo.Deployment, app *godo.App) launchState {
	st := launchState{Phase: string(d.Phase), DeploymentID: d.ID, FailedStep: failedStepName(d), Components: componentProgress(d)}
	if st.Phase == "" {
		st.Phase = string(godo.DeploymentPhase_PendingBuild)
	}
	if p := d.Progress; p != nil && p.TotalSteps > 0 {
		st.Progress = &Progress{Done: int(p.SuccessSteps), Total: int(p.TotalSteps)}
	}
	switch godo.DeploymentPhase(st.Phase) {
	case godo.DeploymentPhase_Active:
		st.URL = app.LiveURL
	case godo.DeploymentPhase_Error:
		st.Failure = failureText(d)
	case godo.DeploymentPhase_Canceled:
		st.Failure = "the deployment was canceled"
	case godo.DeploymentPhase_Superseded:
		st.Failure = "a newer deployment replaced this one"
	}
	return st
}

// failureText names the failing step and DigitalOcean's reason for it.
func failureText(d *godo.Deployment) string {
	if d.Progress == nil {
		return "the deployment failed (DigitalOcean gave no step details)"
	}
	path, reason := failingStep(d.Progress.Steps, nil)
	if path == nil {
		return "the deployment failed (DigitalOcean gave no step details)"
	}
	text := fmt.Sprintf("step `%s` failed", Escape(strings.Join(path, " › ")))
	if reason != nil && reason.Message != "" {
		text += ": " + Escape(reason.Message)
		if reason.Code != "" {
			text += " (" + Escape(reason.Code) + ")"
		}
	}
	return text
}

// failingStep returns the path to the deepest step in error, with the
// nearest reason given along that path.
func failingStep(steps []*godo.DeploymentProgressStep, prefix []string) ([]string, *godo.DeploymentProgressStepReason) {
	for _, s := range steps {
		if s == nil || s.Status != godo.DeploymentProgressStepStatus_Error {
			continue
		}
		name := s.Name
		if s.ComponentName != "" && s.ComponentName != s.Name {
			name = s.ComponentName
		}
		path := append(append([]string{}, prefix...), name)
		if sub, reason := failingStep(s.Steps, path); sub != nil {
			if reason == nil {
				reason = s.Reason
			}
			return sub, reason
		}
		return path, s.Reason
	}
	return nil, nil
}

// failedStepName is the top-level step of d in error, if any.
func failedStepName(d *godo.Deployment) string {
	if d.Progress == nil {
		return ""
	}
	if path, _ := failingStep(d.Progress.Steps, nil); len(path) > 0 {
		return path[0]
	}
	return ""
}

// phaseNames are the phases of a deployment or droplet as people read them.
// It is read only.
var phaseNames = map[string]string{
	"starting":       ":hourglass_flowing_sand: Starting",
	"creating":       ":hourglass_flowing_sand: Creating the app",
	"DROPLET_CREATE": ":hourglass_flowing_sand: Creating the droplet",
	"UNKNOWN":        ":grey_question: Unknown",
	"PENDING_BUILD":  ":hourglass_flowing_sand: Waiting to build",
	"BUILDING":       ":hammer: Building",
	"PENDING_DEPLOY": ":hourglass_flowing_sand: Waiting to deploy",
	"DEPLOYING":      ":rocket: Deploying",
	"ACTIVE":         ":white_check_mark: Live",
	"SUPERSEDED":     ":fast_forward: Superseded",
	"ERROR":          ":x: Failed",
	"CANCELED":       ":no_entry_sign: Canceled",
	// A droplet's phases (see dropletPhase).
	"DROPLET_NEW":    ":hourglass_flowing_sand: Booting the droplet",
	"DROPLET_OFF":    ":black_circle: Powered off",
	"DROPLET_ACTIVE": ":white_check_mark: droplet active, container start not checked",
}

func phaseName(p string) string {
	if n, ok := phaseNames[p]; ok {
		return n
	}
	return Escape(p) // a phase this bot does not know, as DigitalOcean names it
}

func phaseLine(st launchState) string {
	line := phaseName(st.Phase)
	if st.Progress != nil {
		line += fmt.Sprintf(" (%d/%d steps done)", st.Progress.Done, st.Progress.Total)
	}
	if st.Components != "" && !st.final() {
		line += "\n" + st.Components
	}
	return line
}

// launchCard is the head message of a launch.
func launchCard(op dobot.Operation, args LaunchArgs, st launchState) Message {
	title := fmt.Sprintf(":rocket: Launching %s", args.Name)
	switch {
	case godo.DeploymentPhase(st.Phase) == godo.DeploymentPhase_Active:
		title = fmt.Sprintf(":white_check_mark: %s is live", args.Name)
	case godo.DeploymentPhase(st.Phase) == godo.DeploymentPhase_Canceled:
		title = canceledTitle(op.Action, args.Name)
	case st.final():
		title = fmt.Sprintf(":x: %s failed", args.Name)
	case st.Phase == "DROPLET_ACTIVE":
		title = fmt.Sprintf(":white_check_mark: %s: droplet active, container start not checked", args.Name)
	}
	region, kind := args.Region, "App Platform"
	if args.Droplet {
		region, kind = args.DropletRegion, "Droplet (Docker)"
	}
	imageLabel, image := "Image", args.Image
	if args.From != nil {
		imageLabel, image = "Source", Escape(args.From.describe())
	}
	if args.Check.Digest != "" {
		image += "\n`" + args.Check.Digest + "`"
	}
	if p := args.Check.portText(); p != "" {
		kind += ", port " + p
	}
	fields := []Field{
		{Label: kindLabel(map[bool]string{false: kindApp, true: kindDroplet}[args.Droplet]), Value: args.Name},
		{Label: imageLabel, Value: image},
		{Label: "Region", Value: region},
		{Label: "Runs on", Value: kind},
		{Label: "Phase", Value: phaseName(st.Phase)},
	}
	if args.Size != "" {
		fields = append(fields, Field{Label: "Size", Value: args.Size})
	}
	if args.Instances > 0 {
		fields = append(fields, Field{Label: "Instances", Value: fmt.Sprint(args.Instances)})
	}
	if args.MonthlyCents > 0 {
		fields = append(fields, Field{Label: "Cost", Value: money(args.MonthlyCents) + "/month"})
	}
	fields = append(fields, args.From.cardFields(st)...)
	if keys := args.envKeys(); len(keys) > 0 {
		fields = append(fields, Field{Label: "Environment", Value: envKeysText(keys, args.isSecret)})
	}
	if st.DeploymentID != "" {
		fields = append(fields, Field{Label: "Deployment", Value: "`" + st.DeploymentID + "`"})
	}
	fields = append(fields, args.noteFields()...)
	kindOf := kindApp
	if args.Droplet {
		kindOf = kindDroplet
	}
	if links := linksText(kindOf, op.ResourceID, st.URL); links != "" {
		fields = append(fields, Field{Label: "Links", Value: links})
	}
	m := Message{
		Text:     fmt.Sprintf("<@%s> is launching %s (%s) in %s: %s", op.Requester, args.Name, args.what(), args.Region, phaseName(st.Phase)),
		Title:    title,
		Fields:   fields,
		Progress: st.Progress,
		Footer:   opFooter(op),
	}
	var body []string
	if args.Check.Warning != "" {
		body = append(body, ":warning: "+args.Check.Warning)
	}
	if st.Failure != "" {
		body = append(body, failureMark(st)+" "+st.Failure)
	}
	m.Body = strings.Join(body, "\n")
	m.Fields = nonEmpty(m.Fields)
	return m
}

// opFooter names who asked for op and, for an approved request, who approved.
func opFooter(op dobot.Operation) string {
	footer := fmt.Sprintf("Requested by <@%s> · operation #%d", op.Requester, op.ID)
	if op.Decider != "" {
		footer += " · " + decisionLine(op)
	}
	return footer
}

// controlPanelURL is the resource's page in DigitalOcean's control panel.
func controlPanelURL(kind, id string) string {
	if id == "" {
		return ""
	}
	if kind == kindDroplet {
		return "https://cloud.digitalocean.com/droplets/" + id
	}
	return "https://cloud.digitalocean.com/apps/" + id
}

// linksText links the live app and its control panel page, as far as they
// are known.
func linksText(kind, id, liveURL string) string {
	var links []string
	if liveURL != "" {
		links = append(links, link(liveURL, "Open the app"))
	}
	if u := controlPanelURL(kind, id); u != "" {
		links = append(links, link(u, "Control panel"))
	}
	return strings.Join(links, " · ")
}

// giveUpIfTimedOut ends an operation whose watch ran out of time while the
// bot keeps running: it is failed and said so, rather than left holding
// the app. At shutdown it stays running, to resume at the next start.
func (b *Bot) giveUpIfTimedOut(ctx context.Context, op *dobot.Operation, name string, rep *reporter) {
	if ctx.Err() == nil || op.State.Final() {
		return
	}
	if b.eng.runner.Stopping() || ops.Lost(ctx) {
		return // resumed at the next start, or by the replica that took it
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	why := fmt.Sprintf("stopped watching after %s without an outcome", b.cfg.OpTimeout)
	b.finish(ctx, op, dobot.OpFailed, why)
	rep.final(ctx, errorMessage(fmt.Sprintf("The bot %s for %s. DigitalOcean may still finish it: `/do status %s` shows where it is.", why, name, name)))
}

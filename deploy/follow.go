package deploy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/ops"
	"dobot/progress"
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

// LaunchState is what the person sees of a deployment.
type LaunchState struct {
	Phase        string // DigitalOcean's deployment phase, or "starting"
	Progress     *chat.Progress
	DeploymentID string
	URL          string
	Failure      string // failing step and reason
	FailedStep   string // top-level step that failed: "build" or "deploy"
	// Components is each component's progress, one a line, for a
	// deployment that builds from Git or runs several components.
	Components string
}

func (s LaunchState) final() bool {
	switch godo.DeploymentPhase(s.Phase) {
	case godo.DeploymentPhase_Active, godo.DeploymentPhase_Error, godo.DeploymentPhase_Canceled, godo.DeploymentPhase_Superseded:
		return true
	}
	return s.Phase == "ERROR"
}

// followLaunch watches a launch's first deployment to its end.
func (b *Executor) followLaunch(ctx context.Context, op dobot.Operation, args LaunchArgs, rep *progress.Reporter) {
	b.assignToProject(ctx, op, false, rep)
	b.followDeployment(ctx, op, args.Name, func(op dobot.Operation, st LaunchState) chat.Message { return LaunchCard(op, args, st) }, rep)
}

// followDeployment watches op's deployment until it is live or has failed,
// keeping the head message current with card and replying at each phase
// change. Launch, redeploy and rollback all end here.
func (b *Executor) followDeployment(ctx context.Context, op dobot.Operation, name string, card func(dobot.Operation, LaunchState) chat.Message, rep *progress.Reporter) {
	ctx, cancel := context.WithTimeout(ctx, b.cfg.OpTimeout)
	defer cancel()
	defer b.giveUpIfTimedOut(ctx, &op, name, rep)
	updates, stop := b.watcher.Watch(op.ResourceID, op.CreatedAt)
	defer stop()
	last := LaunchState{Phase: "starting"}
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
				rep.Final(ctx, errorMessage(fmt.Sprintf("%s disappeared from DigitalOcean before its deployment finished; it was deleted outside the bot.", name)))
				return
			}
			continue // transient: the watcher polls again at its pace
		}
		st, err := b.DeploymentState(ctx, u.App, op.DeploymentID)
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
			rep.Reply(ctx, infoMessage(PhaseLine(st)))
		case st.Phase != last.Phase:
			rep.Update(ctx, card(op, st))
			lastUpdate = b.now()
			if !st.final() {
				rep.Reply(ctx, infoMessage(PhaseLine(st)))
			}
		case st.Components != last.Components && st.Components != "" && !st.final():
			rep.Reply(ctx, infoMessage(st.Components))
		case progressChanged(last, st) && b.now().Sub(lastUpdate) >= progressUpdateGap:
			rep.Update(ctx, card(op, st))
			lastUpdate = b.now()
		}
		last = st
		if !st.final() {
			continue
		}
		switch godo.DeploymentPhase(st.Phase) {
		case godo.DeploymentPhase_Active:
			rep.Final(ctx, chat.Message{Text: fmt.Sprintf(chat.IconOK+" %s is live at %s", name, Escape(orPending(st.URL)))})
		case godo.DeploymentPhase_Canceled:
			rep.Final(ctx, infoMessage(fmt.Sprintf(chat.IconCanceled+" The deployment of %s was canceled. The app stays; `/do teardown %s` removes it.", name, name)))
		default:
			rep.Final(ctx, errorMessage(fmt.Sprintf("%s failed: %s", name, st.Failure)))
			b.attachFailureLogs(ctx, op, st.FailedStep, rep)
		}
		return
	}
}

// endDeployment records a deployment's outcome in the operation and the audit.
func (b *Executor) endDeployment(ctx context.Context, op *dobot.Operation, name string, state dobot.OpState, why string) {
	if ops.Lost(ctx) {
		return // the replica holding it now records the outcome
	}
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

func progressChanged(a, b LaunchState) bool {
	if (a.Progress == nil) != (b.Progress == nil) {
		return true
	}
	return a.Progress != nil && *a.Progress != *b.Progress
}

// DeploymentState finds deployment depID in app. When the app no longer
// shows it (it failed or was superseded) it asks DigitalOcean for it.
func (b *Executor) DeploymentState(ctx context.Context, app *godo.App, depID string) (LaunchState, error) {
	if depID == "" {
		if d := firstDeployment(app); d != nil {
			depID = d.ID
		} else {
			return LaunchState{Phase: string(godo.DeploymentPhase_PendingBuild)}, nil
		}
	}
	if d := app.ActiveDeployment; d != nil && d.ID == depID {
		return StateOf(d, app), nil
	}
	for _, d := range []*godo.Deployment{app.InProgressDeployment, app.PendingDeployment} {
		if d != nil && d.ID == depID {
			return StateOf(d, app), nil
		}
	}
	d, _, err := b.apps.GetDeployment(ctx, app.ID, depID)
	if err != nil {
		return LaunchState{}, fmt.Errorf("get deployment %s of app %s: %w", depID, app.ID, err)
	}
	return StateOf(d, app), nil
}

func StateOf(d *godo.Deployment, app *godo.App) LaunchState {
	st := LaunchState{Phase: string(d.Phase), DeploymentID: d.ID, FailedStep: failedStepName(d), Components: progress.Components(d)}
	if st.Phase == "" {
		st.Phase = string(godo.DeploymentPhase_PendingBuild)
	}
	if p := d.Progress; p != nil && p.TotalSteps > 0 {
		st.Progress = &chat.Progress{Done: int(p.SuccessSteps), Total: int(p.TotalSteps)}
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
	"starting":       chat.IconWaiting + " Starting",
	"creating":       chat.IconWaiting + " Creating the app",
	"DROPLET_CREATE": chat.IconWaiting + " Creating the droplet",
	"UNKNOWN":        chat.IconUnknown + " Unknown",
	"PENDING_BUILD":  chat.IconWaiting + " Waiting to build",
	"BUILDING":       chat.IconBuild + " Building",
	"PENDING_DEPLOY": chat.IconWaiting + " Waiting to deploy",
	"DEPLOYING":      chat.IconLaunch + " Deploying",
	"ACTIVE":         chat.IconOK + " Live",
	"SUPERSEDED":     chat.IconForward + " Superseded",
	"ERROR":          chat.IconFailed + " Failed",
	"CANCELED":       chat.IconCanceled + " Canceled",
	// A droplet's phases (see dropletPhase).
	"DROPLET_NEW":    chat.IconWaiting + " Booting the droplet",
	"DROPLET_OFF":    chat.IconOff + " Powered off",
	"DROPLET_ACTIVE": chat.IconOK + " droplet active, container start not checked",
}

func PhaseName(p string) string {
	if n, ok := phaseNames[p]; ok {
		return n
	}
	return Escape(p) // a phase this bot does not know, as DigitalOcean names it
}

func PhaseLine(st LaunchState) string {
	line := PhaseName(st.Phase)
	if st.Progress != nil {
		line += fmt.Sprintf(" (%d/%d steps done)", st.Progress.Done, st.Progress.Total)
	}
	if st.Components != "" && !st.final() {
		line += "\n" + st.Components
	}
	return line
}

// LaunchCard is the head message of a launch.
func LaunchCard(op dobot.Operation, args LaunchArgs, st LaunchState) chat.Message {
	title := fmt.Sprintf(chat.IconLaunch+" Launching %s", args.Name)
	switch {
	case godo.DeploymentPhase(st.Phase) == godo.DeploymentPhase_Active:
		title = fmt.Sprintf(chat.IconOK+" %s is live", args.Name)
	case godo.DeploymentPhase(st.Phase) == godo.DeploymentPhase_Canceled:
		title = CanceledTitle(op.Action, args.Name)
	case st.final():
		title = fmt.Sprintf(chat.IconFailed+" %s failed", args.Name)
	case st.Phase == "DROPLET_ACTIVE":
		title = fmt.Sprintf(chat.IconOK+" %s: droplet active, container start not checked", args.Name)
	}
	region, kind := args.Region, "App Platform"
	if args.Droplet {
		region, kind = args.DropletRegion, "Droplet (Docker)"
	}
	imageLabel, image := "Image", args.Image
	if args.From != nil {
		imageLabel, image = "Source", Escape(args.From.Describe())
	}
	if args.Check.Digest != "" {
		image += "\n`" + args.Check.Digest + "`"
	}
	if p := args.Check.PortText(); p != "" {
		kind += ", port " + p
	}
	fields := []chat.Field{
		{Label: KindLabel(map[bool]string{false: KindApp, true: KindDroplet}[args.Droplet]), Value: args.Name},
		{Label: imageLabel, Value: image},
		{Label: "Region", Value: region},
		{Label: "Runs on", Value: kind},
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

// giveUpIfTimedOut ends an operation whose watch ran out of time while the
// bot keeps running: it is failed and said so, rather than left holding
// the app. At shutdown it stays running, to resume at the next start.
func (b *Executor) giveUpIfTimedOut(ctx context.Context, op *dobot.Operation, name string, rep *progress.Reporter) {
	if ctx.Err() == nil || op.State.Final() {
		return
	}
	if b.runner.Stopping() || ops.Lost(ctx) {
		return // resumed at the next start, or by the replica that took it
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	why := fmt.Sprintf("stopped watching after %s without an outcome", b.cfg.OpTimeout)
	b.finish(ctx, op, dobot.OpFailed, why)
	rep.Final(ctx, errorMessage(fmt.Sprintf("The bot %s for %s. DigitalOcean may still finish it: `/do status %s` shows where it is.", why, name, name)))
}

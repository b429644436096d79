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
	"dobot/reply"
)

// Status describes the app name, or, when name is "", every app the bot
// manages. One app's status links to its launch thread.
func (r *Board) Status(ctx context.Context, name string) (chat.Message, error) {
	if name == "" {
		return r.statusAll(ctx)
	}
	if op, ok := r.launchInFlight(ctx, name); ok {
		return r.inFlightStatus(ctx, op), nil
	}
	managed, err := r.d.Plan.ManagedApp(ctx, name)
	if err != nil {
		return chat.Message{}, err
	}
	if managed.Kind == deploy.KindDroplet {
		m, err := r.d.DropletStatus(ctx, managed)
		if err != nil {
			return chat.Message{}, err
		}
		return r.WithThreadLink(ctx, managed, m), nil
	}
	app, err := r.d.Plan.GetApp(ctx, managed)
	if err != nil {
		return chat.Message{}, err
	}
	return r.WithThreadLink(ctx, managed, r.statusCard(ctx, managed, app)), nil
}

// statusCard describes one app as DigitalOcean reports it.
func (r *Board) statusCard(ctx context.Context, managed dobot.App, app *godo.App) chat.Message {
	st := r.appState(ctx, app)
	fields := []chat.Field{{Label: "App", Value: managed.Name}, {Label: "Phase", Value: deploy.PhaseName(st.Phase)}, {Label: "Image", Value: runningImage(managed, app)}, {Label: "Region", Value: managed.Region}}
	if st.DeploymentID != "" {
		fields = append(fields, chat.Field{Label: "Deployment", Value: "`" + st.DeploymentID + "`"})
	}
	fields = append(fields, chat.Field{Label: "Links", Value: deploy.LinksText(deploy.KindApp, managed.ResourceID, app.LiveURL)})
	m := chat.Message{
		Text:     fmt.Sprintf("%s: %s %s", managed.Name, deploy.PhaseLine(st), reply.Escape(app.LiveURL)),
		Title:    fmt.Sprintf("Status of %s", managed.Name),
		Fields:   fields,
		Progress: st.Progress,
		Footer:   fmt.Sprintf("Launched by %s on %s", chat.Mention(managed.Owner), managed.CreatedAt.UTC().Format("2006-01-02 15:04 UTC")),
	}
	if holder, err := r.d.Store.ActiveOperation(ctx, managed.Name); err == nil {
		m.Body = fmt.Sprintf("%s %s (%s) by %s holds this app: %s, since %s.", chat.IconLock, deploy.Ref(holder), reply.Escape(deploy.What(holder)), chat.Mention(holder.Requester),
			r.opPhase(ctx, holder), holder.CreatedAt.UTC().Format("15:04 UTC"))
	}
	if holds := r.d.Holds.Lines(ctx, managed.Name); holds != "" {
		m.Body = strings.TrimPrefix(m.Body+"\n"+holds, "\n")
	}
	return m
}

// currentState is the state of the deployment an app is working on, or of
// its active one.
func currentState(app *godo.App) deploy.LaunchState {
	for _, d := range []*godo.Deployment{app.InProgressDeployment, app.PendingDeployment} {
		if d != nil && d.ID != "" {
			return deploy.StateOf(d, app)
		}
	}
	if d := app.ActiveDeployment; d != nil && d.ID != "" {
		return deploy.StateOf(d, app)
	}
	return deploy.LaunchState{Phase: "UNKNOWN"}
}

// appState is currentState, or, when the app has no active deployment and
// none under way (its only deployment was canceled or failed), the state
// of its newest deployment: never "Unknown" while DigitalOcean knows.
func (r *Board) appState(ctx context.Context, app *godo.App) deploy.LaunchState {
	st := currentState(app)
	if st.Phase != "UNKNOWN" {
		return st
	}
	deps, _, err := r.d.Apps.ListDeployments(ctx, app.ID, &godo.ListOptions{Page: 1, PerPage: 5})
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
	return reply.Escape(running)
}

// statusAll lists every managed app, one line each, from one app listing.
func (r *Board) statusAll(ctx context.Context) (chat.Message, error) {
	managed, err := r.d.Store.Apps(ctx)
	if err != nil {
		return chat.Message{}, fmt.Errorf("list managed apps: %w", err)
	}
	launching, err := r.launchesInFlight(ctx)
	if err != nil {
		return chat.Message{}, err
	}
	if len(managed) == 0 && len(launching) == 0 {
		return chat.Message{Text: "The bot manages no apps yet. Launch one with `/do launch NAME --image REF`."}, nil
	}
	live, err := r.d.Plan.ListApps(ctx)
	if err != nil {
		return chat.Message{}, err
	}
	var sb strings.Builder
	if len(managed) > 0 {
		fmt.Fprintf(&sb, "*%d app(s) managed by the bot*\n", len(managed))
	}
	for _, m := range managed {
		sb.WriteString(r.statusLine(ctx, m, live))
	}
	sb.WriteString(r.launchingLines(ctx, launching))
	return chat.Message{Text: sb.String()}, nil
}

// statusLine is m's line in statusAll, live being every app by id.
func (r *Board) statusLine(ctx context.Context, m dobot.App, live map[string]*godo.App) string {
	var sb strings.Builder
	if m.Kind == deploy.KindDroplet {
		fmt.Fprintf(&sb, "• *%s* — droplet `%s` — launched by %s (`/do status %s` for its state)", m.Name, m.ResourceID, chat.Mention(m.Owner), m.Name)
		if line := r.threadLine(ctx, m, "launch thread"); line != "" {
			fmt.Fprintf(&sb, " — %s", line)
		}
		sb.WriteString("\n")
		return sb.String()
	}
	app, ok := live[m.ResourceID]
	if !ok {
		return fmt.Sprintf("• *%s* — %s deleted outside the bot — launched by %s — `/do forget %s` drops it\n", m.Name, chat.IconUnknown, chat.Mention(m.Owner), m.Name)
	}
	st := r.appState(ctx, app)
	fmt.Fprintf(&sb, "• *%s* — %s", m.Name, deploy.PhaseLine(st))
	if app.LiveURL != "" {
		fmt.Fprintf(&sb, " — %s", app.LiveURL)
	}
	fmt.Fprintf(&sb, " — launched by %s", chat.Mention(m.Owner))
	if line := r.threadLine(ctx, m, "launch thread"); line != "" {
		fmt.Fprintf(&sb, " — %s", line)
	}
	if holder, err := r.d.Store.ActiveOperation(ctx, m.Name); err == nil {
		fmt.Fprintf(&sb, " — %s %s (%s) by %s, %s", chat.IconLock, deploy.Ref(holder), holder.Action, chat.Mention(holder.Requester), strings.ReplaceAll(string(holder.State), "_", " "))
	}
	if holds := r.d.Holds.Lines(ctx, m.Name); holds != "" {
		fmt.Fprintf(&sb, " — %s", strings.ReplaceAll(holds, "\n", " — "))
	}
	sb.WriteString("\n")
	return sb.String()
}

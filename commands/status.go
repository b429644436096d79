package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
)

var statusCommand = &Command{
	Name:        "status",
	Usage:       "status [NAME]",
	Description: "Show an app's phase, live URL and current deployment; without NAME, every app the bot manages.",
	Examples:    []string{"status web", "status"},
	MinRole:     dobot.RoleViewer,
	Parse: func(words []string, _ Config) (any, error) {
		switch len(words) {
		case 0:
			return statusArgs{}, nil
		case 1:
			if err := ValidAppName(words[0]); err != nil {
				return nil, err
			}
			return statusArgs{name: words[0]}, nil
		}
		return nil, userErrorf("status takes at most one app name, like `/do status web`")
	},
	Run: runStatus,
}

type statusArgs struct{ name string }

func (a statusArgs) Target() string { return a.name }

func runStatus(ctx context.Context, b *Bot, inv *Invocation) error {
	args, err := argsOf[statusArgs](inv)
	if err != nil {
		return err
	}
	if args.name == "" {
		return b.statusAll(ctx, inv.Req)
	}
	if op, ok := b.launchInFlight(ctx, args.name); ok {
		b.tell(ctx, inv.Req, b.inFlightStatus(ctx, op))
		return nil
	}
	managed, err := b.plan.ManagedApp(ctx, args.name)
	if err != nil {
		return err
	}
	if managed.Kind == kindDroplet {
		m, err := b.dropletStatus(ctx, managed)
		if err != nil {
			return err
		}
		b.answerPrivately(ctx, inv.Req, managed, m)
		return nil
	}
	app, err := b.plan.GetApp(ctx, managed)
	if err != nil {
		return err
	}
	b.answerPrivately(ctx, inv.Req, managed, b.statusCard(ctx, managed, app))
	return nil
}

// statusCard describes one app as DigitalOcean reports it.
func (b *Bot) statusCard(ctx context.Context, managed dobot.App, app *godo.App) Message {
	st := b.appState(ctx, app)
	fields := []Field{{Label: "App", Value: managed.Name}, {Label: "Phase", Value: deploy.PhaseName(st.Phase)}, {Label: "Image", Value: runningImage(managed, app)}, {Label: "Region", Value: managed.Region}}
	if st.DeploymentID != "" {
		fields = append(fields, Field{Label: "Deployment", Value: "`" + st.DeploymentID + "`"})
	}
	fields = append(fields, Field{Label: "Links", Value: deploy.LinksText(kindApp, managed.ResourceID, app.LiveURL)})
	m := Message{
		Text:     fmt.Sprintf("%s: %s %s", managed.Name, deploy.PhaseLine(st), Escape(app.LiveURL)),
		Title:    fmt.Sprintf("Status of %s", managed.Name),
		Fields:   fields,
		Progress: st.Progress,
		Footer:   fmt.Sprintf("Launched by %s on %s", chat.Mention(managed.Owner), managed.CreatedAt.UTC().Format("2006-01-02 15:04 UTC")),
	}
	if holder, err := b.store.ActiveOperation(ctx, managed.Name); err == nil {
		m.Body = fmt.Sprintf("%s %s (%s) by %s holds this app: %s, since %s.", chat.IconLock, opRef(holder), Escape(opWhat(holder)), chat.Mention(holder.Requester),
			b.opPhase(ctx, holder), holder.CreatedAt.UTC().Format("15:04 UTC"))
	}
	if holds := b.holdLines(ctx, managed.Name); holds != "" {
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

// statusAll lists every managed app, one line each, from one app listing.
func (b *Bot) statusAll(ctx context.Context, req Request) error {
	managed, err := b.store.Apps(ctx)
	if err != nil {
		return fmt.Errorf("list managed apps: %w", err)
	}
	launching, err := b.launchesInFlight(ctx)
	if err != nil {
		return err
	}
	if len(managed) == 0 && len(launching) == 0 {
		b.tell(ctx, req, infoMessage("The bot manages no apps yet. Launch one with `/do launch NAME --image REF`."))
		return nil
	}
	live, err := b.plan.ListApps(ctx)
	if err != nil {
		return err
	}
	var sb strings.Builder
	if len(managed) > 0 {
		fmt.Fprintf(&sb, "*%d app(s) managed by the bot*\n", len(managed))
	}
	for _, m := range managed {
		if m.Kind == kindDroplet {
			fmt.Fprintf(&sb, "• *%s* — droplet `%s` — launched by %s (`/do status %s` for its state)", m.Name, m.ResourceID, chat.Mention(m.Owner), m.Name)
			if line := b.launchThreadLine(ctx, m, "launch thread"); line != "" {
				fmt.Fprintf(&sb, " — %s", line)
			}
			sb.WriteString("\n")
			continue
		}
		app, ok := live[m.ResourceID]
		if !ok {
			fmt.Fprintf(&sb, "• *%s* — %s deleted outside the bot — launched by %s — `/do forget %s` drops it\n", m.Name, chat.IconUnknown, chat.Mention(m.Owner), m.Name)
			continue
		}
		st := b.appState(ctx, app)
		fmt.Fprintf(&sb, "• *%s* — %s", m.Name, deploy.PhaseLine(st))
		if app.LiveURL != "" {
			fmt.Fprintf(&sb, " — %s", app.LiveURL)
		}
		fmt.Fprintf(&sb, " — launched by %s", chat.Mention(m.Owner))
		if line := b.launchThreadLine(ctx, m, "launch thread"); line != "" {
			fmt.Fprintf(&sb, " — %s", line)
		}
		if holder, err := b.store.ActiveOperation(ctx, m.Name); err == nil {
			fmt.Fprintf(&sb, " — %s %s (%s) by %s, %s", chat.IconLock, opRef(holder), holder.Action, chat.Mention(holder.Requester), strings.ReplaceAll(string(holder.State), "_", " "))
		}
		if holds := b.holdLines(ctx, m.Name); holds != "" {
			fmt.Fprintf(&sb, " — %s", strings.ReplaceAll(holds, "\n", " — "))
		}
		sb.WriteString("\n")
	}
	sb.WriteString(b.launchingLines(ctx, launching))
	b.tell(ctx, req, infoMessage(sb.String()))
	return nil
}

package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/docloud"
	"dobot/docloud/daytwo"
)

// domainsCommand lists an app's custom domains with their DNS and
// certificate progress; its sub-commands add and remove one. A domain
// added is followed in the card's thread until its certificate is issued.
var domainsCommand = &Command{
	Name:        "domains",
	Usage:       "domains NAME",
	Description: "List an app's custom domains with their DNS and certificate progress and the records DigitalOcean asks for. Answered privately.",
	Examples:    []string{"domains web", "domains add web example.com --primary", "domains remove web old.example.com"},
	MinRole:     dobot.RoleViewer,
	Parse: func(words []string, _ Config) (any, error) {
		if len(words) != 1 {
			return nil, userErrorf("domains takes one app name, like `/do domains web`; to change them, `/do domains add web example.com` or `/do domains remove web example.com`")
		}
		if err := ValidAppName(words[0]); err != nil {
			return nil, err
		}
		return statusArgs{name: words[0]}, nil
	},
	Run: runDomainsList,
	Subcommands: []*Command{
		{
			Name:        "domains add",
			Usage:       "domains add NAME DOMAIN [--primary] [--reason TEXT]",
			Description: "Add a custom domain (with --primary, as the app's primary domain) and deploy. The thread follows its DNS check and certificate, with the records to create.",
			Examples:    []string{"domains add web example.com --primary", "domains add web www.example.com"},
			Action:      ActionDomains,
			Parse:       parseDomainChange("domains add"),
			Prepare:     prepareDomainChange,
		},
		{
			Name:        "domains remove",
			Usage:       "domains remove NAME DOMAIN [--reason TEXT]",
			Description: "Remove a custom domain from an app and deploy.",
			Examples:    []string{"domains remove web old.example.com"},
			Action:      ActionDomains,
			Parse:       parseDomainChange("domains remove"),
			Prepare:     prepareDomainChange,
		},
	},
}

// domainArgs are the arguments of domains add and remove.
type domainArgs struct {
	ChangeArgs
	Remove  bool
	Primary bool
}

func parseDomainChange(name string) func([]string, Config) (any, error) {
	return func(words []string, _ Config) (any, error) {
		fs := newFlagSet(name)
		reason := fs.String("reason", "", "")
		var primary *bool
		if name == "domains add" {
			primary = fs.Bool("primary", false, "")
		}
		pos, err := parseFlags(fs, words)
		if err != nil {
			return nil, err
		}
		if len(pos) != 2 {
			return nil, userErrorf("%s takes an app name and a domain, like `/do %s web example.com`", name, name)
		}
		if err := ValidAppName(pos[0]); err != nil {
			return nil, err
		}
		domain := strings.ToLower(strings.TrimSuffix(unlink(pos[1]), "."))
		if !validDomain(domain) {
			return nil, userErrorf("%q is not a domain name; give one like example.com or www.example.com", pos[1])
		}
		a := domainArgs{ChangeArgs: ChangeArgs{Name: pos[0], DayTwo: DayTwo{Domain: domain}, Reason: strings.TrimSpace(*reason)}, Remove: name == "domains remove"}
		if primary != nil {
			a.Primary = *primary
		}
		return a, nil
	}
}

// validDomain accepts a lower-case host name of at least two labels.
func validDomain(d string) bool {
	if len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

func prepareDomainChange(ctx context.Context, b *Bot, inv *Invocation) (*Plan, error) {
	a, err := argsOf[domainArgs](inv)
	if err != nil {
		return nil, err
	}
	args := a.ChangeArgs
	managed, app, err := b.dayTwoTarget(ctx, inv.Command.Name, args.Name)
	if err != nil {
		return nil, err
	}
	verb := "add"
	if a.Remove {
		verb = "remove"
		args.Spec, err = daytwo.RemoveDomain(app.Spec, args.Domain)
	} else {
		args.Spec, err = daytwo.AddDomain(app.Spec, args.Domain, a.Primary)
	}
	var de *daytwo.DomainError
	if errors.As(err, &de) {
		return nil, userErrorf("Cannot %s %s on %s: %s. Nothing was changed.", verb, args.Domain, args.Name, Escape(de.Error()))
	}
	if err != nil {
		return nil, err
	}
	what := args.Domain
	if a.Primary {
		what += " (primary)"
	}
	fields := []Field{{Label: "App", Value: args.Name}, {Label: strings.ToUpper(verb[:1]) + verb[1:], Value: what}}
	if a.Remove {
		args.Domain = "" // nothing to follow
	}
	return b.prepareSpecChange(ctx, ActionDomains, fmt.Sprintf("%s domain %s on %s", verb, what, args.Name), args, managed, app, fields)
}

func runDomainsList(ctx context.Context, b *Bot, inv *Invocation) error {
	args, err := argsOf[statusArgs](inv)
	if err != nil {
		return err
	}
	managed, app, err := b.dayTwoTarget(ctx, "domains", args.name)
	if err != nil {
		return err
	}
	var lines []string
	for _, d := range daytwo.Domains(app) {
		lines = append(lines, "• "+domainLine(d, app))
	}
	if len(lines) == 0 {
		lines = []string{fmt.Sprintf("%s has no custom domains; `/do domains add %s example.com` adds one.", Escape(args.name), Escape(args.name))}
	}
	b.answerPrivately(ctx, inv.Req, managed, Message{Title: "Domains of " + Escape(args.name), Text: strings.Join(lines, "\n")})
	return nil
}

// domainIcons mark a domain's phase.
var domainIcons = map[godo.AppDomainPhase]string{
	godo.AppJobSpecKindPHASE_Pending:     chat.IconPending,
	godo.AppJobSpecKindPHASE_Configuring: chat.IconWaiting,
	godo.AppJobSpecKindPHASE_Active:      chat.IconLive,
	godo.AppJobSpecKindPHASE_Error:       chat.IconFailed,
}

// domainLine says where a domain is and, while DNS is not found, what to
// create: a CNAME to the app's default host and any TXT record DigitalOcean
// asks for.
func domainLine(d daytwo.Domain, app *godo.App) string {
	icon := domainIcons[d.Phase]
	if icon == "" {
		icon = chat.IconUnknown
	}
	name := Escape(d.Name)
	if d.Primary {
		name += " (primary)"
	}
	var line string
	switch d.Phase {
	case godo.AppJobSpecKindPHASE_Active:
		line = fmt.Sprintf("%s %s is active, with its certificate", icon, name)
	case godo.AppJobSpecKindPHASE_Configuring:
		line = fmt.Sprintf("%s %s: DNS found; DigitalOcean is issuing its certificate", icon, name)
	case godo.AppJobSpecKindPHASE_Error:
		line = fmt.Sprintf("%s %s failed its DNS check or certificate", icon, name)
	default:
		line = fmt.Sprintf("%s %s is pending: DigitalOcean does not see its DNS records yet", icon, name)
		if host := defaultHost(app); host != "" {
			line += fmt.Sprintf(". Create a CNAME record %s → %s", Escape(d.Name), Escape(host))
		}
		if d.TXT != "" {
			line += fmt.Sprintf(", and the TXT record %s", Escape(d.TXT))
		}
	}
	if len(d.Steps) > 0 {
		line += " (" + Escape(strings.Join(d.Steps, ", ")) + ")"
	}
	return line
}

// defaultHost is the host of the app's default ingress, where a custom
// domain's CNAME points.
func defaultHost(app *godo.App) string {
	if app == nil || app.DefaultIngress == "" {
		return ""
	}
	if u, err := url.Parse(app.DefaultIngress); err == nil && u.Host != "" {
		return u.Host
	}
	return app.DefaultIngress
}

// domainFollowArgs are what a domain follow keeps: the domain, since when,
// the phase last reported and whether the pending note was posted. They
// are stored before each message, so a restart neither repeats nor skips
// one.
type domainFollowArgs struct {
	Name   string
	Domain string
	Since  time.Time
	Phase  string `json:",omitempty"`
	Noted  bool   `json:",omitempty"`
}

func (a domainFollowArgs) target() string { return a.Name }

// domainFollowFor is how long a domain is followed before the bot stops
// and says so; /do domains still shows it.
const domainFollowFor = 24 * time.Hour

// defaultDomainNote is how long a domain may stay pending before the
// thread gets a note.
const defaultDomainNote = 30 * time.Minute

// followDomain starts following the domain parent added, in parent's
// thread, as an operation of its own that locks the domain, not the app:
// it survives restarts like any operation. A follow already running for
// the domain goes on alone.
func (b *Bot) followDomain(ctx context.Context, parent dobot.Operation, args ChangeArgs) {
	raw, err := json.Marshal(domainFollowArgs{Name: args.Name, Domain: args.Domain, Since: b.now()})
	if err != nil {
		b.log.Error("encode a domain follow", "op", parent.ID, "err", err)
		return
	}
	op := dobot.Operation{Action: ActionDomainFollow, App: args.Name, Lock: "domain:" + args.Name + ":" + args.Domain, Args: string(raw),
		ResourceID: parent.ResourceID, Requester: parent.Requester, RequesterName: parent.RequesterName, Channel: parent.Channel,
		MessageTS: parent.MessageTS, ResponseURL: parent.ResponseURL, CommandText: parent.CommandText}
	op, err = b.eng.ops.Open(ctx, op, false)
	var busy *dobot.BusyError
	if errors.As(err, &busy) {
		return // already followed
	}
	if err != nil {
		b.log.Error("start following a domain", "op", parent.ID, "domain", args.Domain, "err", err)
		return
	}
	b.runExecutor(fmt.Sprintf("op-%d", op.ID), b.table.actions[ActionDomainFollow], op, b.reporterFor(op))
}

// domainFollowHead is never posted: a follow replies in its domains
// change's thread. It stands for the follow where an operation's first
// message is asked for.
func domainFollowHead(op dobot.Operation) Message {
	a, _ := decodeArgs[domainFollowArgs](op)
	return Message{Text: fmt.Sprintf("%s Following the DNS and certificate of %s on %s", chat.IconSearch, Escape(a.Domain), Escape(op.App))}
}

// runDomainFollow polls the app until the domain is active, fails, goes
// away, or has been followed for domainFollowFor.
func runDomainFollow(ctx context.Context, b *Bot, op dobot.Operation, rep *reporter) {
	args, err := decodeArgs[domainFollowArgs](op)
	if err != nil {
		b.failOp(ctx, op, rep, err)
		return
	}
	for {
		if cur, err := b.store.Operation(ctx, op.ID); err == nil && cur.State != dobot.OpRunning {
			return // stopped with /do cancel
		}
		app, _, err := b.apps.Get(ctx, op.ResourceID)
		switch {
		case docloud.IsNotFound(err):
			if b.moveFollow(ctx, &op, args, dobot.OpCanceled, "app deleted") == followMoved {
				rep.reply(ctx, infoMessage(fmt.Sprintf("%s is gone from DigitalOcean; no longer following %s.", Escape(op.App), Escape(args.Domain))))
			}
			return
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			b.log.Warn("read app for its domain", "op", op.ID, "err", err)
		default:
			if b.domainStep(ctx, &op, &args, app, rep) {
				return
			}
		}
		select {
		case <-ctx.Done():
			return // shutdown: the follow resumes at the next start
		case <-time.After(b.watcher.Interval(b.now().Sub(args.Since))):
		}
	}
}

// domainStep reports the domain's phase when it changed, and the pending
// note when it is due. It reports whether the follow is over. Each step is
// recorded before it is said, by compare-and-set: a follow stopped with
// /do cancel meanwhile says nothing more.
func (b *Bot) domainStep(ctx context.Context, op *dobot.Operation, args *domainFollowArgs, app *godo.App, rep *reporter) bool {
	var d *daytwo.Domain
	for _, x := range daytwo.Domains(app) {
		if strings.EqualFold(x.Name, args.Domain) {
			d = &x
		}
	}
	if d == nil {
		if b.moveFollow(ctx, op, *args, dobot.OpCanceled, "domain removed") == followMoved {
			rep.reply(ctx, infoMessage(fmt.Sprintf("%s was removed from %s; no longer following it.", Escape(args.Domain), Escape(op.App))))
		}
		return true
	}
	if prev := args.Phase; string(d.Phase) != prev {
		args.Phase = string(d.Phase)
		to, why := dobot.OpRunning, ""
		switch d.Phase {
		case godo.AppJobSpecKindPHASE_Active:
			to = dobot.OpSucceeded
		case godo.AppJobSpecKindPHASE_Error:
			to, why = dobot.OpFailed, "domain "+args.Domain+" failed"
		}
		switch b.moveFollow(ctx, op, *args, to, why) {
		case followStopped:
			return true
		case followUnrecorded:
			args.Phase = prev // said at the next poll
			return false
		}
		rep.reply(ctx, infoMessage(domainLine(*d, app)))
		if to != dobot.OpRunning {
			return true
		}
	}
	if d.Phase == godo.AppJobSpecKindPHASE_Pending && !args.Noted && b.now().Sub(args.Since) >= b.domainNoteAfter() {
		args.Noted = true
		switch b.moveFollow(ctx, op, *args, dobot.OpRunning, "") { // recorded first: one note, even across a restart
		case followStopped:
			return true
		case followMoved:
			rep.reply(ctx, infoMessage(fmt.Sprintf("%s %s: %s is still pending %s after it was added. DigitalOcean cannot see its DNS records yet; check them with your DNS provider. `/do domains %s` shows its progress.",
				chat.IconAlarm, chat.Mention(op.Requester), Escape(args.Domain), b.domainNoteAfter(), Escape(op.App))))
		default:
			args.Noted = false
		}
	}
	if b.now().Sub(args.Since) >= domainFollowFor {
		if b.moveFollow(ctx, op, *args, dobot.OpCanceled, "still pending") == followMoved {
			rep.reply(ctx, infoMessage(fmt.Sprintf("%s is still not active after %s; the bot stops following it here. `/do domains %s` shows its progress.",
				Escape(args.Domain), domainFollowFor, Escape(op.App))))
		}
		return true
	}
	return false
}

// What recording a follow's step came to.
const (
	followMoved      = iota // recorded
	followStopped           // the follow is no longer running (/do cancel)
	followUnrecorded        // the store failed: try at the next poll
)

// moveFollow records args and moves the follow to state to (running to
// keep following), only while it is running.
func (b *Bot) moveFollow(ctx context.Context, op *dobot.Operation, args domainFollowArgs, to dobot.OpState, why string) int {
	raw, err := json.Marshal(args)
	if err != nil {
		b.log.Error("encode a domain's progress", "op", op.ID, "err", err)
		return followUnrecorded
	}
	moved, ok, err := b.store.Transition(ctx, op.ID, []dobot.OpState{dobot.OpRunning}, to, func(o *dobot.Operation) {
		o.Args, o.Error = string(raw), why
	})
	switch {
	case err != nil:
		b.log.Error("record a domain's progress", "op", op.ID, "err", err)
		return followUnrecorded
	case !ok:
		return followStopped
	}
	*op = moved
	return followMoved
}

// stopDomainFollow is /do cancel of a domain's follow: the bot stops
// following it; the domain itself stays as it is.
func (b *Bot) stopDomainFollow(ctx context.Context, inv *Invocation, op dobot.Operation) error {
	stopped, ok, err := b.store.Transition(ctx, op.ID, []dobot.OpState{dobot.OpRunning}, dobot.OpCanceled, func(o *dobot.Operation) {
		o.Error = "stopped by " + inv.Req.UserID
	})
	if err != nil {
		return fmt.Errorf("stop following a domain (operation %d): %w", op.ID, err)
	}
	if !ok {
		return userErrorf("%s is already %s; there is nothing to cancel.", opRefTitle(stopped), stopped.State)
	}
	what := Escape(opWhat(op))
	b.reporterFor(stopped).reply(ctx, infoMessage(fmt.Sprintf("%s %s stopped the bot's following (%s). The domain stays; `/do domains %s` shows it.",
		chat.IconCanceled, chat.Mention(inv.Req.UserID), what, Escape(op.App))))
	b.tell(ctx, inv.Req, infoMessage(fmt.Sprintf("Stopped %s (%s).", opRef(op), what)))
	return nil
}

// domainNoteAfter is how long a domain may be pending before its note.
func (b *Bot) domainNoteAfter() time.Duration {
	if b.cfg.DomainNoteAfter > 0 {
		return b.cfg.DomainNoteAfter
	}
	return defaultDomainNote
}

package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/cmdline"
	"dobot/deploy"
	"dobot/docloud/daytwo"
	"dobot/domainview"
	"dobot/plan"
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
			Prepare:     planWith((*plan.Planner).DomainChange),
		},
		{
			Name:        "domains remove",
			Usage:       "domains remove NAME DOMAIN [--reason TEXT]",
			Description: "Remove a custom domain from an app and deploy.",
			Examples:    []string{"domains remove web old.example.com"},
			Action:      ActionDomains,
			Parse:       parseDomainChange("domains remove"),
			Prepare:     planWith((*plan.Planner).DomainChange),
		},
	},
}

// domainArgs are the arguments of domains add and remove.
type domainArgs = plan.DomainArgs

func parseDomainChange(name string) func([]string, Config) (any, error) {
	return func(words []string, _ Config) (any, error) {
		fs := cmdline.NewFlagSet(name)
		reason := fs.String("reason", "", "")
		var primary *bool
		if name == "domains add" {
			primary = fs.Bool("primary", false, "")
		}
		pos, err := cmdline.ParseFlags(fs, words)
		if err != nil {
			return nil, err
		}
		if len(pos) != 2 {
			return nil, userErrorf("%s takes an app name and a domain, like `/do %s web example.com`", name, name)
		}
		if err := ValidAppName(pos[0]); err != nil {
			return nil, err
		}
		domain := strings.ToLower(strings.TrimSuffix(cmdline.TrimScheme(pos[1]), "."))
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

func runDomainsList(ctx context.Context, b *Bot, inv *Invocation) error {
	args, err := argsOf[statusArgs](inv)
	if err != nil {
		return err
	}
	managed, app, err := b.plan.AppNow(ctx, "domains", args.name)
	if err != nil {
		return err
	}
	var lines []string
	for _, d := range daytwo.Domains(app) {
		lines = append(lines, "• "+domainview.Line(d, app))
	}
	if len(lines) == 0 {
		lines = []string{fmt.Sprintf("%s has no custom domains; `/do domains add %s example.com` adds one.", Escape(args.name), Escape(args.name))}
	}
	b.answerPrivately(ctx, inv.Req, managed, Message{Title: "Domains of " + Escape(args.name), Text: strings.Join(lines, "\n")})
	return nil
}

// followDomain starts following the domain parent added, in parent's
// thread, as an operation of its own that locks the domain, not the app:
// it survives restarts like any operation. A follow already running for
// the domain goes on alone.
func (b *Bot) followDomain(ctx context.Context, parent dobot.Operation, domain string) {
	raw, err := json.Marshal(deploy.DomainFollowArgs{Name: parent.App, Domain: domain, Since: b.now()})
	if err != nil {
		b.log.Error("encode a domain follow", "op", parent.ID, "err", err)
		return
	}
	op := dobot.Operation{Action: ActionDomainFollow, App: parent.App, Lock: "domain:" + parent.App + ":" + domain, Args: string(raw),
		Sent: dobot.Sent{ResourceID: parent.ResourceID}, Requester: parent.Requester, RequesterName: parent.RequesterName,
		Card: dobot.Card{Channel: parent.Channel, MessageTS: parent.MessageTS, ResponseURL: parent.ResponseURL}, CommandText: parent.CommandText}
	op, err = b.eng.ops.Open(ctx, op, false)
	var busy *dobot.BusyError
	if errors.As(err, &busy) {
		return // already followed
	}
	if err != nil {
		b.log.Error("start following a domain", "op", parent.ID, "domain", domain, "err", err)
		return
	}
	b.runExecutor(fmt.Sprintf("op-%d", op.ID), b.table.actions[ActionDomainFollow], op, b.reporterFor(op))
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
	b.reporterFor(stopped).Reply(ctx, infoMessage(fmt.Sprintf("%s %s stopped the bot's following (%s). The domain stays; `/do domains %s` shows it.",
		chat.IconCanceled, chat.Mention(inv.Req.UserID), what, Escape(op.App))))
	b.tell(ctx, inv.Req, infoMessage(fmt.Sprintf("Stopped %s (%s).", opRef(op), what)))
	return nil
}

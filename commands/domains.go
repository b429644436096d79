package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"dobot"
	"dobot/chat"
	"dobot/daytwocmd"
	"dobot/deploy"
	"dobot/plan"
	"dobot/reply"
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
	Parse:       parsedBy(daytwocmd.ParseDomains),
	Run:         runDomainsList,
	Subcommands: []*Command{
		{
			Name:        "domains add",
			Usage:       "domains add NAME DOMAIN [--primary] [--reason TEXT]",
			Description: "Add a custom domain (with --primary, as the app's primary domain) and deploy. The thread follows its DNS check and certificate, with the records to create.",
			Examples:    []string{"domains add web example.com --primary", "domains add web www.example.com"},
			Action:      ActionDomains,
			Parse:       parsedBy(daytwocmd.ParseDomainAdd),
			Prepare:     planWith((*plan.Planner).DomainChange),
		},
		{
			Name:        "domains remove",
			Usage:       "domains remove NAME DOMAIN [--reason TEXT]",
			Description: "Remove a custom domain from an app and deploy.",
			Examples:    []string{"domains remove web old.example.com"},
			Action:      ActionDomains,
			Parse:       parsedBy(daytwocmd.ParseDomainRemove),
			Prepare:     planWith((*plan.Planner).DomainChange),
		},
	},
}

func runDomainsList(ctx context.Context, b *Bot, inv *Invocation) error {
	args, err := argsOf[daytwocmd.AppArgs](inv)
	if err != nil {
		return err
	}
	managed, app, err := b.plan.AppNow(ctx, "domains", args.Name)
	if err != nil {
		return err
	}
	b.answerPrivately(ctx, inv.Req, managed, daytwocmd.DomainsAnswer(args.Name, app))
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
		return reply.Errorf("%s is already %s; there is nothing to cancel.", opRefTitle(stopped), stopped.State)
	}
	what := reply.Escape(opWhat(op))
	b.reporterFor(stopped).Reply(ctx, infoMessage(fmt.Sprintf("%s %s stopped the bot's following (%s). The domain stays; `/do domains %s` shows it.",
		chat.IconCanceled, chat.Mention(inv.Req.UserID), what, reply.Escape(op.App))))
	b.tell(ctx, inv.Req, infoMessage(fmt.Sprintf("Stopped %s (%s).", opRef(op), what)))
	return nil
}

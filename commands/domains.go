package commands

import (
	"context"

	"dobot"
	"dobot/daytwocmd"
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

var runDomainsList = replyWith(func(ctx context.Context, b *Bot, _ *Invocation, a daytwocmd.AppArgs) (Message, error) {
	managed, app, err := b.plan.AppNow(ctx, "domains", a.Name)
	if err != nil {
		return Message{}, err
	}
	return b.svc.board.WithThreadLink(ctx, managed, daytwocmd.DomainsAnswer(a.Name, app)), nil
})

// follows start and stop the follows of added domains: package
// domainview's.
type follows = domainview.Follows

// followDomain starts following the domain parent added (deploy's
// DomainAdded): domainview.Follows.Start.
func (b *Bot) followDomain(ctx context.Context, parent dobot.Operation, domain string) {
	b.svc.follow.Start(ctx, parent, domain)
}

package daytwocmd

import (
	"fmt"
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/cmdline"
	"dobot/deploy"
	"dobot/docloud/daytwo"
	"dobot/domainview"
	"dobot/plan"
	"dobot/reply"
)

// ParseDomains reads domains NAME, the listing of an app's custom domains.
func ParseDomains(words []string) (AppArgs, error) {
	if len(words) != 1 {
		return AppArgs{}, reply.Errorf("domains takes one app name, like `/do domains web`; to change them, `/do domains add web example.com` or `/do domains remove web example.com`")
	}
	if err := validName(words[0]); err != nil {
		return AppArgs{}, err
	}
	return AppArgs{Name: words[0]}, nil
}

// ParseDomainAdd reads domains add NAME DOMAIN [--primary] [--reason TEXT].
func ParseDomainAdd(words []string) (plan.DomainArgs, error) {
	return parseDomainChange("domains add", words)
}

// ParseDomainRemove reads domains remove NAME DOMAIN [--reason TEXT].
func ParseDomainRemove(words []string) (plan.DomainArgs, error) {
	return parseDomainChange("domains remove", words)
}

func parseDomainChange(name string, words []string) (plan.DomainArgs, error) {
	fs := cmdline.NewFlagSet(name)
	reason := fs.String("reason", "", "")
	var primary *bool
	if name == "domains add" {
		primary = fs.Bool("primary", false, "")
	}
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return plan.DomainArgs{}, err
	}
	if len(pos) != 2 {
		return plan.DomainArgs{}, reply.Errorf("%s takes an app name and a domain, like `/do %s web example.com`", name, name)
	}
	if err := validName(pos[0]); err != nil {
		return plan.DomainArgs{}, err
	}
	domain := strings.ToLower(strings.TrimSuffix(cmdline.TrimScheme(pos[1]), "."))
	if !dobot.IsDomainName(domain) {
		return plan.DomainArgs{}, reply.Errorf("%q is not a domain name; give one like example.com or www.example.com", pos[1])
	}
	a := plan.DomainArgs{ChangeArgs: deploy.ChangeArgs{Name: pos[0], DayTwo: deploy.DayTwo{Domain: domain}, Reason: strings.TrimSpace(*reason)},
		Remove: name == "domains remove"}
	if primary != nil {
		a.Primary = *primary
	}
	return a, nil
}

// DomainsAnswer lists app name's custom domains, each with its DNS and
// certificate progress and the records DigitalOcean asks for.
func DomainsAnswer(name string, app *godo.App) chat.Message {
	var lines []string
	for _, d := range daytwo.Domains(app) {
		lines = append(lines, "• "+domainview.Line(d, app))
	}
	if len(lines) == 0 {
		lines = []string{fmt.Sprintf("%s has no custom domains; `/do domains add %s example.com` adds one.", reply.Escape(name), reply.Escape(name))}
	}
	return chat.Message{Title: "Domains of " + reply.Escape(name), Text: strings.Join(lines, "\n")}
}

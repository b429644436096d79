// Package domainview words an App Platform app's custom domains for
// people: each domain's phase, its DNS and certificate steps, and while it
// is pending the records to create. It writes neutral message text (chat
// icons, no markup).
package domainview

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/digitalocean/godo"

	"dobot/chat"
	"dobot/docloud/daytwo"
	"dobot/reply"
)

// domainIcons mark a domain's phase.
var domainIcons = map[godo.AppDomainPhase]string{
	godo.AppJobSpecKindPHASE_Pending:     chat.IconPending,
	godo.AppJobSpecKindPHASE_Configuring: chat.IconWaiting,
	godo.AppJobSpecKindPHASE_Active:      chat.IconLive,
	godo.AppJobSpecKindPHASE_Error:       chat.IconFailed,
}

// Line says where a domain is and, while DNS is not found, what to
// create: a CNAME to the app's default host and any TXT record DigitalOcean
// asks for.
func Line(d daytwo.Domain, app *godo.App) string {
	icon := domainIcons[d.Phase]
	if icon == "" {
		icon = chat.IconUnknown
	}
	name := reply.Escape(d.Name)
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
			line += fmt.Sprintf(". Create a CNAME record %s → %s", reply.Escape(d.Name), reply.Escape(host))
		}
		if d.TXT != "" {
			line += fmt.Sprintf(", and the TXT record %s", reply.Escape(d.TXT))
		}
	}
	if len(d.Steps) > 0 {
		line += " (" + reply.Escape(strings.Join(d.Steps, ", ")) + ")"
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

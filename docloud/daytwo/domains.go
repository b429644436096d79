package daytwo

import (
	"fmt"
	"slices"
	"strings"

	"dobot/docloud"

	"github.com/digitalocean/godo"
)

// Domain is a custom domain of an app with its progress: Phase is
// PENDING (DNS does not point at App Platform yet), CONFIGURING (DNS
// checked, certificate being issued), ACTIVE or ERROR. Steps are the
// progress steps, as "dns: SUCCESS".
type Domain struct {
	Name    string
	Primary bool
	Phase   godo.AppDomainPhase
	Steps   []string
	// TXT is the validation record App Platform waits for, when it gives
	// one ("_acme-challenge.example.com TXT value").
	TXT string
}

// Domains lists app's custom domains in its spec's order, with their
// phases as App Platform reports them. A domain in the spec that the app
// does not report yet is PENDING.
func Domains(app *godo.App) []Domain {
	if app == nil || app.Spec == nil {
		return nil
	}
	var out []Domain
	for _, ds := range app.Spec.Domains {
		d := Domain{Name: ds.Domain, Primary: ds.Type == godo.AppDomainSpecType_Primary, Phase: godo.AppJobSpecKindPHASE_Pending}
		for _, ad := range app.Domains {
			if ad.Spec == nil || ad.Spec.Domain != ds.Domain {
				continue
			}
			d.Phase = ad.Phase
			if ad.Progress != nil {
				for _, st := range ad.Progress.Steps {
					d.Steps = append(d.Steps, fmt.Sprintf("%s: %s", st.Name, st.Status))
				}
			}
			for _, v := range ad.Validations {
				d.TXT = v.TXTName + " TXT " + v.TXTValue
			}
		}
		out = append(out, d)
	}
	return out
}

// DomainPhase is the phase of domain name on app, and whether the app has
// that domain.
func DomainPhase(app *godo.App, name string) (godo.AppDomainPhase, bool) {
	for _, d := range Domains(app) {
		if strings.EqualFold(d.Name, name) {
			return d.Phase, true
		}
	}
	return "", false
}

// DomainError says a domain change cannot be made.
type DomainError struct{ Why string }

func (e *DomainError) Error() string { return e.Why }

// AddDomain copies spec with domain name added, as an ALIAS, or as the
// PRIMARY domain (the former primary becomes an alias). Adding a domain
// the app has changes only its type.
func AddDomain(spec *godo.AppSpec, name string, primary bool) (*godo.AppSpec, error) {
	name = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "."))
	if !strings.Contains(name, ".") || strings.ContainsAny(name, " /:@") {
		return nil, &DomainError{fmt.Sprintf("%q is not a domain name", name)}
	}
	out := docloud.CopySpec(spec)
	if out == nil {
		return nil, fmt.Errorf("add domain: the app has no spec")
	}
	typ := godo.AppDomainSpecType_Alias
	if primary {
		typ = godo.AppDomainSpecType_Primary
		for _, d := range out.Domains {
			if d.Type == godo.AppDomainSpecType_Primary {
				d.Type = godo.AppDomainSpecType_Alias
			}
		}
	}
	for _, d := range out.Domains {
		if strings.EqualFold(d.Domain, name) {
			d.Type = typ
			return out, nil
		}
	}
	out.Domains = append(out.Domains, &godo.AppDomainSpec{Domain: name, Type: typ})
	return out, nil
}

// RemoveDomain copies spec without domain name, or a *DomainError when the
// app does not have it.
func RemoveDomain(spec *godo.AppSpec, name string) (*godo.AppSpec, error) {
	out := docloud.CopySpec(spec)
	if out == nil {
		return nil, fmt.Errorf("remove domain: the app has no spec")
	}
	n := len(out.Domains)
	out.Domains = slices.DeleteFunc(out.Domains, func(d *godo.AppDomainSpec) bool { return strings.EqualFold(d.Domain, name) })
	if len(out.Domains) == n {
		return nil, &DomainError{fmt.Sprintf("the app has no domain %s", name)}
	}
	return out, nil
}

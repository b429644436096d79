package apps

import (
	"crypto/sha256"
	"encoding/base64"
	"time"

	"github.com/digitalocean/godo"
	"github.com/google/uuid"
)

// domain is one custom domain of an app's spec. Its phase is not stored:
// App Platform checks DNS, then issues a certificate, so the domain is
// CONFIGURING from since for two phase delays and ACTIVE after; while held
// (HoldDomain: DNS does not point at the app yet) it is PENDING.
type domain struct {
	id    string
	since time.Time
	held  bool
}

// HoldDomain keeps name PENDING, as a domain whose DNS records do not yet
// point at App Platform stays, on every app that has it now or gets it
// later; releasing it starts its DNS check and certificate from now.
func (s *State) HoldDomain(name string, hold bool) {
	if s.held == nil {
		s.held = map[string]bool{}
	}
	s.held[name] = hold
	now := s.now()
	for _, a := range s.apps {
		if d := a.domains[name]; d != nil && d.held != hold {
			d.held, d.since = hold, now
		}
	}
}

// syncDomains follows the spec's domains: a new one starts configuring
// now, a removed one is forgotten.
func (a *app) syncDomains(spec *godo.AppSpec, now time.Time, held map[string]bool) {
	keep := map[string]*domain{}
	for _, d := range spec.Domains {
		if old := a.domains[d.Domain]; old != nil {
			keep[d.Domain] = old
			continue
		}
		keep[d.Domain] = &domain{id: uuid.NewString(), since: now, held: held[d.Domain]}
	}
	a.domains = keep
}

// renderDomains are the app's domains at now, in the spec's order.
func (a *app) renderDomains(now time.Time, delay time.Duration) []*godo.AppDomain {
	var out []*godo.AppDomain
	for _, spec := range a.spec.Domains {
		d := a.domains[spec.Domain]
		if d == nil {
			continue
		}
		sp := *spec
		out = append(out, d.render(&sp, now, delay))
	}
	return out
}

func (d *domain) render(spec *godo.AppDomainSpec, now time.Time, delay time.Duration) *godo.AppDomain {
	out := &godo.AppDomain{ID: d.id, Spec: spec}
	dnsAt, certAt := d.since.Add(delay), d.since.Add(2*delay)
	step := func(name string, from, to time.Time) *godo.AppDomainProgressStep {
		st := &godo.AppDomainProgressStep{Name: name, Status: godo.AppJobSpecKindProgressStepStatus_Pending}
		switch {
		case d.held || now.Before(from):
		case now.Before(to):
			st.Status, st.StartedAt = godo.AppJobSpecKindProgressStepStatus_Running, from
		default:
			st.Status, st.StartedAt, st.EndedAt = godo.AppJobSpecKindProgressStepStatus_Success, from, to
		}
		return st
	}
	out.Progress = &godo.AppDomainProgress{Steps: []*godo.AppDomainProgressStep{
		step("dns", d.since, dnsAt),
		step("certificate", dnsAt, certAt),
	}}
	switch {
	case d.held:
		out.Phase = godo.AppJobSpecKindPHASE_Pending
		sum := sha256.Sum256([]byte(d.id))
		out.Validations = []*godo.AppDomainValidation{{
			TXTName:  "_acme-challenge." + spec.Domain,
			TXTValue: base64.RawURLEncoding.EncodeToString(sum[:]),
		}}
	case now.Before(certAt):
		out.Phase = godo.AppJobSpecKindPHASE_Configuring
	default:
		out.Phase = godo.AppJobSpecKindPHASE_Active
		out.CertificateExpiresAt = certAt.Add(90 * 24 * time.Hour)
	}
	return out
}

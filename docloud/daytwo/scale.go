package daytwo

import (
	"context"
	"fmt"
	"strings"

	"dobot/docloud"

	"github.com/digitalocean/godo"
)

// ScaleRequest is `/do scale NAME [--component C] [--instances N] [--size
// SLUG]`: zero values keep what the component has.
type ScaleRequest struct {
	Component string // "" = the app's only service or worker
	Instances int
	Size      string
}

// Scale is a planned scale: the new spec, and the component's size and
// instances with the app's monthly cost before and after.
type Scale struct {
	Spec                       *godo.AppSpec
	Component                  string
	FromSize, ToSize           string
	FromInstances, ToInstances int
	BeforeCents, AfterCents    int64 // the whole app, a month
	Retiring                   bool  // ToSize is being retired
}

// ComponentError says which component a request means cannot be told.
type ComponentError struct {
	Want  string
	Known []string
}

func (e *ComponentError) Error() string {
	if e.Want == "" {
		return fmt.Sprintf("the app has several components (%s); name one", strings.Join(e.Known, ", "))
	}
	return fmt.Sprintf("the app has no component %q; it has %s", e.Want, strings.Join(e.Known, ", "))
}

// sized is a component that has a size and an instance count.
type sized struct {
	name  string
	size  *string
	count *int64
}

func sizedComponents(spec *godo.AppSpec) []sized {
	var out []sized
	for _, c := range spec.Services {
		out = append(out, sized{c.Name, &c.InstanceSizeSlug, &c.InstanceCount})
	}
	for _, c := range spec.Workers {
		out = append(out, sized{c.Name, &c.InstanceSizeSlug, &c.InstanceCount})
	}
	return out
}

func pick(comps []sized, want string) (sized, error) {
	var names []string
	for _, c := range comps {
		names = append(names, c.name)
		if c.name == want {
			return c, nil
		}
	}
	if want == "" && len(comps) == 1 {
		return comps[0], nil
	}
	return sized{}, &ComponentError{Want: want, Known: names}
}

// PlanScale applies req to a copy of spec under the same size rules as a
// launch (docloud.CheckAppSize) and prices the app before and after. Nothing is
// sent to DigitalOcean but the price list.
func PlanScale(ctx context.Context, prices *docloud.Prices, spec *godo.AppSpec, req ScaleRequest) (Scale, error) {
	out := docloud.CopySpec(spec)
	if out == nil {
		return Scale{}, fmt.Errorf("scale: the app has no spec")
	}
	c, err := pick(sizedComponents(out), req.Component)
	if err != nil {
		return Scale{}, err
	}
	s := Scale{Spec: out, Component: c.name, FromSize: *c.size, FromInstances: max(int(*c.count), 1)}
	if s.FromSize == "" {
		s.FromSize = docloud.DefaultAppSize
	}
	s.ToSize, s.ToInstances = s.FromSize, s.FromInstances
	if req.Size != "" {
		s.ToSize = req.Size
	}
	if req.Instances > 0 {
		s.ToInstances = req.Instances
	}
	if _, s.Retiring, err = docloud.CheckAppSize(ctx, prices, s.ToSize, s.ToInstances); err != nil {
		return Scale{}, err
	}
	*c.size, *c.count = s.ToSize, int64(s.ToInstances)
	if _, s.BeforeCents, err = docloud.SpecCost(ctx, prices, spec); err != nil {
		return Scale{}, err
	}
	if _, s.AfterCents, err = docloud.SpecCost(ctx, prices, out); err != nil {
		return Scale{}, err
	}
	return s, nil
}

// Restart restarts the app's components (all when none are named) without
// a rebuild: POST /v2/apps/{id}/restart. The deployment it returns has no
// build stage. The list is sent as [] rather than null, which the
// description does not allow.
func Restart(ctx context.Context, apps godo.AppsService, appID string, components ...string) (*godo.Deployment, error) {
	if components == nil {
		components = []string{}
	}
	d, _, err := apps.Restart(ctx, appID, &godo.AppRestartRequest{Components: components})
	if err != nil {
		return nil, fmt.Errorf("restart app %s: %w", appID, err)
	}
	return d, nil
}

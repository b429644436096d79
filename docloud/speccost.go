package docloud

import (
	"context"

	"github.com/digitalocean/godo"
)

// ComponentCost is one component of a spec with its monthly price.
type ComponentCost struct {
	Kind      string // "service", "worker", "job" or "static site"
	Name      string
	Size      string // "" for a static site
	Instances int
	Cents     int64 // a month
}

// SpecCost prices every component of spec from DigitalOcean's instance
// sizes: instances × the size's monthly price. Static sites count as free
// (App Platform's first three are); an unknown size is an
// *UnknownSizeError.
func SpecCost(ctx context.Context, prices *Prices, spec *godo.AppSpec) ([]ComponentCost, int64, error) {
	var out []ComponentCost
	var total int64
	add := func(kind, name, size string, count int64) error {
		if size == "" {
			size = DefaultAppSize
		}
		n := max(int(count), 1)
		c, err := prices.AppCost(ctx, size, n)
		if err != nil {
			return err
		}
		out = append(out, ComponentCost{Kind: kind, Name: name, Size: size, Instances: n, Cents: c})
		total += c
		return nil
	}
	if spec == nil {
		return nil, 0, nil
	}
	for _, c := range spec.Services {
		if err := add("service", c.Name, c.InstanceSizeSlug, c.InstanceCount); err != nil {
			return nil, 0, err
		}
	}
	for _, c := range spec.Workers {
		if err := add("worker", c.Name, c.InstanceSizeSlug, c.InstanceCount); err != nil {
			return nil, 0, err
		}
	}
	for _, c := range spec.Jobs {
		if err := add("job", c.Name, c.InstanceSizeSlug, c.InstanceCount); err != nil {
			return nil, 0, err
		}
	}
	for _, c := range spec.StaticSites {
		out = append(out, ComponentCost{Kind: "static site", Name: c.Name})
	}
	return out, total, nil
}

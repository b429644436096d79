package docloud

import (
	"context"
	"fmt"
	"strings"

	"github.com/digitalocean/godo"
)

// SingleInstanceError says a size runs one instance only, so more cannot
// work; Allowing lists the sizes that allow more and are not being retired,
// cheapest first.
type SingleInstanceError struct {
	Slug      string
	Instances int
	Allowing  []*godo.AppInstanceSize
}

func (e *SingleInstanceError) Error() string {
	var more []string
	for _, s := range e.Allowing {
		more = append(more, s.Slug)
	}
	return fmt.Sprintf("size %s runs one instance only, so %d instances cannot work; sizes that allow more: %s",
		e.Slug, e.Instances, strings.Join(more, ", "))
}

// CheckAppSize applies App Platform's size rules before anything is sent,
// as a launch does: the size must exist (else *UnknownSizeError), and a
// single_instance_only size runs one instance (else *SingleInstanceError).
// A size DigitalOcean intends to retire is allowed, and retiring says so.
func CheckAppSize(ctx context.Context, prices *Prices, slug string, instances int) (sz *godo.AppInstanceSize, retiring bool, err error) {
	sz, err = prices.AppSize(ctx, slug)
	if err != nil {
		return nil, false, err
	}
	if sz.SingleInstanceOnly && instances > 1 {
		sizes, err := prices.AppSizes(ctx)
		if err != nil {
			return nil, false, err
		}
		e := &SingleInstanceError{Slug: sz.Slug, Instances: instances}
		for _, s := range sizes {
			if !s.SingleInstanceOnly && !s.DeprecationIntent {
				e.Allowing = append(e.Allowing, s)
			}
		}
		return nil, false, e
	}
	return sz, sz.DeprecationIntent, nil
}

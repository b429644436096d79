package docloud

import (
	"context"
	"fmt"
	"strings"

	"github.com/digitalocean/godo"
)

// Registries lists the account's container registries with the
// multi-registry API, which, unlike GET /v2/registry, also works on an
// account with several.
func Registries(ctx context.Context, svc godo.RegistriesService) ([]*godo.Registry, error) {
	regs, _, err := svc.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("list registries: %w", err)
	}
	return regs, nil
}

// RegistryNames lists the registries' names, comma-separated.
func RegistryNames(regs []*godo.Registry) string {
	names := make([]string, len(regs))
	for i, r := range regs {
		names[i] = r.Name
	}
	return strings.Join(names, ", ")
}

// RegistryChoiceError says why no registry could be picked: the one named
// (Name) is not among Have, or none was named and the account has several.
type RegistryChoiceError struct {
	Name string
	Have []*godo.Registry
}

func (e *RegistryChoiceError) Error() string {
	if e.Name != "" {
		return fmt.Sprintf("no container registry called %s (have: %s)", e.Name, RegistryNames(e.Have))
	}
	return fmt.Sprintf("several container registries (%s) and none named", RegistryNames(e.Have))
}

// PickRegistry is the registry a command acts on: the one named, or the
// account's only one. It is nil, with no error, when the account has none
// and none was named; a *RegistryChoiceError when it cannot choose.
func PickRegistry(ctx context.Context, svc godo.RegistriesService, name string) (*godo.Registry, error) {
	regs, err := Registries(ctx, svc)
	if err != nil {
		return nil, err
	}
	for _, r := range regs {
		if r.Name == name {
			return r, nil
		}
	}
	switch {
	case name != "" || len(regs) > 1:
		return nil, &RegistryChoiceError{Name: name, Have: regs}
	case len(regs) == 1:
		return regs[0], nil
	}
	return nil, nil
}

// RepoTags lists every tag of a repository. A repository that does not
// exist is DigitalOcean's 404 (IsNotFound).
func RepoTags(ctx context.Context, svc godo.RegistryService, registry, repo string) ([]*godo.RepositoryTag, error) {
	var all []*godo.RepositoryTag
	err := EachPage(200, func(opt *godo.ListOptions) (*godo.Response, error) {
		tags, resp, err := svc.ListRepositoryTags(ctx, registry, repo, opt)
		all = append(all, tags...)
		return resp, err
	})
	if err != nil {
		return nil, fmt.Errorf("list tags of %s: %w", repo, err)
	}
	return all, nil
}

// FindGC finds a garbage collection of registry by id among the latest,
// or nil when DigitalOcean does not list it.
func FindGC(ctx context.Context, svc godo.RegistryService, registry, id string) *godo.GarbageCollection {
	gcs, _, err := svc.ListGarbageCollections(ctx, registry, &godo.ListOptions{Page: 1, PerPage: 20})
	if err != nil {
		return nil
	}
	for _, gc := range gcs {
		if gc.UUID == id {
			return gc
		}
	}
	return nil
}

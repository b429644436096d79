package docloud_test

import (
	"context"
	"errors"
	"testing"

	"github.com/digitalocean/godo"

	"dobot/docloud"
	"dobot/internal/dotest"
)

func TestPickRegistryAndTags(t *testing.T) {
	ctx := context.Background()
	srv, client := newCloud(t, dotest.Options{})
	if reg, err := docloud.PickRegistry(ctx, client.Registries, ""); reg != nil || err != nil {
		t.Fatalf("PickRegistry on an account with none = %v, %v; want nil, nil", reg, err)
	}
	var ce *docloud.RegistryChoiceError
	if _, err := docloud.PickRegistry(ctx, client.Registries, "acme"); !errors.As(err, &ce) || len(ce.Have) != 0 {
		t.Errorf("PickRegistry(acme) with none = %v; want a choice error with no registries", err)
	}
	if _, _, err := client.Registry.Create(ctx, &godo.RegistryCreateRequest{Name: "acme", SubscriptionTierSlug: "basic", Region: "fra1"}); err != nil {
		t.Fatal(err)
	}
	if reg, err := docloud.PickRegistry(ctx, client.Registries, ""); err != nil || reg == nil || reg.Name != "acme" {
		t.Errorf("PickRegistry(\"\") with one = %v, %v; want acme", reg, err)
	}
	if _, err := docloud.PickRegistry(ctx, client.Registries, "other"); !errors.As(err, &ce) || ce.Name != "other" || docloud.RegistryNames(ce.Have) != "acme" {
		t.Errorf("PickRegistry(other) = %v; want a choice error naming acme", err)
	}

	if _, err := docloud.RepoTags(ctx, client.Registry, "acme", "web"); !docloud.IsNotFound(err) {
		t.Errorf("RepoTags(missing repo) = %v; want DigitalOcean's 404", err)
	}
	srv.PushImage("acme", "web", "1.0")
	srv.PushImage("acme", "web", "1.1")
	tags, err := docloud.RepoTags(ctx, client.Registry, "acme", "web")
	if err != nil || len(tags) != 2 {
		t.Errorf("RepoTags(web) = %d tags, %v; want 2", len(tags), err)
	}
}

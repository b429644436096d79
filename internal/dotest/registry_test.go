package dotest_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/digitalocean/godo"
)

func TestRegistry(t *testing.T) {
	srv, clock := start(t)
	c := client(t, srv, "do-test-token")
	ctx := context.Background()

	_, resp, err := c.Registry.Get(ctx)
	var er *godo.ErrorResponse
	if !errors.As(err, &er) || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("Registry.Get with none = %v; want 404", err)
	}
	reg, resp, err := c.Registry.Create(ctx, &godo.RegistryCreateRequest{Name: "acme", SubscriptionTierSlug: "basic", Region: "fra1"})
	if err != nil || resp.StatusCode != http.StatusCreated || reg.Name != "acme" || reg.Region != "fra1" || reg.CreatedAt.IsZero() {
		t.Fatalf("Registry.Create = %+v, %v; want acme in fra1", reg, err)
	}
	sub, _, err := c.Registry.GetSubscription(ctx)
	if err != nil || sub.Tier.Slug != "basic" || sub.Tier.MonthlyPriceInCents != 500 || sub.Tier.IncludedRepositories != 5 {
		t.Errorf("GetSubscription = %+v, %v; want basic at 500 cents with 5 repositories", sub, err)
	}

	srv.PushImage("acme", "web", "1.2.3")
	srv.PushImage("acme", "web", "1.2.4")
	srv.PushImage("acme", "api", "v1")
	srv.PushImage("acme", "api", "v1") // moves the tag: the first manifest is untagged
	srv.PushImage("acme", "team/worker", "2")
	got, _, err := c.Registry.Get(ctx)
	if err != nil || got.StorageUsageBytes == 0 {
		t.Fatalf("Registry.Get = %+v, %v; want storage usage", got, err)
	}
	if served, ok := srv.Registry(); !ok || served.StorageUsageBytes != got.StorageUsageBytes {
		t.Errorf("srv.Registry() = %+v, %v; want storage %d", served, ok, got.StorageUsageBytes)
	}

	opts, _, err := c.Registry.GetOptions(ctx)
	if err != nil || len(opts.AvailableRegions) == 0 || len(opts.SubscriptionTiers) != 3 {
		t.Fatalf("GetOptions = %+v, %v; want regions and three tiers", opts, err)
	}
	if starter := opts.SubscriptionTiers[0]; starter.Slug != "starter" || starter.Eligible || len(starter.EligibilityReasons) == 0 {
		t.Errorf("starter tier with two repositories = %+v; want ineligible with a reason", starter)
	}

	repos, resp, err := c.Registry.ListRepositoriesV2(ctx, "acme", &godo.TokenListOptions{PerPage: 1})
	if err != nil || len(repos) != 1 || repos[0].Name != "api" || resp.Meta.Total != 3 || resp.Links.IsLastPage() {
		t.Fatalf("ListRepositoriesV2 per_page 1 = %+v, meta %+v, %v; want api, 1 of 3", repos, resp.Meta, err)
	}
	if r := repos[0]; r.TagCount != 1 || r.ManifestCount != 2 || r.LatestManifest == nil || r.LatestManifest.Tags[0] != "v1" {
		t.Errorf("api = tags %d manifests %d latest %+v; want 1 tag, 2 manifests, latest v1", r.TagCount, r.ManifestCount, r.LatestManifest)
	}
	tags, _, err := c.Registry.ListRepositoryTags(ctx, "acme", "web", nil)
	if err != nil || len(tags) != 2 || tags[0].Tag != "1.2.4" || tags[0].ManifestDigest == "" || tags[0].UpdatedAt.IsZero() {
		t.Errorf("ListRepositoryTags(web) = %+v, %v; want 1.2.4 then 1.2.3", tags, err)
	}
	if nested, _, err := c.Registry.ListRepositoryTags(ctx, "acme", "team/worker", nil); err != nil || len(nested) != 1 || nested[0].Repository != "team/worker" {
		t.Errorf("ListRepositoryTags(team/worker) = %+v, %v; want tag 2", nested, err)
	}
	if _, _, err := c.Registry.ListRepositoryTags(ctx, "acme", "nope", nil); !errors.As(err, &er) || er.Response.StatusCode != http.StatusNotFound {
		t.Errorf("ListRepositoryTags(nope) = %v; want 404", err)
	}

	if _, _, err := c.Registry.GetGarbageCollection(ctx, "acme"); !errors.As(err, &er) || er.Response.StatusCode != http.StatusNotFound {
		t.Errorf("GetGarbageCollection with none = %v; want 404", err)
	}
	gc, resp, err := c.Registry.StartGarbageCollection(ctx, "acme", &godo.StartGarbageCollectionRequest{Type: godo.GCTypeUntaggedManifestsAndUnreferencedBlobs})
	if err != nil || resp.StatusCode != http.StatusCreated || gc.Status != "requested" || gc.UUID == "" {
		t.Fatalf("StartGarbageCollection = %+v, %v; want 201 requested", gc, err)
	}
	if _, _, err := c.Registry.StartGarbageCollection(ctx, "acme"); !errors.As(err, &er) || er.Response.StatusCode != http.StatusConflict {
		t.Errorf("a second StartGarbageCollection = %v; want 409", err)
	}
	for _, want := range []string{"waiting for write JWTs to expire", "scanning manifests", "deleting unreferenced blobs"} {
		clock.Advance(delay)
		g, _, err := c.Registry.GetGarbageCollection(ctx, "acme")
		if err != nil || g.Status != want || g.UUID != gc.UUID {
			t.Fatalf("GetGarbageCollection = %+v, %v; want %q", g, err, want)
		}
	}
	clock.Advance(delay)
	if _, _, err := c.Registry.GetGarbageCollection(ctx, "acme"); !errors.As(err, &er) || er.Response.StatusCode != http.StatusNotFound {
		t.Errorf("GetGarbageCollection once finished = %v; want 404", err)
	}
	gcs, _, err := c.Registry.ListGarbageCollections(ctx, "acme", nil)
	if err != nil || len(gcs) != 1 || gcs[0].Status != "succeeded" || gcs[0].FreedBytes == 0 || gcs[0].BlobsDeleted != 3 {
		t.Fatalf("ListGarbageCollections = %+v, %v; want one succeeded that freed the untagged manifest", gcs, err)
	}
	after, _, _ := c.Registry.Get(ctx)
	if after.StorageUsageBytes != got.StorageUsageBytes-gcs[0].FreedBytes {
		t.Errorf("storage after GC = %d; want %d - %d", after.StorageUsageBytes, got.StorageUsageBytes, gcs[0].FreedBytes)
	}

	if resp, err := c.Registry.Delete(ctx); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("Registry.Delete = %v; want 204", err)
	}
	if _, ok := srv.Registry(); ok {
		t.Errorf("srv.Registry() after Delete found one")
	}
	if n := srv.Count("GET /v2/registry/{registry_name}/garbage-collection"); n != 5 {
		t.Errorf(`Count("GET /v2/registry/{registry_name}/garbage-collection") = %d; want 5`, n)
	}
	if v := srv.Violations(); len(v) > 0 {
		t.Errorf("violations on the valid path: %q", v)
	}
}

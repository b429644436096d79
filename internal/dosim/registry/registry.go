// Package registry is the DigitalOcean simulator's container registry:
// registries, their repositories and tags, the subscription, docker
// credentials and garbage collections. Its State holds no lock:
// internal/dosim calls it with the simulator's lock held.
package registry

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"dobot/internal/dosim/wire"

	"github.com/digitalocean/godo"
	"github.com/google/uuid"
)

// State is the account's container registries, oldest first, and
// its subscription, which outlives them as DigitalOcean's does. Most
// accounts have one registry; an account with several gets 412 from the
// single-registry routes (/v2/registry), as DigitalOcean's does.
type State struct {
	regs          []*containerRegistry
	sub           *subscription
	dockerSecrets []string // docker credentials handed out
	delay         time.Duration
	unsupported   func(string)
}

// New is an account without a registry whose garbage collections take
// delay a phase, and which reports requests it does not implement to
// unsupported.
func New(delay time.Duration, unsupported func(string)) *State {
	return &State{delay: delay, unsupported: unsupported}
}

// Handlers are the operations this package serves, by operationId.
func (s *State) Handlers() map[string]wire.Handler {
	return map[string]wire.Handler{
		"registry_get":                     s.getRegistry,
		"registry_get_dockerCredentials":   s.dockerCredentials,
		"registries_list":                  s.listRegistries,
		"registries_get":                   s.getRegistryByName,
		"registries_create":                s.createNamedRegistry,
		"registries_delete":                s.deleteRegistryByName,
		"registry_create":                  s.createRegistry,
		"registry_delete":                  s.deleteRegistry,
		"registry_get_subscription":        s.getSubscription,
		"registry_get_options":             s.getRegistryOptions,
		"registry_list_repositoriesV2":     s.listRepositories,
		"registry_list_repositoryTags":     s.listTags,
		"registry_run_garbageCollection":   s.startGC,
		"registry_get_garbageCollection":   s.getGC,
		"registry_list_garbageCollections": s.listGCs,
	}
}

// Name is the registry a DOCR image spec means, or "" when the account
// has none. The spec must leave `registry` empty for DOCR, so on an account
// with several registries the simulator takes the first one created;
// DigitalOcean does not document that case.
func (s *State) Name() string {
	if len(s.regs) == 0 {
		return ""
	}
	return s.regs[0].name
}

// Has reports whether one of the account's registries has repo.
func (s *State) Has(repo string) bool {
	for _, r := range s.regs {
		if r.repos[repo] != nil {
			return true
		}
	}
	return false
}

// registryNamed is the registry called name, or nil.
func (s *State) registryNamed(name string) *containerRegistry {
	for _, r := range s.regs {
		if r.name == name {
			return r
		}
	}
	return nil
}

// multiRegistry is DigitalOcean's answer to a single-registry route on an
// account with several registries: 412 with the documented body.
func multiRegistry() wire.Reply {
	return wire.Err(http.StatusPreconditionFailed, "precondition_failed",
		"This API is not supported if you have created multiple registries. Please use \n"+
			"'/v2/registries/{registry_name}' instead. Refer to \n"+
			"https://docs.digitalocean.com/reference/api/digitalocean/#tag/Container-Registry for more info.")
}

type containerRegistry struct {
	uuid      string
	name      string
	region    string
	createdAt time.Time
	repos     map[string]*repository
	gcs       []*garbageCollection // oldest first
}

type subscription struct {
	tier      registryTier
	createdAt time.Time
	updatedAt time.Time
}

type repository struct {
	name      string
	manifests []*manifest // oldest first
}

// manifest is one pushed image. A push of a tag that another manifest holds
// moves the tag, and may leave that manifest untagged: garbage a collection
// of untagged manifests frees.
type manifest struct {
	digest     string
	tags       []string
	size       uint64 // uncompressed
	compressed uint64
	updatedAt  time.Time
	untaggedAt time.Time
	blobs      []blob
}

type blob struct {
	Digest              string `json:"digest"`
	CompressedSizeBytes uint64 `json:"compressed_size_bytes"`
}

// registryTier is a subscription tier with DigitalOcean's prices; an
// included_repositories of 0 means no limit.
type registryTier struct {
	Name                       string   `json:"name"`
	Slug                       string   `json:"slug"`
	IncludedRepositories       uint64   `json:"included_repositories"`
	IncludedStorageBytes       uint64   `json:"included_storage_bytes"`
	AllowStorageOverage        bool     `json:"allow_storage_overage"`
	IncludedBandwidthBytes     uint64   `json:"included_bandwidth_bytes"`
	MonthlyPriceInCents        uint64   `json:"monthly_price_in_cents"`
	StorageOveragePriceInCents uint64   `json:"storage_overage_price_in_cents"`
	Eligible                   *bool    `json:"eligible,omitempty"`
	EligibilityReasons         []string `json:"eligibility_reasons,omitempty"`
}

var registryTiers = []registryTier{
	{Name: "Starter", Slug: "starter", IncludedRepositories: 1, IncludedStorageBytes: 500 << 20, IncludedBandwidthBytes: 500 << 20},
	{Name: "Basic", Slug: "basic", IncludedRepositories: 5, IncludedStorageBytes: 5 << 30, AllowStorageOverage: true,
		IncludedBandwidthBytes: 5 << 30, MonthlyPriceInCents: 500, StorageOveragePriceInCents: 2},
	{Name: "Professional", Slug: "professional", IncludedStorageBytes: 100 << 30, AllowStorageOverage: true,
		IncludedBandwidthBytes: 100 << 30, MonthlyPriceInCents: 2000, StorageOveragePriceInCents: 2},
}

// registryRegions are where a registry can be created.
var registryRegions = []string{"nyc3", "sfo3", "ams3", "sgp1", "fra1"}

// Registry is the account's registry as the server would serve it now.
func (s *State) Registry(now time.Time) (godo.Registry, bool) {
	var out map[string]any
	if len(s.regs) > 0 {
		s.settleGC(now)
		out = s.renderRegistry(s.regs[0], now)
	}
	if out == nil {
		return godo.Registry{}, false
	}
	var g godo.Registry
	b, _ := json.Marshal(out)
	_ = json.Unmarshal(b, &g)
	return g, true
}

// PushImage stands for a docker push of registry.digitalocean.com/
// REGISTRY/REPOSITORY:TAG, which DigitalOcean's API does not do. The image's
// sizes follow from its name, so a test can predict them. Pushing to a
// registry that does not exist is reported as a violation at cleanup.
func (s *State) PushImage(registry, repo, tag string, now time.Time) {
	reg := s.registryNamed(registry)
	if reg == nil {
		s.unsupported(fmt.Sprintf("PushImage(%q, %q, %q): no such registry", registry, repo, tag))
		return
	}
	s.settleGC(now)
	r := reg.repos[repo]
	if r == nil {
		r = &repository{name: repo}
		reg.repos[repo] = r
	}
	for _, m := range r.manifests {
		if i := slices.Index(m.tags, tag); i >= 0 {
			m.tags = slices.Delete(m.tags, i, i+1)
			if len(m.tags) == 0 {
				m.untaggedAt = now
			}
		}
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/%s:%s#%d", registry, repo, tag, len(r.manifests)))
	size := 20<<20 + binary.BigEndian.Uint64(sum[:8])%(60<<20)
	m := &manifest{digest: fmt.Sprintf("sha256:%x", sum), tags: []string{tag}, size: size, compressed: size * 2 / 5, updatedAt: now}
	config := uint64(1500)
	layer := (m.compressed - config) / 2
	m.blobs = []blob{
		{Digest: fmt.Sprintf("sha256:%x", sha256.Sum256(append(sum[:], 'c'))), CompressedSizeBytes: config},
		{Digest: fmt.Sprintf("sha256:%x", sha256.Sum256(append(sum[:], '1'))), CompressedSizeBytes: layer},
		{Digest: fmt.Sprintf("sha256:%x", sha256.Sum256(append(sum[:], '2'))), CompressedSizeBytes: m.compressed - config - layer},
	}
	r.manifests = append(r.manifests, m)
}

// storage is what the registry stores: every manifest's compressed size.
func (r *containerRegistry) storage() uint64 {
	var n uint64
	for _, repo := range r.repos {
		for _, m := range repo.manifests {
			n += m.compressed
		}
	}
	return n
}

func (s *State) renderRegistry(reg *containerRegistry, now time.Time) map[string]any {
	return map[string]any{
		"uuid":                           reg.uuid,
		"name":                           reg.name,
		"region":                         reg.region,
		"created_at":                     reg.createdAt,
		"storage_usage_bytes":            reg.storage(),
		"storage_usage_bytes_updated_at": now,
		"subscription":                   s.sub.render(),
	}
}

func (sub *subscription) render() map[string]any {
	return map[string]any{"tier": sub.tier, "created_at": sub.createdAt, "updated_at": sub.updatedAt}
}

func (s *State) getRegistry(c *wire.Call) wire.Reply {
	switch len(s.regs) {
	case 0:
		return wire.NotFound()
	case 1:
		s.settleGC(c.Now)
		return wire.OK(map[string]any{"registry": s.renderRegistry(s.regs[0], c.Now)})
	}
	return multiRegistry()
}

// listRegistries serves GET /v2/registries: every registry of the account.
func (s *State) listRegistries(c *wire.Call) wire.Reply {
	s.settleGC(c.Now)
	out := []map[string]any{}
	for _, reg := range s.regs {
		out = append(out, s.renderRegistry(reg, c.Now))
	}
	return wire.OK(map[string]any{"registries": out})
}

// getRegistryByName serves GET /v2/registries/{registry_name}.
func (s *State) getRegistryByName(c *wire.Call) wire.Reply {
	reg := s.registryFor(c)
	if reg == nil {
		return wire.NotFound()
	}
	return wire.OK(map[string]any{"registry": s.renderRegistry(reg, c.Now)})
}

func (s *State) createRegistry(c *wire.Call) wire.Reply {
	if len(s.regs) > 0 {
		return wire.Err(http.StatusConflict, "conflict", "a registry already exists for this account")
	}
	return s.addRegistry(c)
}

// createNamedRegistry serves POST /v2/registries, which adds a registry to
// an account that may already have some.
func (s *State) createNamedRegistry(c *wire.Call) wire.Reply {
	return s.addRegistry(c)
}

func (s *State) addRegistry(c *wire.Call) wire.Reply {
	var req godo.RegistryCreateRequest
	if e := wire.Decode(c.Body, &req); e != nil {
		return wire.Fail(e)
	}
	if s.registryNamed(req.Name) != nil {
		return wire.Err(http.StatusConflict, "conflict", "a registry with this name already exists")
	}
	if req.Region == "" {
		req.Region = registryRegions[0]
	}
	var tier *registryTier
	for i := range registryTiers {
		if registryTiers[i].Slug == req.SubscriptionTierSlug {
			tier = &registryTiers[i]
		}
	}
	if tier == nil && len(s.regs) == 0 {
		return wire.Err(http.StatusUnprocessableEntity, "unprocessable_entity", "invalid subscription tier slug")
	}
	reg := &containerRegistry{uuid: uuid.NewString(), name: req.Name, region: req.Region, createdAt: c.Now, repos: map[string]*repository{}}
	s.regs = append(s.regs, reg)
	if tier != nil && (s.sub == nil || s.sub.tier.Slug != tier.Slug) {
		s.sub = &subscription{tier: *tier, createdAt: c.Now, updatedAt: c.Now}
	}
	return wire.With(http.StatusCreated, map[string]any{"registry": s.renderRegistry(reg, c.Now)})
}

// AddRegistry gives the account another registry, as a second
// `POST /v2/registries` would, so that a test can make a multi-registry
// account.
func (s *State) AddRegistry(name, region string, now time.Time) {
	s.regs = append(s.regs, &containerRegistry{uuid: uuid.NewString(), name: name, region: region, createdAt: now, repos: map[string]*repository{}})
	if s.sub == nil {
		s.sub = &subscription{tier: registryTiers[2], createdAt: now, updatedAt: now}
	}
}

// deleteRegistry deletes the registry and every image in it; the
// subscription stays.
func (s *State) deleteRegistry(c *wire.Call) wire.Reply {
	switch len(s.regs) {
	case 0:
		return wire.NotFound()
	case 1:
		s.regs = nil
		return wire.NoBody(http.StatusNoContent)
	}
	return multiRegistry()
}

// deleteRegistryByName serves DELETE /v2/registries/{registry_name}.
func (s *State) deleteRegistryByName(c *wire.Call) wire.Reply {
	reg := s.registryFor(c)
	if reg == nil {
		return wire.NotFound()
	}
	s.regs = slices.DeleteFunc(s.regs, func(r *containerRegistry) bool { return r == reg })
	return wire.NoBody(http.StatusNoContent)
}

// dockerCredentials serves GET /v2/registry/docker-credentials: a Docker
// config.json for registry.digitalocean.com. The credentials are made from
// the request, so a test can tell which were asked for: read-only unless
// read_write=true, and expiring after expiry_seconds when given.
func (s *State) dockerCredentials(c *wire.Call) wire.Reply {
	q := c.R.URL.Query()
	mode := "read"
	if q.Get("read_write") == "true" {
		mode = "write"
	}
	user := "dobot-" + mode + "-" + q.Get("expiry_seconds")
	secret := fmt.Sprintf("%x", sha256.Sum256([]byte(user+c.Now.String())))[:32]
	s.dockerSecrets = append(s.dockerSecrets, secret)
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + secret))
	return wire.OK(map[string]any{"auths": map[string]any{"registry.digitalocean.com": map[string]any{"auth": auth}}})
}

// DockerSecrets are the password halves of every docker credential the
// server handed out, so a test can check they were kept out of logs,
// messages and the database.
func (s *State) DockerSecrets() []string {
	return append([]string(nil), s.dockerSecrets...)
}

func (s *State) getSubscription(c *wire.Call) wire.Reply {
	if s.sub == nil {
		return wire.NotFound()
	}
	return wire.OK(map[string]any{"subscription": s.sub.render()})
}

// getRegistryOptions lists the regions and the tiers, each saying whether
// the registry as it is now would fit in it.
func (s *State) getRegistryOptions(c *wire.Call) wire.Reply {
	var repos, storage uint64
	s.settleGC(c.Now)
	for _, reg := range s.regs {
		repos += uint64(len(reg.repos))
		storage += reg.storage()
	}
	tiers := []registryTier{}
	for _, t := range registryTiers {
		if t.IncludedRepositories > 0 && repos > t.IncludedRepositories {
			t.EligibilityReasons = append(t.EligibilityReasons, "OverRepositoryLimit")
		}
		if !t.AllowStorageOverage && storage > t.IncludedStorageBytes {
			t.EligibilityReasons = append(t.EligibilityReasons, "OverStorageLimit")
		}
		eligible := len(t.EligibilityReasons) == 0
		t.Eligible = &eligible
		tiers = append(tiers, t)
	}
	return wire.OK(map[string]any{"options": map[string]any{"available_regions": registryRegions, "subscription_tiers": tiers}})
}

// registryFor is the registry a route names, settled at the call's time.
func (s *State) registryFor(c *wire.Call) *containerRegistry {
	reg := s.registryNamed(c.Params["registry_name"])
	if reg == nil {
		return nil
	}
	reg.settleGC(c.Now)
	return reg
}

// listRepositories lists repositories by name, each with its newest
// manifest.
func (s *State) listRepositories(c *wire.Call) wire.Reply {
	reg := s.registryFor(c)
	if reg == nil {
		return wire.NotFound()
	}
	names := make([]string, 0, len(reg.repos))
	for name := range reg.repos {
		names = append(names, name)
	}
	slices.Sort(names)
	from, to, links, meta := c.Page(len(names))
	out := []map[string]any{}
	for _, name := range names[from:to] {
		r := reg.repos[name]
		tags := 0
		for _, m := range r.manifests {
			tags += len(m.tags)
		}
		out = append(out, map[string]any{
			"registry_name":   reg.name,
			"name":            r.name,
			"tag_count":       tags,
			"manifest_count":  len(r.manifests),
			"latest_manifest": r.manifests[len(r.manifests)-1].render(reg.name, r.name),
		})
	}
	return wire.OK(map[string]any{"repositories": out, "links": links, "meta": meta})
}

func (m *manifest) render(registry, repo string) map[string]any {
	return map[string]any{
		"registry_name": registry, "repository": repo, "digest": m.digest,
		"compressed_size_bytes": m.compressed, "size_bytes": m.size, "updated_at": m.updatedAt,
		"tags": slices.Concat([]string{}, m.tags), "blobs": m.blobs,
	}
}

// listTags lists a repository's tags, most recently pushed first.
func (s *State) listTags(c *wire.Call) wire.Reply {
	reg := s.registryFor(c)
	// godo escapes the slashes of a nested repository, such as team/web.
	name, err := url.PathUnescape(c.Params["repository_name"])
	if reg == nil || err != nil || reg.repos[name] == nil {
		return wire.NotFound()
	}
	r := reg.repos[name]
	var all []map[string]any
	for i := len(r.manifests) - 1; i >= 0; i-- {
		m := r.manifests[i]
		for j := len(m.tags) - 1; j >= 0; j-- {
			all = append(all, map[string]any{
				"registry_name": reg.name, "repository": r.name, "tag": m.tags[j], "manifest_digest": m.digest,
				"compressed_size_bytes": m.compressed, "size_bytes": m.size, "updated_at": m.updatedAt,
			})
		}
	}
	from, to, links, meta := c.Page(len(all))
	return wire.OK(map[string]any{"tags": append([]map[string]any{}, all[from:to]...), "links": links, "meta": meta})
}

package registry

import (
	"net/http"
	"strings"
	"time"

	"dobot/internal/dosim/wire"

	"github.com/digitalocean/godo"
	"github.com/google/uuid"
)

// garbageCollection is one garbage collection of the registry. Its status
// follows from the time since createdAt: each of gcPhases lasts a phase
// delay, then it has "succeeded" and what it freed is gone.
type garbageCollection struct {
	uuid      string
	typ       godo.GarbageCollectionType
	createdAt time.Time
	delay     time.Duration
	applied   bool
	blobs     uint64
	freed     uint64
}

// gcPhases are the statuses a garbage collection passes through before
// "succeeded", in DigitalOcean's order.
var gcPhases = []string{"requested", "waiting for write JWTs to expire", "scanning manifests", "deleting unreferenced blobs"}

func (g *garbageCollection) doneAt() time.Time {
	return g.createdAt.Add(time.Duration(len(gcPhases)) * g.delay)
}

// status is the collection's status at now, and when it last changed.
func (g *garbageCollection) status(now time.Time) (string, time.Time) {
	if !now.Before(g.doneAt()) {
		return "succeeded", g.doneAt()
	}
	i := int(now.Sub(g.createdAt) / g.delay)
	return gcPhases[i], g.createdAt.Add(time.Duration(i) * g.delay)
}

// settleGC applies the effect of every collection that has finished by now:
// one that collects untagged manifests deletes those untagged when it
// started, with their blobs. A collection of unreferenced blobs alone frees
// nothing here, since an untagged manifest still references its blobs.
func (s *State) settleGC(now time.Time) {
	for _, reg := range s.regs {
		reg.settleGC(now)
	}
}

func (reg *containerRegistry) settleGC(now time.Time) {
	for _, g := range reg.gcs {
		if g.applied || now.Before(g.doneAt()) {
			continue
		}
		g.applied = true
		if !strings.Contains(string(g.typ), "untagged manifests") {
			continue
		}
		for name, r := range reg.repos {
			kept := r.manifests[:0]
			for _, m := range r.manifests {
				if len(m.tags) == 0 && !m.untaggedAt.After(g.createdAt) {
					g.blobs += uint64(len(m.blobs))
					g.freed += m.compressed
					continue
				}
				kept = append(kept, m)
			}
			r.manifests = kept
			if len(kept) == 0 {
				delete(reg.repos, name)
			}
		}
	}
}

func (g *garbageCollection) render(registry string, now time.Time) map[string]any {
	status, since := g.status(now)
	out := map[string]any{
		"uuid": g.uuid, "registry_name": registry, "status": status, "type": g.typ,
		"created_at": g.createdAt, "updated_at": since, "blobs_deleted": 0, "freed_bytes": 0,
	}
	if g.applied {
		out["blobs_deleted"], out["freed_bytes"] = g.blobs, g.freed
	}
	return out
}

// active is the collection in progress at now, if any: there is at most one.
func (r *containerRegistry) active(now time.Time) *garbageCollection {
	if n := len(r.gcs); n > 0 && now.Before(r.gcs[n-1].doneAt()) {
		return r.gcs[n-1]
	}
	return nil
}

// startGC starts a collection. Without a body it collects unreferenced
// blobs only, which is also what godo asks for by default.
func (s *State) startGC(c *wire.Call) wire.Reply {
	reg := s.registryFor(c)
	if reg == nil {
		return wire.NotFound()
	}
	var req godo.StartGarbageCollectionRequest
	if e := wire.Decode(c.Body, &req); e != nil {
		return wire.Fail(e)
	}
	if req.Type == "" {
		req.Type = godo.GCTypeUnreferencedBlobsOnly
	}
	if reg.active(c.Now) != nil {
		return wire.Err(http.StatusConflict, "conflict", "a garbage collection is already in progress for this registry")
	}
	g := &garbageCollection{uuid: uuid.NewString(), typ: req.Type, createdAt: c.Now, delay: s.delay}
	reg.gcs = append(reg.gcs, g)
	return wire.With(http.StatusCreated, map[string]any{"garbage_collection": g.render(reg.name, c.Now)})
}

// getGC serves the active collection; there is none once it has finished.
func (s *State) getGC(c *wire.Call) wire.Reply {
	reg := s.registryFor(c)
	if reg == nil {
		return wire.NotFound()
	}
	g := reg.active(c.Now)
	if g == nil {
		return wire.NotFound()
	}
	return wire.OK(map[string]any{"garbage_collection": g.render(reg.name, c.Now)})
}

// listGCs lists every collection, newest first.
func (s *State) listGCs(c *wire.Call) wire.Reply {
	reg := s.registryFor(c)
	if reg == nil {
		return wire.NotFound()
	}
	from, to, links, meta := c.Page(len(reg.gcs))
	out := []map[string]any{}
	for k := from; k < to; k++ {
		out = append(out, reg.gcs[len(reg.gcs)-1-k].render(reg.name, c.Now))
	}
	return wire.OK(map[string]any{"garbage_collections": out, "links": links, "meta": meta})
}

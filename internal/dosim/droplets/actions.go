package droplets

import (
	"fmt"
	"net/http"
	"time"

	"dobot/internal/dosim/wire"
)

// action is one droplet action. Like a deployment's phase, its status is not
// stored: it is "in-progress" until startedAt plus its duration, then
// "completed".
type action struct {
	id        int
	typ       string
	dropletID int
	region    string
	startedAt time.Time
	took      time.Duration
}

func (a *action) done(now time.Time) bool { return !now.Before(a.startedAt.Add(a.took)) }

// powerActions are the droplet actions the server carries out; the others
// in the description get 422 and are reported as unimplemented.
var powerActions = map[string]bool{"reboot": true, "power_off": true, "power_on": true, "shutdown": true, "power_cycle": true}

// startAction starts an action on d at now. A droplet's create action takes
// as long as the droplet takes to become active: two phase delays.
func (s *State) startAction(d *droplet, typ string, now time.Time) *action {
	a := &action{id: s.nextID(), typ: typ, dropletID: d.id, region: d.region, startedAt: now, took: s.delay}
	if typ == "create" {
		a.took = 2 * s.delay
	}
	s.actions[a.id] = a
	d.actions = append(d.actions, a.id)
	return a
}

// renderedAction is an action as DigitalOcean serves it.
type renderedAction struct {
	ID           int            `json:"id"`
	Status       string         `json:"status"`
	Type         string         `json:"type"`
	StartedAt    time.Time      `json:"started_at"`
	CompletedAt  *time.Time     `json:"completed_at"`
	ResourceID   int            `json:"resource_id"`
	ResourceType string         `json:"resource_type"`
	Region       *dropletRegion `json:"region"`
	RegionSlug   string         `json:"region_slug"`
}

func (a *action) render(now time.Time) renderedAction {
	out := renderedAction{
		ID: a.id, Status: "in-progress", Type: a.typ, StartedAt: a.startedAt,
		ResourceID: a.dropletID, ResourceType: "droplet", Region: renderRegion(a.region), RegionSlug: a.region,
	}
	if a.done(now) {
		end := a.startedAt.Add(a.took)
		out.Status, out.CompletedAt = "completed", &end
	}
	return out
}

func (s *State) postDropletAction(c *wire.Call) wire.Reply {
	d := s.dropletFor(c)
	if d == nil {
		return wire.NotFound()
	}
	var req struct {
		Type string `json:"type"`
	}
	if e := wire.Decode(c.Body, &req); e != nil {
		return wire.Fail(e)
	}
	if !powerActions[req.Type] {
		s.unsupported(fmt.Sprintf("the simulator does not implement droplet action %q", req.Type))
		return unprocessable("the simulator does not implement droplet action %q", req.Type)
	}
	for _, id := range d.actions {
		if !s.actions[id].done(c.Now) {
			return unprocessable("Droplet already has a pending event.")
		}
	}
	a := s.startAction(d, req.Type, c.Now)
	return wire.With(http.StatusCreated, map[string]any{"action": a.render(c.Now)})
}

// getDropletAction serves an action by id, if it is one of the droplet's.
func (s *State) getDropletAction(c *wire.Call) wire.Reply {
	d := s.dropletFor(c)
	a := s.actionFor(c)
	if d == nil || a == nil || a.dropletID != d.id {
		return wire.NotFound()
	}
	return wire.OK(map[string]any{"action": a.render(c.Now)})
}

// getAction serves any action by id, also one of a deleted droplet.
func (s *State) getAction(c *wire.Call) wire.Reply {
	a := s.actionFor(c)
	if a == nil {
		return wire.NotFound()
	}
	return wire.OK(map[string]any{"action": a.render(c.Now)})
}

func (s *State) actionFor(c *wire.Call) *action {
	var id int
	if _, err := fmt.Sscan(c.Params["action_id"], &id); err != nil {
		return nil
	}
	return s.actions[id]
}

// Package droplets is the DigitalOcean simulator's Droplets: droplets and
// their actions, droplet sizes and the image catalogue. Its State holds no
// lock: internal/dosim calls it with the simulator's lock held.
package droplets

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/digitalocean/godo"
	"github.com/google/uuid"

	"dobot/internal/dosim/wire"
)

// State is the simulator's droplets and their actions, and the images it
// lists.
type State struct {
	fleet
	hiddenImages []string // slugs RemoveImage took out
	delay        time.Duration
	unsupported  func(string)
}

// New is an empty fleet whose actions take delay (a create twice that), and
// which reports requests it does not implement to unsupported.
func New(delay time.Duration, unsupported func(string)) *State {
	return &State{delay: delay, unsupported: unsupported}
}

// Handlers are the operations this package serves, by operationId.
func (s *State) Handlers() map[string]wire.Handler {
	return map[string]wire.Handler{
		"droplets_list":       s.listDroplets,
		"droplets_create":     s.createDroplet,
		"droplets_get":        s.getDroplet,
		"droplets_destroy":    s.deleteDroplet,
		"dropletActions_post": s.postDropletAction,
		"dropletActions_get":  s.getDropletAction,
		"actions_get":         s.getAction,
		"sizes_list":          s.listSizes,
		"images_list":         s.listImages,
		"images_get":          s.getImage,
	}
}

// fleet is the droplets and their actions.
type fleet struct {
	droplets  map[int]*droplet
	dropOrder []int // droplet ids, oldest first
	actions   map[int]*action
	creates   []DropletCreate
	lastID    int // the last droplet or action id handed out
	limit     int // droplet limit, if limited
	limited   bool
}

// droplet is the server's record of one droplet. Its status is not stored:
// it follows from the time since createdAt and its finished power actions.
type droplet struct {
	id        int
	name      string
	region    string
	size      dropletSize
	image     dropletImage
	tags      []string
	features  []string
	createdAt time.Time
	delay     time.Duration
	actions   []int // ids, oldest first; the first is the create action
	n         int   // its place in the fleet, which picks its addresses
}

// DropletCreate is a droplet create request as the server received and
// accepted it, kept after the droplet is deleted. DigitalOcean never shows
// user_data or ssh_keys again, so tests read them here.
type DropletCreate struct {
	ID       int // the droplet's id
	Name     string
	Region   string
	Size     string
	Image    string // the slug, or the id in decimal
	UserData string
	Tags     []string
	SSHKeys  []string // ids in decimal and fingerprints, as sent
}

// DropletLimit makes creates that would take the account past n droplets
// fail with 422, as DigitalOcean's do once an account reaches its limit.
func (s *State) DropletLimit(n int) {
	s.limit, s.limited = n, true
}

// Droplet is the droplet with id as the server would serve it now.
func (s *State) Droplet(id int, now time.Time) (godo.Droplet, bool) {
	d := s.droplets[id]
	var out *renderedDroplet
	if d != nil {
		out = s.renderDroplet(d, now)
	}
	if out == nil {
		return godo.Droplet{}, false
	}
	var g godo.Droplet
	b, _ := json.Marshal(out)
	_ = json.Unmarshal(b, &g)
	return g, true
}

// DropletCreates is every accepted droplet create request, oldest first.
func (s *State) DropletCreates() []DropletCreate {
	out := make([]DropletCreate, len(s.creates))
	for i, c := range s.creates {
		c.Tags, c.SSHKeys = slices.Clone(c.Tags), slices.Clone(c.SSHKeys)
		out[i] = c
	}
	return out
}

// nextID hands out droplet and action ids, which DigitalOcean draws from
// large, increasing integers.
func (f *fleet) nextID() int {
	if f.lastID == 0 {
		f.lastID = 3164444
	}
	f.lastID += 7
	return f.lastID
}

// createBody is a single droplet create request. Image and ssh_keys items
// are strings or numbers, so they stay loosely typed.
type createBody struct {
	Name       string   `json:"name"`
	Names      []string `json:"names"`
	Region     string   `json:"region"`
	Size       string   `json:"size"`
	Image      any      `json:"image"`
	SSHKeys    []any    `json:"ssh_keys"`
	Backups    bool     `json:"backups"`
	IPv6       bool     `json:"ipv6"`
	Monitoring bool     `json:"monitoring"`
	UserData   string   `json:"user_data"`
	Tags       []string `json:"tags"`
}

func unprocessable(format string, args ...any) wire.Reply {
	return wire.Err(http.StatusUnprocessableEntity, "unprocessable_entity", fmt.Sprintf(format, args...))
}

func (s *State) createDroplet(c *wire.Call) wire.Reply {
	var req createBody
	if e := wire.Decode(c.Body, &req); e != nil {
		return wire.Fail(e)
	}
	if len(req.Names) > 0 {
		s.unsupported("the simulator does not implement creating several droplets at once (names)")
		return unprocessable("the simulator does not implement creating several droplets at once")
	}
	if req.Region == "" {
		req.Region = "nyc3"
	}
	size := dropletSizeBySlug(req.Size)
	img := s.imageFor(req.Image)
	switch {
	case !slices.Contains(dropletRegions, req.Region):
		return unprocessable("You specified an invalid region for Droplet creation.")
	case size == nil:
		return unprocessable("You specified an invalid size for Droplet creation.")
	case !slices.Contains(size.Regions, req.Region):
		return unprocessable("Size is not available in this region.")
	case img == nil:
		return unprocessable("You specified an invalid image for Droplet creation.")
	case s.limited && len(s.droplets)+1 > s.limit:
		return unprocessable("creating this/these droplet(s) will exceed your droplet limit")
	}
	if s.droplets == nil {
		s.droplets, s.actions = map[int]*droplet{}, map[int]*action{}
	}
	d := &droplet{
		id: s.nextID(), name: req.Name, region: req.Region, size: *size, image: *img,
		tags: slices.Compact(slices.Clone(req.Tags)), createdAt: c.Now, delay: s.delay,
		features: []string{"droplet_agent", "private_networking"}, n: len(s.creates) + 2,
	}
	if d.tags == nil {
		d.tags = []string{}
	}
	for _, f := range []struct {
		on   bool
		name string
	}{{req.Backups, "backups"}, {req.IPv6, "ipv6"}, {req.Monitoring, "monitoring"}} {
		if f.on {
			d.features = append(d.features, f.name)
		}
	}
	slices.Sort(d.features)
	create := s.startAction(d, "create", c.Now)
	s.droplets[d.id] = d
	s.dropOrder = append(s.dropOrder, d.id)

	rec := DropletCreate{ID: d.id, Name: d.name, Region: d.region, Size: size.Slug, UserData: req.UserData, Tags: slices.Clone(d.tags)}
	rec.Image = fmt.Sprint(req.Image)
	for _, k := range req.SSHKeys {
		rec.SSHKeys = append(rec.SSHKeys, fmt.Sprint(k))
	}
	s.creates = append(s.creates, rec)

	links := map[string]any{"actions": []map[string]any{{
		"id": create.id, "rel": "create", "href": fmt.Sprintf("%s/v2/actions/%d", c.Base(), create.id),
	}}}
	return wire.With(http.StatusAccepted, map[string]any{"droplet": s.renderDroplet(d, c.Now), "links": links})
}

// dropletFor finds the droplet a route names.
func (s *State) dropletFor(c *wire.Call) *droplet {
	var id int
	if _, err := fmt.Sscan(c.Params["droplet_id"], &id); err != nil {
		return nil
	}
	return s.droplets[id]
}

func (s *State) getDroplet(c *wire.Call) wire.Reply {
	d := s.dropletFor(c)
	if d == nil {
		return wire.NotFound()
	}
	return wire.OK(map[string]any{"droplet": s.renderDroplet(d, c.Now)})
}

// listDroplets lists droplets oldest first, filtered by tag_name or name.
// No droplet here has a GPU, so type=gpus lists none.
func (s *State) listDroplets(c *wire.Call) wire.Reply {
	q := c.R.URL.Query()
	var match []*droplet
	for _, id := range s.dropOrder {
		d := s.droplets[id]
		switch {
		case q.Get("tag_name") != "" && !slices.Contains(d.tags, q.Get("tag_name")):
		case q.Get("name") != "" && d.name != q.Get("name"):
		case q.Get("type") == "gpus":
		default:
			match = append(match, d)
		}
	}
	from, to, links, meta := c.Page(len(match))
	out := []*renderedDroplet{}
	for _, d := range match[from:to] {
		out = append(out, s.renderDroplet(d, c.Now))
	}
	return wire.OK(map[string]any{"droplets": out, "links": links, "meta": meta})
}

func (s *State) deleteDroplet(c *wire.Call) wire.Reply {
	d := s.dropletFor(c)
	if d == nil {
		return wire.NotFound()
	}
	delete(s.droplets, d.id)
	s.dropOrder = slices.DeleteFunc(s.dropOrder, func(id int) bool { return id == d.id })
	return wire.NoBody(http.StatusNoContent)
}

// status is the droplet's status at now: "new" until its create action
// completes, then "active", or "off" after a completed power_off or
// shutdown until a completed power_on.
func (s *State) status(d *droplet, now time.Time) string {
	status := "new"
	for _, id := range d.actions {
		a := s.actions[id]
		if !a.done(now) {
			break
		}
		switch a.typ {
		case "create", "power_on", "reboot", "power_cycle":
			status = "active"
		case "power_off", "shutdown":
			status = "off"
		}
	}
	return status
}

// renderedDroplet is a droplet as DigitalOcean serves it. Its fields are
// grouped in embedded structs, which encoding/json writes inline.
type renderedDroplet struct {
	ID        int            `json:"id"`
	Name      string         `json:"name"`
	Status    string         `json:"status"`
	CreatedAt time.Time      `json:"created_at"`
	Image     dropletImage   `json:"image"`
	Networks  networks       `json:"networks"`
	Region    *dropletRegion `json:"region"`
	Tags      []string       `json:"tags"`
	VPCUUID   string         `json:"vpc_uuid"`
	dropletHardware
	dropletExtras
}

// dropletHardware is what a droplet's size gives it.
type dropletHardware struct {
	Memory   int         `json:"memory"`
	Vcpus    int         `json:"vcpus"`
	Disk     int         `json:"disk"`
	DiskInfo []diskInfo  `json:"disk_info"`
	Size     dropletSize `json:"size"`
	SizeSlug string      `json:"size_slug"`
}

// dropletExtras are the fields the simulator always serves empty or off,
// as DigitalOcean does for a droplet without backups, snapshots or volumes.
type dropletExtras struct {
	Locked           bool      `json:"locked"`
	Kernel           *struct{} `json:"kernel"`
	Features         []string  `json:"features"`
	BackupIDs        []int     `json:"backup_ids"`
	NextBackupWindow *struct{} `json:"next_backup_window"`
	SnapshotIDs      []int     `json:"snapshot_ids"`
	VolumeIDs        []string  `json:"volume_ids"`
}

type networks struct {
	V4 []networkV4 `json:"v4"`
	V6 []networkV4 `json:"v6"`
}

type networkV4 struct {
	IPAddress string `json:"ip_address"`
	Netmask   string `json:"netmask"`
	Gateway   string `json:"gateway"`
	Type      string `json:"type"`
}

// renderDroplet is the droplet at now. A droplet has no addresses while it
// is new; once active it has a public IPv4 address (from TEST-NET-3, which
// is never routed) and a private one in its region's default VPC.
func (s *State) renderDroplet(d *droplet, now time.Time) *renderedDroplet {
	out := &renderedDroplet{
		ID: d.id, Name: d.name, Status: s.status(d, now), CreatedAt: d.createdAt, Image: d.image,
		Networks: networks{V4: []networkV4{}, V6: []networkV4{}},
		Region:   renderRegion(d.region), Tags: d.tags,
		VPCUUID: uuid.NewSHA1(uuid.NameSpaceURL, []byte("vpc:default-"+d.region)).String(),
		dropletHardware: dropletHardware{Memory: d.size.Memory, Vcpus: d.size.Vcpus, Disk: d.size.Disk,
			DiskInfo: d.size.DiskInfo, Size: d.size, SizeSlug: d.size.Slug},
		dropletExtras: dropletExtras{Features: d.features, BackupIDs: []int{}, SnapshotIDs: []int{}, VolumeIDs: []string{}},
	}
	if out.Status != "new" {
		out.Networks.V4 = []networkV4{
			{IPAddress: fmt.Sprintf("203.0.113.%d", d.n%250+2), Netmask: "255.255.255.0", Gateway: "203.0.113.1", Type: "public"},
			{IPAddress: fmt.Sprintf("10.110.0.%d", d.n%250+2), Netmask: "255.255.240.0", Gateway: "10.110.0.1", Type: "private"},
		}
	}
	return out
}

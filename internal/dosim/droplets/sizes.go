package droplets

import (
	"slices"
	"strconv"
	"strings"

	"dobot/internal/dosim/catalog"
	"dobot/internal/dosim/wire"
)

// dropletSize is a droplet size as GET /v2/sizes lists it. The server keeps
// its own types for droplet objects because godo's omit empty fields that
// the description requires, such as an empty features list.
type dropletSize struct {
	Slug         string     `json:"slug"`
	Memory       int        `json:"memory"` // MiB
	Vcpus        int        `json:"vcpus"`
	Disk         int        `json:"disk"`     // GiB
	Transfer     float64    `json:"transfer"` // TiB a month
	PriceMonthly float64    `json:"price_monthly"`
	PriceHourly  float64    `json:"price_hourly"`
	Regions      []string   `json:"regions"`
	Available    bool       `json:"available"`
	Description  string     `json:"description"`
	DiskInfo     []diskInfo `json:"disk_info"`
}

type diskInfo struct {
	Type string `json:"type"`
	Size struct {
		Amount int    `json:"amount"`
		Unit   string `json:"unit"`
	} `json:"size"`
}

// dropletRegions are the datacenters droplets run in: those of App
// Platform's regions (catalog.go), so that the two lists agree.
var dropletRegions = func() []string {
	var out []string
	for _, r := range catalog.Regions {
		out = append(out, r.DataCenters...)
	}
	slices.Sort(out)
	return out
}()

// dropletSizes are DigitalOcean's Basic droplets with their list prices.
// The smallest is not sold everywhere, as on DigitalOcean.
var dropletSizes = []dropletSize{
	basicSize("s-1vcpu-512mb-10gb", 1, 512, 10, 0.5, 4, 0.00595, []string{"ams3", "fra1", "nyc1", "nyc3", "sfo3", "sgp1"}),
	basicSize("s-1vcpu-1gb", 1, 1024, 25, 1, 6, 0.00893, dropletRegions),
	basicSize("s-1vcpu-2gb", 1, 2048, 50, 2, 12, 0.01786, dropletRegions),
	basicSize("s-2vcpu-2gb", 2, 2048, 60, 3, 18, 0.02679, dropletRegions),
	basicSize("s-2vcpu-4gb", 2, 4096, 80, 4, 24, 0.03571, dropletRegions),
}

func basicSize(slug string, vcpus, memMiB, diskGiB int, transfer, monthly, hourly float64, in []string) dropletSize {
	d := diskInfo{Type: "local"}
	d.Size.Amount, d.Size.Unit = diskGiB, "gib"
	return dropletSize{
		Slug: slug, Memory: memMiB, Vcpus: vcpus, Disk: diskGiB, Transfer: transfer,
		PriceMonthly: monthly, PriceHourly: hourly, Regions: in, Available: true,
		Description: "Basic", DiskInfo: []diskInfo{d},
	}
}

func dropletSizeBySlug(slug string) *dropletSize {
	for i := range dropletSizes {
		if dropletSizes[i].Slug == slug {
			c := dropletSizes[i]
			return &c
		}
	}
	return nil
}

func (s *State) listSizes(c *wire.Call) wire.Reply {
	from, to, links, meta := c.Page(len(dropletSizes))
	return wire.OK(map[string]any{"sizes": dropletSizes[from:to], "links": links, "meta": meta})
}

// dropletRegion is a region as droplets and actions embed it.
type dropletRegion struct {
	Name      string   `json:"name"`
	Slug      string   `json:"slug"`
	Features  []string `json:"features"`
	Available bool     `json:"available"`
	Sizes     []string `json:"sizes"`
}

// renderRegion is the datacenter slug, such as "nyc3", as DigitalOcean
// describes it, with the sizes sold there.
func renderRegion(slug string) *dropletRegion {
	out := &dropletRegion{Slug: slug, Available: true, Sizes: []string{},
		Features: []string{"backups", "ipv6", "metadata", "install_agent", "storage", "image_transfer"}}
	for _, r := range catalog.Regions {
		if slices.Contains(r.DataCenters, slug) {
			out.Name = r.Label + " " + slug[len(slug)-1:]
		}
	}
	for _, sz := range dropletSizes {
		if slices.Contains(sz.Regions, slug) {
			out.Sizes = append(out.Sizes, sz.Slug)
		}
	}
	return out
}

// dropletImage is an image as a droplet embeds it.
type dropletImage struct {
	ID            int      `json:"id"`
	Name          string   `json:"name"`
	Type          string   `json:"type"`
	Distribution  string   `json:"distribution"`
	Slug          string   `json:"slug"`
	Public        bool     `json:"public"`
	Regions       []string `json:"regions"`
	CreatedAt     string   `json:"created_at"`
	MinDiskSize   int      `json:"min_disk_size"`
	SizeGigabytes float64  `json:"size_gigabytes"`
	Tags          []string `json:"tags"`
	Status        string   `json:"status"`
}

// imageRegions are the datacenters the description lets an image be in.
var imageRegions = []string{"ams3", "blr1", "fra1", "lon1", "nyc1", "nyc3", "sfo3", "sgp1", "syd1", "tor1"}

// images are the public images a droplet can be created from, by slug or id.
// docker-20-04 and docker-24-04 are the Marketplace's Docker 1-Click images
// (application images), on Ubuntu 20.04, past its end of life, and 24.04.
var images = []dropletImage{
	{ID: 163398591, Name: "Docker 1-Click on Ubuntu 24.04", Type: "snapshot", Distribution: "Ubuntu", Slug: "docker-24-04",
		Public: true, Regions: imageRegions, CreatedAt: "2024-10-08T13:12:49Z", MinDiskSize: 25, SizeGigabytes: 4.02, Tags: []string{}, Status: "available"},
	{ID: 112929408, Name: "Docker 1-Click on Ubuntu 20.04", Type: "snapshot", Distribution: "Ubuntu", Slug: "docker-20-04",
		Public: true, Regions: imageRegions, CreatedAt: "2022-08-05T16:41:31Z", MinDiskSize: 25, SizeGigabytes: 3.44, Tags: []string{}, Status: "available"},
	{ID: 129211873, Name: "22.04 (LTS) x64", Type: "base", Distribution: "Ubuntu", Slug: "ubuntu-22-04-x64",
		Public: true, Regions: imageRegions, CreatedAt: "2023-03-28T14:32:11Z", MinDiskSize: 7, SizeGigabytes: 0.85, Tags: []string{}, Status: "available"},
	{ID: 155130452, Name: "24.04 (LTS) x64", Type: "base", Distribution: "Ubuntu", Slug: "ubuntu-24-04-x64",
		Public: true, Regions: imageRegions, CreatedAt: "2024-04-25T17:22:05Z", MinDiskSize: 7, SizeGigabytes: 1.05, Tags: []string{}, Status: "available"},
	{ID: 147262511, Name: "12 x64", Type: "base", Distribution: "Debian", Slug: "debian-12-x64",
		Public: true, Regions: imageRegions, CreatedAt: "2023-12-19T18:37:15Z", MinDiskSize: 7, SizeGigabytes: 0.62, Tags: []string{}, Status: "available"},
}

// imageFor finds the image a create request names by slug or by id, among
// those the server lists now.
func (s *State) imageFor(ref any) *dropletImage {
	for _, img := range s.catalogue() {
		switch v := ref.(type) {
		case string:
			if img.Slug == v {
				return &img
			}
		case float64:
			if float64(img.ID) == v {
				return &img
			}
		}
	}
	return nil
}

// applicationImage says whether an image is a 1-Click application image,
// as ?type=application filters them: here, the Docker ones.
func applicationImage(img dropletImage) bool {
	return strings.HasPrefix(img.Slug, "docker-")
}

// RemoveImage takes an image out of the catalogue, as DigitalOcean retires
// old 1-Click images.
func (s *State) RemoveImage(slug string) {
	s.hiddenImages = append(s.hiddenImages, slug)
}

// catalogue is the images this server lists now.
func (s *State) catalogue() []dropletImage {
	var out []dropletImage
	for _, img := range images {
		if !slices.Contains(s.hiddenImages, img.Slug) {
			out = append(out, img)
		}
	}
	return out
}

// listImages serves GET /v2/images: ?type=application lists the 1-Click
// application images, ?type=distribution the base OS images.
func (s *State) listImages(c *wire.Call) wire.Reply {
	typ := c.R.URL.Query().Get("type")
	all := []dropletImage{}
	for _, img := range s.catalogue() {
		switch {
		case typ == "application" && !applicationImage(img), typ == "distribution" && applicationImage(img):
			continue
		}
		all = append(all, img)
	}
	from, to, links, meta := c.Page(len(all))
	return wire.OK(map[string]any{"images": all[from:to], "links": links, "meta": meta})
}

// getImage serves GET /v2/images/{image_id}, by id or by slug.
func (s *State) getImage(c *wire.Call) wire.Reply {
	ref := c.Params["image_id"]
	for _, img := range s.catalogue() {
		if img.Slug == ref || strconv.Itoa(img.ID) == ref {
			return wire.OK(map[string]any{"image": img})
		}
	}
	return wire.NotFound()
}

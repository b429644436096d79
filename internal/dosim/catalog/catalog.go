// Package catalog is what the DigitalOcean simulator sells: App Platform
// regions and instance sizes with their prices, shared by the apps and
// droplets parts of the simulator.
package catalog

import (
	"strconv"

	"github.com/digitalocean/godo"
)

// Regions are App Platform's regions as DigitalOcean lists them; nyc is the
// default, and the region an app gets when its spec names none.
var Regions = []*godo.AppRegion{
	{Slug: "ams", Label: "Amsterdam", Flag: "netherlands", Continent: "Europe", DataCenters: []string{"ams3"}},
	{Slug: "atl", Label: "Atlanta", Flag: "usa", Continent: "North America", DataCenters: []string{"atl1"}},
	{Slug: "blr", Label: "Bangalore", Flag: "india", Continent: "Asia", DataCenters: []string{"blr1"}},
	{Slug: "fra", Label: "Frankfurt", Flag: "germany", Continent: "Europe", DataCenters: []string{"fra1"}},
	{Slug: "lon", Label: "London", Flag: "uk", Continent: "Europe", DataCenters: []string{"lon1"}},
	{Slug: "nyc", Label: "New York", Flag: "usa", Continent: "North America", DataCenters: []string{"nyc1", "nyc3"}, Default: true},
	{Slug: "sfo", Label: "San Francisco", Flag: "usa", Continent: "North America", DataCenters: []string{"sfo3"}},
	{Slug: "sgp", Label: "Singapore", Flag: "singapore", Continent: "Asia", DataCenters: []string{"sgp1"}},
	{Slug: "syd", Label: "Sydney", Flag: "australia", Continent: "Australia", DataCenters: []string{"syd1"}},
	{Slug: "tor", Label: "Toronto", Flag: "canada", Continent: "North America", DataCenters: []string{"tor1"}},
}

// DefaultRegion is the region of an app whose spec names none.
const DefaultRegion = "nyc"

// RegionBySlug is a copy of the region slug names, or nil.
func RegionBySlug(slug string) *godo.AppRegion {
	for _, r := range Regions {
		if r.Slug == slug {
			c := *r
			return &c
		}
	}
	return nil
}

// InstanceSizes are the sizes a component can run on, with DigitalOcean's
// monthly prices.
var InstanceSizes = []*godo.AppInstanceSize{
	size("Shared 1VCPU 0.5GB", "apps-s-1vcpu-0.5gb", godo.AppInstanceSizeCPUType_Shared, 1, 512, "5.00", "0.000002066799", "basic", true, "50"),
	size("Shared 1VCPU 1GB Fixed", "apps-s-1vcpu-1gb-fixed", godo.AppInstanceSizeCPUType_Shared, 1, 1024, "10.00", "0.000004133598", "basic", true, "100"),
	size("Shared 1VCPU 1GB", "apps-s-1vcpu-1gb", godo.AppInstanceSizeCPUType_Shared, 1, 1024, "12.00", "0.000004960317", "professional", false, "150"),
	size("Shared 1VCPU 2GB", "apps-s-1vcpu-2gb", godo.AppInstanceSizeCPUType_Shared, 1, 2048, "25.00", "0.000010333995", "professional", false, "200"),
	size("Shared 2VCPU 4GB", "apps-s-2vcpu-4gb", godo.AppInstanceSizeCPUType_Shared, 2, 4096, "50.00", "0.000020667989", "professional", false, "250"),
	deprecated(size("Dedicated 1VCPU 0.5GB", "apps-d-1vcpu-0.5gb", godo.AppInstanceSizeCPUType_Dedicated, 1, 512, "29.00", "0.000011987434", "professional", false, "100")),
	size("Dedicated 1VCPU 1GB", "apps-d-1vcpu-1gb", godo.AppInstanceSizeCPUType_Dedicated, 1, 1024, "34.00", "0.000014054233", "professional", false, "200"),
	size("Dedicated 2VCPU 4GB", "apps-d-2vcpu-4gb", godo.AppInstanceSizeCPUType_Dedicated, 2, 4096, "98.00", "0.000040509259", "professional", false, "500"),
}

func size(name, slug string, cpu godo.AppInstanceSizeCPUType, cpus, memMiB int, month, second, tier string, single bool, bw string) *godo.AppInstanceSize {
	return &godo.AppInstanceSize{
		Name: name, Slug: slug, CPUType: cpu,
		CPUs:                  strconv.Itoa(cpus),
		MemoryBytes:           strconv.Itoa(memMiB << 20),
		USDPerMonth:           month,
		USDPerSecond:          second,
		TierSlug:              tier,
		Scalable:              cpu == godo.AppInstanceSizeCPUType_Dedicated || memMiB >= 1024 && !single,
		SingleInstanceOnly:    single,
		BandwidthAllowanceGib: bw,
	}
}

// deprecated marks a size that DigitalOcean intends to retire: it still
// works, and the catalogue says so with deprecation_intent.
func deprecated(sz *godo.AppInstanceSize) *godo.AppInstanceSize {
	sz.DeprecationIntent = true
	return sz
}

// DefaultInstanceSize is the size a component gets when its spec names
// none, as the description's instance_size_slug default says.
const DefaultInstanceSize = "apps-s-1vcpu-0.5gb"

// InstanceSizeBySlug is a copy of the size slug names, or nil.
func InstanceSizeBySlug(slug string) *godo.AppInstanceSize {
	for _, s := range InstanceSizes {
		if s.Slug == slug {
			c := *s
			return &c
		}
	}
	return nil
}

// ComponentCost is the monthly price of count instances of size slug (the
// default size when empty, one instance when count is below one); 0 for a
// size the catalogue does not have.
func ComponentCost(slug string, count int64) float64 {
	if slug == "" {
		slug = DefaultInstanceSize
	}
	if count < 1 {
		count = 1
	}
	sz := InstanceSizeBySlug(slug)
	if sz == nil {
		return 0
	}
	p, _ := strconv.ParseFloat(sz.USDPerMonth, 64)
	return p * float64(count)
}

// MonthlyCost is what DigitalOcean's propose answers as app_cost: the
// monthly price of every instance the spec asks for, in whole dollars.
// Static sites cost nothing here (App Platform's first three are free).
func MonthlyCost(spec *godo.AppSpec) int {
	cost := 0.0
	for _, c := range spec.Services {
		cost += ComponentCost(c.InstanceSizeSlug, c.InstanceCount)
	}
	for _, c := range spec.Workers {
		cost += ComponentCost(c.InstanceSizeSlug, c.InstanceCount)
	}
	for _, c := range spec.Jobs {
		cost += ComponentCost(c.InstanceSizeSlug, c.InstanceCount)
	}
	return int(cost)
}

package docloud

import "github.com/digitalocean/godo"

// Cloud is DigitalOcean as the bot uses it: godo's own narrow service
// interfaces, plus the client for the calls godo has no method for
// (rollback, cancelling a deployment).
type Cloud struct {
	Apps           godo.AppsService
	Droplets       godo.DropletsService
	DropletActions godo.DropletActionsService
	Sizes          godo.SizesService
	Registry       godo.RegistryService
	// Registries is the multi-registry API (/v2/registries), which works
	// on accounts with one registry or several.
	Registries godo.RegistriesService
	Images     godo.ImagesService
	// Projects assigns new apps and droplets to DO_PROJECT.
	Projects godo.ProjectsService
	Raw      *godo.Client
	// DropletCreates, when set, creates droplets without the client's
	// automatic retries: droplet names are not unique, so a create retried
	// after a lost answer could make a second droplet. The bot looks for
	// the first one before it tries again.
	DropletCreates godo.DropletsService
}

// CloudOf takes the services from a godo client.
func CloudOf(c *godo.Client) Cloud {
	return Cloud{Apps: c.Apps, Droplets: c.Droplets, DropletActions: c.DropletActions, Sizes: c.Sizes, Registry: c.Registry,
		Registries: c.Registries, Images: c.Images, Projects: c.Projects, Raw: c}
}

package docloud

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
)

// PreferredDropletImage is DigitalOcean's Docker 1-Click image on Ubuntu
// 24.04 LTS, used when DO_DROPLET_IMAGE is unset and DigitalOcean lists it.
const PreferredDropletImage = "docker-24-04"

// DropletImage chooses the image a droplet is created from, and says in
// note which one and why. With want (DO_DROPLET_IMAGE) set, that image must
// exist.
// Otherwise it is docker-24-04 when DigitalOcean lists it, else the newest
// application image whose slug starts with docker- (GET
// /v2/images?type=application), as DECISIONS.md says.
func DropletImage(ctx context.Context, images godo.ImagesService, want string) (slug, note string, err error) {
	if want != "" {
		img, _, err := images.GetBySlug(ctx, want)
		if IsNotFound(err) {
			return "", "", dobot.UserErrorf("DO_DROPLET_IMAGE is %s, but DigitalOcean lists no image with that slug. Set it to an image slug that exists, such as %s, or unset it to use DigitalOcean's Docker image. Nothing was created.", want, PreferredDropletImage)
		}
		if err != nil {
			return "", "", fmt.Errorf("look up droplet image %s: %w", want, err)
		}
		return img.Slug, fmt.Sprintf("droplet image %s (%s), from DO_DROPLET_IMAGE", img.Slug, img.Name), nil
	}
	img, _, err := images.GetBySlug(ctx, PreferredDropletImage)
	if err == nil {
		return img.Slug, fmt.Sprintf("droplet image %s (%s)", img.Slug, img.Name), nil
	}
	if !IsNotFound(err) {
		return "", "", fmt.Errorf("look up droplet image %s: %w", PreferredDropletImage, err)
	}
	var docker []godo.Image
	err = EachPage(200, func(opt *godo.ListOptions) (*godo.Response, error) {
		imgs, resp, err := images.ListApplication(ctx, opt)
		for _, i := range imgs {
			if strings.HasPrefix(i.Slug, "docker-") {
				docker = append(docker, i)
			}
		}
		return resp, err
	})
	if err != nil {
		return "", "", fmt.Errorf("list application images: %w", err)
	}
	if len(docker) == 0 {
		return "", "", dobot.UserErrorf("DigitalOcean lists no Docker application image (%s or another docker-… slug), so the bot cannot pick one. Set DO_DROPLET_IMAGE to an image with Docker installed. Nothing was created.", PreferredDropletImage)
	}
	// RFC 3339 times in UTC sort as strings.
	sort.Slice(docker, func(i, j int) bool { return docker[i].Created > docker[j].Created })
	newest := docker[0]
	return newest.Slug, fmt.Sprintf("droplet image %s (%s): the newest Docker image DigitalOcean lists, since it does not list %s", newest.Slug, newest.Name, PreferredDropletImage), nil
}

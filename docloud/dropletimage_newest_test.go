package docloud_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/digitalocean/godo"

	"dobot/docloud"
)

// catalogueImages is a godo.ImagesService that lists application images
// and knows no slug by GetBySlug, as when docker-24-04 is retired.
type catalogueImages struct {
	godo.ImagesService
	apps []godo.Image
}

func (c catalogueImages) GetBySlug(context.Context, string) (*godo.Image, *godo.Response, error) {
	resp := &godo.Response{Response: &http.Response{StatusCode: http.StatusNotFound}}
	return nil, resp, &godo.ErrorResponse{Response: resp.Response, Message: "not found"}
}

func (c catalogueImages) ListApplication(context.Context, *godo.ListOptions) ([]godo.Image, *godo.Response, error) {
	return c.apps, &godo.Response{}, nil
}

// Without docker-24-04 the newest application image whose slug starts with
// docker- is chosen: not the first listed, and never a newer non-Docker one.
func TestDropletImageNewestDockerAmongSeveral(t *testing.T) {
	images := catalogueImages{apps: []godo.Image{
		{Slug: "docker-20-04", Name: "Docker on 20.04", Created: "2022-08-05T16:41:31Z"},
		{Slug: "wordpress-24-04", Name: "WordPress", Created: "2025-06-01T00:00:00Z"},
		{Slug: "docker-22-04", Name: "Docker on 22.04", Created: "2023-05-01T00:00:00Z"},
		{Slug: "mydocker-25-04", Name: "Not Docker's", Created: "2025-07-01T00:00:00Z"},
	}}
	slug, note, err := docloud.DropletImage(context.Background(), images, "")
	if err != nil || slug != "docker-22-04" || !strings.Contains(note, "newest Docker image") {
		t.Errorf("DropletImage() = %q, %q, %v; want docker-22-04, the newest docker- image, named on the card", slug, note, err)
	}
}

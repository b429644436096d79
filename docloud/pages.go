package docloud

import "github.com/digitalocean/godo"

// EachPage calls list for page 1, 2, … of perPage items until DigitalOcean
// says the page was the last.
func EachPage(perPage int, list func(opt *godo.ListOptions) (*godo.Response, error)) error {
	opt := &godo.ListOptions{Page: 1, PerPage: perPage}
	for {
		resp, err := list(opt)
		if err != nil {
			return err
		}
		if resp == nil || resp.Links == nil || resp.Links.IsLastPage() {
			return nil
		}
		page, err := resp.Links.CurrentPage()
		if err != nil {
			return nil
		}
		opt.Page = page + 1
	}
}

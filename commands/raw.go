package commands

import (
	"context"
	"fmt"
)

// raw sends a request godo has no method for, through godo's client so it
// gets the same auth, retries and error handling.
func (b *Bot) raw(ctx context.Context, method, path string, body, out any) error {
	if b.cloud.Raw == nil {
		return fmt.Errorf("no DigitalOcean client for %s %s", method, path)
	}
	req, err := b.cloud.Raw.NewRequest(ctx, method, path, body)
	if err != nil {
		return fmt.Errorf("build %s %s: %w", method, path, err)
	}
	_, err = b.cloud.Raw.Do(ctx, req, out)
	return err
}

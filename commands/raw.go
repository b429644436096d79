package commands

import (
	"context"

	"dobot/docloud"
)

// raw sends a request godo has no method for; see docloud.Raw.
func (b *Bot) raw(ctx context.Context, method, path string, body, out any) error {
	return docloud.Raw{Client: b.cloud.Raw}.Do(ctx, method, path, body, out)
}

package deploy

import (
	"context"

	"dobot/docloud"
)

// Raw sends a request godo has no method for; see docloud.Raw.
func (b *Executor) Raw(ctx context.Context, method, path string, body, out any) error {
	return docloud.Raw{Client: b.cloud.Raw}.Do(ctx, method, path, body, out)
}

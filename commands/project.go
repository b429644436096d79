package commands

import (
	"context"
	"errors"
	"fmt"

	"dobot/docloud/daytwo"
)

// DO_PROJECT puts new apps and droplets into a DigitalOcean project. The
// project is resolved once, at start, so a name that matches nothing stops
// the bot with a clear error instead of failing every launch. A launch
// assigns its app or droplet after the create, and again when it resumes:
// assigning what is already in the project changes nothing.

// resolveProject finds DO_PROJECT's id.
func (b *Bot) resolveProject(ctx context.Context) error {
	if b.cfg.Project == "" {
		return nil
	}
	if b.cloud.Projects == nil {
		return errors.New("DO_PROJECT is set, but the bot has no DigitalOcean projects service")
	}
	p, err := daytwo.ResolveProject(ctx, b.cloud.Projects, b.cfg.Project)
	var pe *daytwo.ProjectError
	if errors.As(err, &pe) {
		return fmt.Errorf("DO_PROJECT: %w. Set DO_PROJECT to a project's name or id, or unset it to use the default project", err)
	}
	if err != nil {
		return fmt.Errorf("DO_PROJECT: %w", err)
	}
	b.exec.SetProject(p.ID)
	b.log.Info("new apps and droplets go into a project", "project", p.Name, "project_id", p.ID)
	return nil
}

package commands

import (
	"context"

	"dobot/docloud/daytwo"
)

// DO_PROJECT puts new apps and droplets into a DigitalOcean project. The
// project is resolved once, at start (daytwo.ProjectSetting). A launch
// assigns its app or droplet after the create, and again when it resumes:
// assigning what is already in the project changes nothing.

// resolveProject finds DO_PROJECT's id.
func (b *Bot) resolveProject(ctx context.Context) error {
	p, err := daytwo.ProjectSetting(ctx, b.cloud.Projects, b.cfg.Project)
	if err != nil || p == nil {
		return err
	}
	b.exec.SetProject(p.ID)
	b.log.Info("new apps and droplets go into a project", "project", p.Name, "project_id", p.ID)
	return nil
}

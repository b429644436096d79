package dobot

import "time"

// DeploymentMark is the newest deployment of a managed app that the bot
// saw started elsewhere and reported: deployments up to it are not
// reported again, after a restart too.
type DeploymentMark struct {
	AppID        string // DigitalOcean's app id
	DeploymentID string
	CreatedAt    time.Time // DigitalOcean's creation time of the deployment
}

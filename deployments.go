package dobot

import (
	"regexp"
	"time"
)

// DeploymentMark is the newest deployment of a managed app that the bot
// saw started elsewhere and reported: deployments up to it are not
// reported again, after a restart too.
type DeploymentMark struct {
	AppID        string // DigitalOcean's app id
	DeploymentID string
	CreatedAt    time.Time // DigitalOcean's creation time of the deployment
}

// deploymentIDPattern is the UUID form of App Platform deployment ids.
var deploymentIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// IsDeploymentID reports whether s has the form of an App Platform
// deployment id (a lower-case UUID).
func IsDeploymentID(s string) bool { return deploymentIDPattern.MatchString(s) }

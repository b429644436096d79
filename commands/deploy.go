package commands

import "dobot/deploy"

// The arguments of the operations, stored with them as JSON, are package
// deploy's, whose executors run them.
type (
	LaunchArgs        = deploy.LaunchArgs
	ChangeArgs        = deploy.ChangeArgs
	TeardownArgs      = deploy.TeardownArgs
	DropletActionArgs = deploy.DropletActionArgs
	RegistryArgs      = deploy.RegistryArgs
)

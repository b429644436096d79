// Package deploy runs the bot's operations on DigitalOcean: launching an
// app or a droplet, redeploying, rolling back, tearing down, droplet power
// actions and the container registry. Each executor works from the stored
// operation alone, so the same code runs a fresh command, an approved
// request and an operation resumed after a restart; it reports through a
// progress.Reporter and finishes the operation before its last word.
package deploy

// The actions, each governed by a policy.
const (
	ActionLaunch         = "launch"
	ActionTeardown       = "teardown"
	ActionRedeploy       = "redeploy"
	ActionRollback       = "rollback"
	ActionDroplet        = "droplet"
	ActionRegistryCreate = "registry.create"
	ActionRegistryDelete = "registry.delete"
	ActionRegistryGC     = "registry.gc"
)

// RegistryTarget is what registry operations show as their app and audit
// target. Their lock is dobot.RegistryLock, apart from any app's.
const RegistryTarget = "registry"

// The kinds of thing the bot manages (dobot.App.Kind).
const (
	KindApp     = "app"
	KindDroplet = "droplet"
)

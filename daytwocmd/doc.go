// Package daytwocmd reads the day-two commands (scale, restart, env,
// domains, redeploy, rollback, teardown and the droplet actions) into the
// typed arguments package plan plans and package deploy runs, and builds
// their read-only answers: an app's variables (keys and types, never
// values), its custom domains and a droplet's status.
//
// Parsing is pure and never touches the network; a refusal is a
// reply.UserError that tells the person what to type. The answers are
// neutral chat messages that package commands sends.
package daytwocmd

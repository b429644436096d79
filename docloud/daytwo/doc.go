// Package daytwo is what an App Platform app needs after its launch:
// scaling under the launch's size rules, restarts without a rebuild,
// environment variables that keep App Platform's sealed secrets, custom
// domains and their certificate progress, projects, a plan-style diff of
// two specs with its cost and a stable spec hash for binding approvals,
// and finding deployments started outside the bot within the request
// budget. It knows nothing of chat, commands or the store.
package daytwo

// Package appspec reads and proposes App Platform app specs: from a Git
// repository (Detect, with the Dockerfile fallback, and BuildGitSpec),
// from text pasted in chat (ParseSpec, YAML or JSON), and through App
// Platform's propose with each component's price and warnings (Propose).
// It knows nothing of chat, commands or the store.
package appspec

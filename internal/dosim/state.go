package dosim

import (
	"net/http"

	"github.com/digitalocean/godo"

	"dobot/internal/dosim/apps"
	"dobot/internal/dosim/droplets"
)

// The simulator's controls and views of its state, for the console and for
// tests. Each takes the simulator's lock and hands over to the resource
// package that holds the state.

// DropletCreate is one droplet the server was asked to create.
type DropletCreate = droplets.DropletCreate

// App is the app with id as the server would serve it now.
func (s *Server) App(id string) (godo.App, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.apps.App(id, s.now())
}

// Apps is every app as the server would serve it now, oldest first.
func (s *Server) Apps() []godo.App {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.apps.Apps(s.now())
}

// FailBuild makes deployments created from now on fail in BUILDING when a
// component's image repository is imageRepository: the deployment ends in
// phase ERROR and the component's build step, and the "build" step above it,
// have status ERROR and reason {code: "BuildJobExitNonZero", message: reason}.
func (s *Server) FailBuild(imageRepository, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps.FailBuild(imageRepository, reason)
}

// BreakLiveLogs makes every live log stream opened from now on drop its
// connection after sending n lines, as a broken network would; a negative n
// turns it off.
func (s *Server) BreakLiveLogs(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps.BreakLiveLogs(n)
}

// ServeLogFile serves a log file that a logs route pointed at, as plain
// text: one "COMPONENT TIMESTAMP MESSAGE" line per event so far, or as a
// live websocket stream. It returns the status it answered. (It takes the
// lock itself, between the lines of a stream.)
func (s *Server) ServeLogFile(w http.ResponseWriter, r *http.Request) int {
	return s.apps.ServeLogFile(w, r)
}

// DropletLimit makes creates that would take the account past n droplets
// fail with 422, as DigitalOcean's do once an account reaches its limit.
func (s *Server) DropletLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drops.DropletLimit(n)
}

// Droplet is the droplet with id as the server would serve it now.
func (s *Server) Droplet(id int) (godo.Droplet, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.drops.Droplet(id, s.now())
}

// DropletCreates is every accepted droplet create request, oldest first.
func (s *Server) DropletCreates() []DropletCreate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.drops.DropletCreates()
}

// RemoveImage takes an image out of the catalogue, as DigitalOcean retires
// old 1-Click images.
func (s *Server) RemoveImage(slug string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drops.RemoveImage(slug)
}

// Registry is the account's registry as the server would serve it now.
func (s *Server) Registry() (godo.Registry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reg.Registry(s.now())
}

// PushImage stands for a docker push of registry.digitalocean.com/
// REGISTRY/REPOSITORY:TAG, which DigitalOcean's API does not do. The image's
// sizes follow from its name, so a test can predict them. Pushing to a
// registry that does not exist is reported as a violation at cleanup.
func (s *Server) PushImage(registry, repo, tag string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reg.PushImage(registry, repo, tag, s.now())
}

// AddRegistry gives the account another registry, as a second
// `POST /v2/registries` would, so that a test can make a multi-registry
// account.
func (s *Server) AddRegistry(name, region string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reg.AddRegistry(name, region, s.now())
}

// DockerSecrets are the password halves of every docker credential the
// server handed out, so a test can check they were kept out of logs,
// messages and the database.
func (s *Server) DockerSecrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reg.DockerSecrets()
}

// Outside is a deployment started outside the API: a push, the control
// panel or doctl. Build one with Push or Manual.
type Outside = apps.Outside

// Repo is a Git repository as the simulator knows it.
type Repo = apps.Repo

// Push is the deployment a push of commit to repo by author starts on an
// app whose source deploys on push: cause "commit abc1234 pushed to
// github.com/acme/web", with DEPLOY_ON_PUSH cause details.
func Push(repo, commit, author, message string) Outside {
	return apps.Push(repo, commit, author, message)
}

// RegistryPush is the deployment a push of repo:tag to the account's
// container registry starts on an app whose image deploys on push.
func RegistryPush(registry, repo, tag, digest string) Outside {
	return apps.RegistryPush(registry, repo, tag, digest)
}

// Manual is a deployment someone started by hand in the control panel or
// with doctl: cause "manual", with the user's email.
func Manual(email string) Outside { return apps.Manual(email) }

// StartDeployment starts a deployment of the app with id that the API's
// caller did not ask for, as a push or the control panel would, and
// returns its id. Set o.FailAt to "build" or "deploy" (with o.Reason) to
// make it fail at that step; the failing step's log says why.
func (s *Server) StartDeployment(appID string, o Outside) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.apps.StartOutside(appID, o)
}

// HoldDomain keeps the custom domain name PENDING (its DNS does not point
// at App Platform yet) until called again with false; then its DNS check
// and certificate run, CONFIGURING then ACTIVE.
func (s *Server) HoldDomain(name string, hold bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps.HoldDomain(name, hold)
}

// AddRepo makes the simulator know a Git repository, by clone URL, such
// as "https://github.com/acme/api". It starts knowing a few (see
// internal/dosim/apps/sources.go): github.com/acme/web (a Dockerfile),
// acme/shop (three components), acme/empty (nothing detected) and
// acme/private, gitlab.com/acme/site (static) and git.example.com/acme/tool
// (a Go buildpack).
func (s *Server) AddRepo(cloneURL string, r Repo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps.AddRepo(cloneURL, r)
}

// DisconnectGitHub makes the account one that never connected GitHub to
// DigitalOcean: github sources get "GitHub user not authenticated".
func (s *Server) DisconnectGitHub(disconnected bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps.DisconnectGitHub(disconnected)
}

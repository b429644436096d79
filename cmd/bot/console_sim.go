package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/internal/dosim"
	"dobot/store"
)

// simUsage is what /sim takes.
const simUsage = "/sim push NAME [--fail build|deploy] starts a deployment of NAME as a push to its repository would; /sim manual NAME [--fail build|deploy] as someone in the control panel or doctl would"

// simCommand is the console's /sim: it starts, on the simulated
// DigitalOcean, a deployment the bot did not ask for, so the report of
// deployments started elsewhere can be tried. Nil (no /sim) against the
// real DigitalOcean.
func simCommand(sim *dosim.Server, db *store.DB, every time.Duration) func(ctx context.Context, text string) (string, error) {
	if sim == nil {
		return nil
	}
	return func(ctx context.Context, text string) (string, error) {
		words := strings.Fields(text)
		fail := ""
		if n := len(words); n >= 2 && words[n-2] == "--fail" {
			fail, words = words[n-1], words[:n-2]
			if fail != "build" && fail != "deploy" {
				return "", fmt.Errorf("--fail takes build or deploy, not %q; %s", fail, simUsage)
			}
		}
		if len(words) != 2 || (words[0] != "push" && words[0] != "manual") {
			return "", errors.New(simUsage)
		}
		app, err := db.App(ctx, words[1])
		if errors.Is(err, dobot.ErrNotFound) || (err == nil && app.Kind != "app") {
			return "", fmt.Errorf("the bot manages no App Platform app named %q; launch one first", words[1])
		}
		if err != nil {
			return "", err
		}
		var o dosim.Outside
		if words[0] == "push" {
			o = dosim.Push(simRepo(sim, app), randomCommit(), "console", "a push from the console")
		} else {
			o = dosim.Manual("you@example.com")
		}
		if fail != "" {
			o.FailAt, o.Reason = fail, "simulated failure from /sim --fail "+fail
		}
		id, err := sim.StartDeployment(app.ResourceID, o)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("started deployment %s of %s (%s); the bot reports it within %s", id, app.Name, o.Cause, every), nil
	}
}

// simRepo is the repository an app's first Git component builds from, or
// github.com/acme/NAME for an app that builds none.
func simRepo(sim *dosim.Server, app dobot.App) string {
	for _, a := range sim.Apps() {
		if a.ID != app.ResourceID || a.Spec == nil {
			continue
		}
		for _, s := range a.Spec.Services {
			if r := repoOf(s.Git, s.GitHub, s.GitLab); r != "" {
				return r
			}
		}
		for _, s := range a.Spec.StaticSites {
			if r := repoOf(s.Git, s.GitHub, s.GitLab); r != "" {
				return r
			}
		}
	}
	return "github.com/acme/" + app.Name
}

func repoOf(git *godo.GitSourceSpec, gh *godo.GitHubSourceSpec, gl *godo.GitLabSourceSpec) string {
	switch {
	case gh != nil:
		return "github.com/" + gh.Repo
	case gl != nil:
		return "gitlab.com/" + gl.Repo
	case git != nil:
		return git.RepoCloneURL
	}
	return ""
}

func randomCommit() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

package apps

import (
	"encoding/json"
	"fmt"

	"github.com/digitalocean/godo"
)

// Outside is a deployment started outside the bot's API calls: a push to a
// deploy-on-push source, the DigitalOcean control panel, or doctl.
type Outside struct {
	// Cause is the deployment's cause as DigitalOcean words it, such as
	// "commit abc123 pushed to github.com/acme/web" or "manual".
	Cause   string
	Details *godo.DeploymentCauseDetails
	// Commit is the commit it builds, for a spec with Git sources.
	Commit string
	// Tag or Digest, when set, is what every image component deploys (as a
	// DOCR push to a deploy-on-push image does); a digest wins over a tag,
	// since a spec may not carry both.
	Tag, Digest string
	// FailAt makes the deployment fail: "build" (the build step fails with
	// Reason in its log) or "deploy" (the first service fails its health
	// check with Reason). Empty: it goes live.
	FailAt, Reason string
}

// Push is the deployment a push of commit to repo (a clone URL or
// RepoKey) by author starts on an app whose source deploys on push.
func Push(repo, commit, author, message string) Outside {
	key := RepoKey("", repo)
	short := commit
	if len(short) > 7 {
		short = short[:7]
	}
	push := &godo.DeploymentCauseDetailsGitPush{Username: author, CommitAuthor: author, CommitSHA: commit, CommitMessage: message}
	if _, path, ok := cutHost(key, "github.com"); ok {
		push.GitHub = &godo.GitHubSourceSpec{Repo: path, DeployOnPush: true}
	} else if _, path, ok := cutHost(key, "gitlab.com"); ok {
		push.GitLab = &godo.GitLabSourceSpec{Repo: path, DeployOnPush: true}
	}
	return Outside{
		Cause:   fmt.Sprintf("commit %s pushed to %s", short, key),
		Details: &godo.DeploymentCauseDetails{Type: godo.DeploymentCauseDetailsType_DeployOnPush, GitPush: push},
		Commit:  commit,
	}
}

// RegistryPush is the deployment a push of repo:tag (with digest) to the
// account's container registry starts on an app whose DOCR image deploys
// on push: every image component runs the pushed tag.
func RegistryPush(registry, repo, tag, digest string) Outside {
	return Outside{
		Cause: fmt.Sprintf("image %s:%s pushed to registry %s", repo, tag, registry),
		Details: &godo.DeploymentCauseDetails{Type: godo.DeploymentCauseDetailsType_DeployOnPush,
			DOCRPush: &godo.DeploymentCauseDetailsDOCRPush{Registry: registry, Repository: repo, Tag: tag, ImageDigest: digest}},
		Tag: tag,
	}
}

// Manual is a deployment someone started by hand in the control panel or
// with doctl: cause "manual", with the user who did it.
func Manual(email string) Outside {
	return Outside{Cause: "manual", Details: &godo.DeploymentCauseDetails{
		Type: godo.DeploymentCauseDetailsType_Manual,
		DigitalOceanUserAction: &godo.DeploymentCauseDetailsDigitalOceanUserAction{
			Name: godo.DeploymentCauseDetailsDigitalOceanUserActionName_CreateDeployment,
			User: &godo.DeploymentCauseDetailsDigitalOceanUser{Email: email},
		},
	}}
}

func cutHost(key, host string) (string, string, bool) {
	if len(key) > len(host)+1 && key[:len(host)+1] == host+"/" {
		return host, key[len(host)+1:], true
	}
	return "", "", false
}

// StartOutside starts o on the app with id, as DigitalOcean would on its
// own, and returns the deployment's id. It fails only when there is no
// such app or o.FailAt is neither "", "build" nor "deploy".
func (s *State) StartOutside(appID string, o Outside) (string, error) {
	a := s.apps[appID]
	if a == nil {
		return "", fmt.Errorf("dosim: no app %q", appID)
	}
	now := s.now()
	spec := a.spec
	if o.Tag != "" || o.Digest != "" {
		spec = withImage(spec, o.Tag, o.Digest)
		a.spec, a.updatedAt = spec, now
	}
	d := s.deploy(a, spec, o.Cause, now)
	d.details = o.Details
	if o.Commit != "" {
		d.commit = o.Commit
	}
	comps := components(spec)
	switch o.FailAt {
	case "":
	case "build":
		d.failing = map[string]string{comps[0].name: o.Reason}
		d.deployFailing = nil
	case "deploy":
		d.failing = nil
		d.deployFailing = map[string]stepReason{comps[0].name: {code: reasonHealthCheck, message: o.Reason}}
	default:
		return "", fmt.Errorf("dosim: FailAt %q is not build or deploy", o.FailAt)
	}
	return d.id, nil
}

// withImage is a copy of spec whose image components run tag or digest.
func withImage(spec *godo.AppSpec, tag, digest string) *godo.AppSpec {
	cp := cloneSpec(spec)
	set := func(img *godo.ImageSourceSpec) {
		if img != nil {
			img.Tag, img.Digest = tag, digest
			if digest != "" {
				img.Tag = ""
			}
		}
	}
	for _, c := range cp.Services {
		set(c.Image)
	}
	for _, c := range cp.Workers {
		set(c.Image)
	}
	for _, c := range cp.Jobs {
		set(c.Image)
	}
	return cp
}

// cloneSpec is a deep copy of spec.
func cloneSpec(spec *godo.AppSpec) *godo.AppSpec {
	var out godo.AppSpec
	b, _ := json.Marshal(spec)
	_ = json.Unmarshal(b, &out)
	return &out
}

// SetProject records that the app with id now belongs to project, as
// assigning it to a project does. It reports whether there is such an app.
func (s *State) SetProject(id, project string) bool {
	a := s.apps[id]
	if a != nil {
		a.projectID = project
	}
	return a != nil
}

package commands

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/docloud"
	"dobot/docloud/appspec"
	"dobot/docloud/daytwo"
)

// LaunchSource is what a launch builds when it does not run one image: a
// Git repository (`--git URL`) or a pasted app spec (`--spec`). Spec is the
// spec the launch creates, worked out when the launch is prepared (detect,
// then propose); its secret values are sealed while it waits in the store.
type LaunchSource struct {
	Git  *appspec.GitSource `json:",omitempty"`
	Spec *godo.AppSpec      `json:",omitempty"`
	// SpecName is the name the pasted spec had, when NAME replaced it.
	SpecName   string                  `json:",omitempty"`
	Components []docloud.ComponentCost `json:",omitempty"`
	Warnings   []string                `json:",omitempty"`
}

// describe names the source for cards and the stored app: "github.com/
// acme/web (branch main)" or "app spec (3 components)".
func (s *LaunchSource) describe() string {
	if s.Git != nil {
		out := s.Git.URL
		if s.Git.Branch != "" {
			out += " (branch " + s.Git.Branch + ")"
		}
		if s.Git.Dir != "" {
			out += " in " + s.Git.Dir
		}
		return out
	}
	n := docloud.ComponentCount(s.Spec)
	if n == 1 {
		return "app spec (1 component)"
	}
	return fmt.Sprintf("app spec (%d components)", n)
}

// sourceFlags are the launch flags of a Git or spec launch.
type sourceFlags struct {
	git, branch, dir *string
	deployOnPush     *bool
	spec             *bool
}

// parseSource checks a Git or spec launch's flags and reads the pasted
// spec (block, cut from the message by the table's parser). It returns nil
// for an image launch. named reports whether NAME was typed.
func parseSource(f sourceFlags, block string, named bool, args *LaunchArgs, imageTyped bool) (*LaunchSource, error) {
	git := strings.TrimSpace(unlink(*f.git))
	if git == "" && !*f.spec {
		if *f.branch != "" || *f.dir != "" || *f.deployOnPush {
			return nil, userErrorf("--branch, --dir and --deploy-on-push go with --git URL, like `/do launch web --git https://github.com/acme/web --branch main`")
		}
		if block != "" {
			return nil, userErrorf("a code block after launch is an app spec: add --spec, like `/do launch --spec` followed by the spec in a code block")
		}
		return nil, nil
	}
	if git != "" && *f.spec {
		return nil, userErrorf("use --git or --spec, not both: a spec names its own repositories")
	}
	switch {
	case imageTyped:
		return nil, userErrorf("--image launches one container image; leave it out with --git or --spec (a spec names its images)")
	case args.Droplet:
		return nil, userErrorf("--droplet runs one image on a droplet; --git and --spec launch App Platform apps")
	case args.Port != 0:
		return nil, userErrorf("--port does not apply to --git or --spec: App Platform detects the port (or the spec names it)")
	}
	if git != "" {
		if block != "" {
			return nil, userErrorf("a code block is an app spec, which goes with --spec, not --git")
		}
		if _, err := appspec.ParseGitURL(git); err != nil {
			return nil, userErrorf("bad --git: %s. Use a repository URL like https://github.com/acme/web.", err.Error())
		}
		if strings.ContainsAny(*f.branch, " \t") || strings.HasPrefix(*f.branch, "-") {
			return nil, userErrorf("bad --branch %q: use a branch name like main", *f.branch)
		}
		dir := strings.Trim(strings.TrimSpace(*f.dir), "/")
		if strings.Contains(dir, "..") {
			return nil, userErrorf("bad --dir %q: use a directory inside the repository, like services/api", *f.dir)
		}
		if !named && args.Name == "" {
			return nil, userErrorf("launch --git needs an app name, like `/do launch web --git %s`", git)
		}
		return &LaunchSource{Git: &appspec.GitSource{URL: git, Branch: strings.TrimSpace(*f.branch), Dir: dir, DeployOnPush: *f.deployOnPush}}, nil
	}
	if *f.branch != "" || *f.dir != "" || *f.deployOnPush {
		return nil, userErrorf("--branch, --dir and --deploy-on-push go with --git; in a spec, set them on each component")
	}
	return parseSpecSource(block, named, args)
}

// prepareSource works a Git or spec launch out on DigitalOcean: detect the
// repository's components (Git), then propose the spec for its components,
// cost and warnings. Nothing is created.
func (b *Bot) prepareSource(ctx context.Context, args *LaunchArgs) error {
	src := *args.From
	spec := src.Spec
	if src.Git != nil {
		det, err := appspec.Detect(ctx, b.apps, *src.Git)
		if err != nil {
			return sourceError(err)
		}
		if det.Note != "" {
			args.Notes = append(args.Notes, Escape(det.Note))
		}
		spec = appspec.BuildGitSpec(args.Name, args.Region, *src.Git, det)
		withLaunchFlags(spec, *args)
	}
	note, err := b.checkAppSize(ctx, args.Size, args.Instances)
	if err != nil {
		return err
	}
	if note != "" {
		args.Notes = append(args.Notes, note)
	}
	p, err := appspec.Propose(ctx, b.apps, b.priceCache(), spec, "")
	if err != nil {
		return sourceError(err)
	}
	if !p.NameAvailable {
		hint := ""
		if p.NameSuggestion != "" {
			hint = fmt.Sprintf(" (%s is free)", p.NameSuggestion)
		}
		return userErrorf("DigitalOcean already has an app named %s%s. Pick another name; nothing was created.", spec.Name, hint)
	}
	src.Spec, src.Components, src.Warnings = spec, p.Components, p.Warnings
	args.From = &src
	args.MonthlyCents = p.AppCostCents
	if args.MonthlyCents == 0 {
		for _, c := range p.Components {
			args.MonthlyCents += c.Cents
		}
	}
	return nil
}

// withLaunchFlags applies launch's --size, --instances, --env and
// --secret to a spec built from a repository: sizes to every service and
// worker, variables to the app as a whole.
func withLaunchFlags(spec *godo.AppSpec, args LaunchArgs) {
	for _, s := range spec.Services {
		if args.Size != "" {
			s.InstanceSizeSlug = args.Size
		}
		if args.Instances > 0 {
			s.InstanceCount = int64(args.Instances)
		}
	}
	for _, w := range spec.Workers {
		if args.Size != "" {
			w.InstanceSizeSlug = args.Size
		}
		if args.Instances > 0 {
			w.InstanceCount = int64(args.Instances)
		}
	}
	for _, kv := range args.Env {
		v := &godo.AppVariableDefinition{Key: kv[0], Value: kv[1], Scope: godo.AppVariableScope_RunAndBuildTime, Type: godo.AppVariableType_General}
		if args.isSecret(kv[0]) {
			v.Type = godo.AppVariableType_Secret
		}
		spec.Envs = append(spec.Envs, v)
	}
}

// sourceError turns what detect or propose refused into a user error that
// says what to do; nothing was created.
func sourceError(err error) error {
	var acc *appspec.RepoAccessError
	if errors.As(err, &acc) {
		msg := fmt.Sprintf("DigitalOcean cannot read %s (%s): connect GitHub to DigitalOcean first (https://cloud.digitalocean.com/apps/github/install) and give it this repository; a public repository works with any Git URL. Nothing was created.",
			acc.URL, acc.Message)
		if acc.RequestID != "" {
			msg += " DigitalOcean request id: " + acc.RequestID + "."
		}
		return &UserError{Msg: Escape(msg)}
	}
	var ue *appspec.GitURLError
	if errors.As(err, &ue) {
		return &UserError{Msg: Escape("bad --git: " + ue.Error())}
	}
	var de *godo.ErrorResponse
	if errors.As(err, &de) && de.Response != nil && de.Response.StatusCode == http.StatusBadRequest {
		msg := "App Platform refused the spec: " + de.Message + ". Fix it and try again; nothing was created."
		if de.RequestID != "" {
			msg += " (DigitalOcean request id " + de.RequestID + ")"
		}
		return &UserError{Msg: Escape(msg)}
	}
	return err
}

// sourceFields are the facts of a Git or spec launch that a card shows:
// the source, each component with its size and price, the cost, and
// what propose warned about.
func sourceFields(args LaunchArgs) []Field {
	src := args.From
	fields := []Field{{Label: kindLabel(kindApp), Value: args.Name}, {Label: "Source", Value: Escape(src.describe())}, {Label: "Region", Value: args.Region}}
	fields = append(fields, src.cardFields(launchState{})...)
	if args.MonthlyCents > 0 {
		fields = append(fields, Field{Label: "Cost", Value: money(args.MonthlyCents) + "/month"})
	}
	if args.TTL > 0 {
		fields = append(fields, Field{Label: "Expires", Value: "after " + dobot.FormatDuration(args.TTL) + " (torn down automatically)"})
	}
	if keys := specEnvKeys(src.Spec); len(keys) > 0 {
		fields = append(fields, Field{Label: "Environment", Value: keys})
	}
	return append(fields, args.noteFields()...)
}

// componentsText lists components one a line: "service web: apps-s-1vcpu-
// 0.5gb × 1, $5.00/month".
func componentsText(comps []docloud.ComponentCost) string {
	lines := make([]string, len(comps))
	for i, c := range comps {
		line := c.Kind + " " + Escape(c.Name)
		if c.Size != "" {
			line += fmt.Sprintf(": %s × %d", c.Size, max(c.Instances, 1))
		}
		if c.Cents > 0 {
			line += ", " + money(c.Cents) + "/month"
		} else {
			line += ", free"
		}
		lines[i] = line
	}
	return strings.Join(lines, "\n")
}

// specEnvKeys lists a spec's variable keys, app-wide and per component,
// marking secret ones; never a value.
func specEnvKeys(spec *godo.AppSpec) string {
	if spec == nil {
		return ""
	}
	var keys []string
	secret := map[string]bool{}
	docloud.ForEachEnv(docloud.CopySpec(spec), func(v *godo.AppVariableDefinition) {
		if !secret[v.Key] && !slices.Contains(keys, v.Key) {
			keys = append(keys, v.Key)
		}
		if v.Type == godo.AppVariableType_Secret {
			secret[v.Key] = true
		}
	})
	return Escape(envKeysText(keys, func(k string) bool { return secret[k] }))
}

// ownsSource reports whether spec, found on DigitalOcean under the
// launch's name, is the one this Git or spec launch sent: the same
// components, built from the same repositories or images.
func (s *LaunchSource) ownsSource(spec *godo.AppSpec) bool {
	if spec == nil || s.Spec == nil {
		return false
	}
	return docloud.SourcesOf(spec) == docloud.SourcesOf(s.Spec)
}

// findOwnSourceApp is findOwnApp's match for a Git or spec launch: the
// app named like the launch, created at or after after, with the sources
// the launch sent.
func (b *Bot) findOwnSourceApp(ctx context.Context, args LaunchArgs, after time.Time) (*godo.App, error) {
	return docloud.FindOwnAppBy(ctx, b.apps, args.Name, after, args.From.ownsSource)
}

// flagSet reports whether the flag name was typed.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// finishSourceArgs checks the rest of a Git or spec launch's arguments.
func finishSourceArgs(args LaunchArgs, ttl string, dryRun bool, cfg Config) (any, error) {
	if args.Size != "" && !sizeSlugPattern.MatchString(args.Size) {
		return nil, userErrorf("bad --size %q: use an instance size slug like apps-s-1vcpu-1gb", args.Size)
	}
	if ttl != "" {
		d, err := parseTTL(ttl, cfg, "--ttl")
		if err != nil {
			return nil, err
		}
		args.TTL = d
	}
	if n := args.From.specNameNote(args.Name); n != "" {
		args.Notes = append(args.Notes, n)
	}
	args.DryRun = dryRun
	return args, nil
}

// planSourceLaunch prepares a Git or spec launch: detect and propose,
// then the plan whose card shows the components, cost and warnings.
func (b *Bot) planSourceLaunch(ctx context.Context, args LaunchArgs) (*Plan, error) {
	if err := b.prepareSource(ctx, &args); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(b.vault.sealLaunch(args))
	if err != nil {
		return nil, fmt.Errorf("encode launch args: %w", err)
	}
	plan := &Plan{
		Op:           dobot.Operation{Action: ActionLaunch, App: args.Name, Args: string(raw), Reason: args.Reason},
		Summary:      fmt.Sprintf("launch %s (%s) in %s", args.Name, args.From.describe(), args.Region),
		Fields:       launchFields(args),
		MonthlyCents: args.MonthlyCents,
	}
	if args.DryRun {
		plan.DryRun = func(ctx context.Context) (Message, error) {
			return b.proposeApp(ctx, args.appSpec(), "", "launch "+args.Name)
		}
	}
	return plan, nil
}

// sourceSize is the size and instance count of a spec's first service or
// worker, for the store's record of the app.
func sourceSize(spec *godo.AppSpec) (string, int) {
	if spec == nil {
		return "", 0
	}
	for _, s := range spec.Services {
		return s.InstanceSizeSlug, int(s.InstanceCount)
	}
	for _, w := range spec.Workers {
		return w.InstanceSizeSlug, int(w.InstanceCount)
	}
	return "", 0
}

// what names what a launch runs, for a card's text: its image, or its
// Git repository or spec.
func (a LaunchArgs) what() string {
	if a.From != nil {
		return Escape(a.From.describe())
	}
	return a.Image
}

// componentProgress is where each component of d is, one a line
// ("web: built", "api: deploying"), from its progress steps. It is "" for
// a deployment of one component that builds nothing from Git: its phase
// says it all.
func componentProgress(d *godo.Deployment) string {
	names := deploymentComponents(d)
	if d.Progress == nil || len(names) == 0 || (len(names) == 1 && daytwo.DeploymentCommit(d) == "") {
		return ""
	}
	build, deploy := map[string]godo.DeploymentProgressStepStatus{}, map[string]godo.DeploymentProgressStepStatus{}
	for _, top := range d.Progress.Steps {
		switch top.Name {
		case "build":
			collectComponents(top.Steps, build)
		case "deploy":
			collectComponents(top.Steps, deploy)
		}
	}
	lines := make([]string, len(names))
	for i, n := range names {
		lines[i] = Escape(n) + ": " + componentWord(build[n], deploy[n])
	}
	return strings.Join(lines, "\n")
}

// collectComponents records the status of every step that names its
// component, the outermost one winning.
func collectComponents(steps []*godo.DeploymentProgressStep, into map[string]godo.DeploymentProgressStepStatus) {
	for _, s := range steps {
		if s == nil {
			continue
		}
		if s.ComponentName != "" {
			if _, ok := into[s.ComponentName]; !ok {
				into[s.ComponentName] = s.Status
			}
			continue
		}
		collectComponents(s.Steps, into)
	}
}

// componentWord says where a component is from its build and deploy
// steps' statuses.
func componentWord(build, deploy godo.DeploymentProgressStepStatus) string {
	switch deploy {
	case godo.DeploymentProgressStepStatus_Success:
		return chat.IconOK + " deployed"
	case godo.DeploymentProgressStepStatus_Running:
		return chat.IconLaunch + " deploying"
	case godo.DeploymentProgressStepStatus_Error:
		return chat.IconFailed + " failed to deploy"
	}
	switch build {
	case godo.DeploymentProgressStepStatus_Success:
		return chat.IconOK + " built"
	case godo.DeploymentProgressStepStatus_Running:
		return chat.IconBuild + " building"
	case godo.DeploymentProgressStepStatus_Error:
		return chat.IconFailed + " build failed"
	}
	return chat.IconWaiting + " waiting"
}

// deploymentComponents names d's components in the order DigitalOcean
// lists them.
func deploymentComponents(d *godo.Deployment) []string {
	var out []string
	for _, s := range d.Services {
		out = append(out, s.Name)
	}
	for _, w := range d.Workers {
		out = append(out, w.Name)
	}
	for _, j := range d.Jobs {
		out = append(out, j.Name)
	}
	for _, s := range d.StaticSites {
		out = append(out, s.Name)
	}
	return out
}

// cardFields are what a running Git or spec launch's card adds: whether
// it deploys on push, each component (its progress once the deployment
// reports it, else its size and price) and propose's warnings.
func (s *LaunchSource) cardFields(st launchState) []Field {
	if s == nil {
		return nil
	}
	var fields []Field
	if s.Git != nil {
		push := "off (deploys only through the bot)"
		if s.Git.DeployOnPush {
			push = "on (every push to the branch deploys)"
		}
		fields = append(fields, Field{Label: "Deploy on push", Value: push})
	}
	switch {
	case st.Components != "":
		fields = append(fields, Field{Label: "Components", Value: st.Components})
	case len(s.Components) > 0:
		fields = append(fields, Field{Label: "Components", Value: componentsText(s.Components)})
	}
	for _, w := range s.Warnings {
		fields = append(fields, Field{Label: "Warning", Value: chat.IconWarning + " " + Escape(w)})
	}
	return fields
}

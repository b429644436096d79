package deploy

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/docloud"
	"dobot/docloud/appspec"
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

// Describe names the source for cards and the stored app: "github.com/
// acme/web (branch main)" or "app spec (3 components)".
func (s *LaunchSource) Describe() string {
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
			line += ", " + Money(c.Cents) + "/month"
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
	return Escape(EnvKeysText(keys, func(k string) bool { return secret[k] }))
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
func (b *Executor) findOwnSourceApp(ctx context.Context, args LaunchArgs, after time.Time) (*godo.App, error) {
	return docloud.FindOwnAppBy(ctx, b.apps, args.Name, after, args.From.ownsSource)
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

// cardFields are what a running Git or spec launch's card adds: whether
// it deploys on push, each component (its progress once the deployment
// reports it, else its size and price) and propose's warnings.
func (s *LaunchSource) cardFields(st LaunchState) []chat.Field {
	if s == nil {
		return nil
	}
	var fields []chat.Field
	if s.Git != nil {
		push := "off (deploys only through the bot)"
		if s.Git.DeployOnPush {
			push = "on (every push to the branch deploys)"
		}
		fields = append(fields, chat.Field{Label: "Deploy on push", Value: push})
	}
	switch {
	case st.Components != "":
		fields = append(fields, chat.Field{Label: "Components", Value: st.Components})
	case len(s.Components) > 0:
		fields = append(fields, chat.Field{Label: "Components", Value: componentsText(s.Components)})
	}
	for _, w := range s.Warnings {
		fields = append(fields, chat.Field{Label: "Warning", Value: chat.IconWarning + " " + Escape(w)})
	}
	return fields
}

// what names what a launch runs, for a card's text: its image, or its
// Git repository or spec.
func (a LaunchArgs) what() string {
	if a.From != nil {
		return Escape(a.From.Describe())
	}
	return a.Image
}

// SourceFields are the facts of a Git or spec launch that a card shows:
// the source, each component with its size and price, the cost, and
// what propose warned about.
func SourceFields(args LaunchArgs) []chat.Field {
	src := args.From
	fields := []chat.Field{{Label: KindLabel(KindApp), Value: args.Name}, {Label: "Source", Value: Escape(src.Describe())}, {Label: "Region", Value: args.Region}}
	fields = append(fields, src.cardFields(LaunchState{})...)
	if args.MonthlyCents > 0 {
		fields = append(fields, chat.Field{Label: "Cost", Value: Money(args.MonthlyCents) + "/month"})
	}
	if args.TTL > 0 {
		fields = append(fields, chat.Field{Label: "Expires", Value: "after " + dobot.FormatDuration(args.TTL) + " (torn down automatically)"})
	}
	if keys := specEnvKeys(src.Spec); len(keys) > 0 {
		fields = append(fields, chat.Field{Label: "Environment", Value: keys})
	}
	return append(fields, args.noteFields()...)
}

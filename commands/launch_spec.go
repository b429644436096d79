package commands

import (
	"encoding/json"
	"html"
	"strings"

	"github.com/digitalocean/godo"
	"sigs.k8s.io/yaml"

	"dobot/docloud"
	"dobot/docloud/appspec"
)

// blockMark starts the word the table's parser appends for a code block
// pasted after a command (`/do launch --spec` then ```yaml …```): a
// private-use character nobody types, so the block is never one of the
// words shlex split.
const blockMark = "\uE001"

// cutBlock splits command text at its first Markdown code fence: the
// words before it and the block (fences included). ok is false when the
// text has no fence.
func cutBlock(text string) (head, block string, ok bool) {
	i := strings.Index(text, "```")
	if i < 0 {
		return text, "", false
	}
	// Slack sends & < > in slash command text as HTML escapes.
	return text[:i], html.UnescapeString(text[i:]), true
}

// takeBlock removes the block word the table appended from words.
func takeBlock(words []string) (rest []string, block string) {
	if n := len(words); n > 0 && strings.HasPrefix(words[n-1], blockMark) {
		return words[:n-1], strings.TrimPrefix(words[n-1], blockMark)
	}
	return words, ""
}

// parseSpecSource reads a pasted app spec. The app's name is the spec's,
// unless NAME was typed: then NAME wins and the card says the spec's name
// was replaced, so one spec can launch a review copy under another name.
// Variables whose keys look secret are sent as SECRET, as with --env.
func parseSpecSource(block string, named bool, args *LaunchArgs) (*LaunchSource, error) {
	if strings.TrimSpace(block) == "" {
		return nil, userErrorf("launch --spec needs the app spec in a code block after the command, like:\n/do launch --spec\n```\nname: web\nservices:\n- name: web\n  image: {registry_type: DOCKER_HUB, repository: nginx}\n```")
	}
	spec, err := appspec.ParseSpec(block)
	if err != nil {
		return nil, &UserError{Msg: Escape(err.Error() + ". Fix the spec and try again; nothing was created.")}
	}
	if args.Size != "" || args.Instances != 0 || len(args.Env) > 0 {
		return nil, userErrorf("--size, --instances, --env and --secret do not apply to --spec: set them in the spec")
	}
	if docloud.ComponentCount(spec) == 0 {
		return nil, userErrorf("the app spec has no services, workers, jobs, static sites or functions; add one")
	}
	src := &LaunchSource{}
	if named && args.Name != spec.Name {
		src.SpecName = spec.Name
		spec.Name = args.Name
	}
	args.Name = spec.Name
	if err := ValidAppName(args.Name); err != nil {
		return nil, err
	}
	if spec.Region == "" {
		spec.Region = args.Region
	}
	args.Region = spec.Region
	docloud.ForEachEnv(spec, func(v *godo.AppVariableDefinition) {
		if SecretLooking(v.Key) && v.Type != godo.AppVariableType_Secret && v.Value != "" {
			v.Type = godo.AppVariableType_Secret
		}
	})
	src.Spec = spec
	return src, nil
}

// specNameNote says that NAME replaced the spec's own name.
func (s *LaunchSource) specNameNote(name string) string {
	if s.SpecName == "" {
		return ""
	}
	return "the spec's name " + Escape(s.SpecName) + " was replaced by " + Escape(name) + ", as typed"
}

// maskBlock returns a pasted spec with every secret value masked: the
// values of SECRET variables and of variables whose keys look secret. It
// replaces each value where it is written; when one cannot be found as
// written (escaped in JSON, folded in YAML), the whole block is written
// again from the parsed spec, masked.
func maskBlock(block string) string {
	spec, err := appspec.ParseSpec(block)
	if err != nil {
		return maskUnreadBlock(block)
	}
	var values []string
	docloud.ForEachEnv(spec, func(v *godo.AppVariableDefinition) {
		if v.Value != "" && (v.Type == godo.AppVariableType_Secret || SecretLooking(v.Key)) {
			values = append(values, v.Value)
		}
	})
	out := block
	for _, v := range values {
		if !strings.Contains(out, v) {
			return rewrittenBlock(spec)
		}
		out = strings.ReplaceAll(out, v, Masked)
	}
	return out
}

// rewrittenBlock is spec as a YAML code block, its secret values masked.
func rewrittenBlock(spec *godo.AppSpec) string {
	docloud.ForEachEnv(spec, func(v *godo.AppVariableDefinition) {
		if v.Value != "" && (v.Type == godo.AppVariableType_Secret || SecretLooking(v.Key)) {
			v.Value = Masked
		}
	})
	raw, err := json.Marshal(spec)
	if err == nil {
		raw, err = yaml.JSONToYAML(raw)
	}
	if err != nil {
		return "```(an app spec)```"
	}
	return "```\n" + string(raw) + "```"
}

// maskUnreadBlock masks a block that is not a readable spec: every line
// that holds a value (after "value:" or "\"value\":") loses it.
func maskUnreadBlock(block string) string {
	lines := strings.Split(block, "\n")
	for i, l := range lines {
		low := strings.ToLower(l)
		for _, k := range []string{`"value":`, "value:"} {
			if j := strings.Index(low, k); j >= 0 {
				lines[i] = l[:j+len(k)] + " " + Masked
				break
			}
		}
	}
	return strings.Join(lines, "\n")
}

// sealSource returns s with its spec's secret values sealed, for storing.
func (v *vault) sealSource(s *LaunchSource) *LaunchSource {
	if s == nil || s.Spec == nil {
		return s
	}
	cp := *s
	cp.Spec = v.sealSpec(s.Spec)
	return &cp
}

// openSource returns s with its spec's sealed values opened, for sending.
func (v *vault) openSource(s *LaunchSource) (*LaunchSource, error) {
	if s == nil || s.Spec == nil {
		return s, nil
	}
	spec, err := v.openSpec(s.Spec)
	if err != nil {
		return s, err
	}
	cp := *s
	cp.Spec = spec
	return &cp, nil
}

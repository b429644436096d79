package secrets

import (
	"encoding/json"
	"strings"

	"github.com/digitalocean/godo"
	"sigs.k8s.io/yaml"

	"dobot"
	"dobot/docloud"
	"dobot/docloud/appspec"
)

// CutBlock splits command text at its first Markdown code fence: the
// words before it and the block (fences included). ok is false when the
// text has no fence.
func CutBlock(text string) (head, block string, ok bool) {
	i := strings.Index(text, "```")
	if i < 0 {
		return text, "", false
	}
	// The chat adapter has already undone Slack's escapes and markup.
	return text[:i], text[i:], true
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
		if v.Value != "" && (v.Type == godo.AppVariableType_Secret || dobot.SecretLooking(v.Key)) {
			values = append(values, v.Value)
		}
	})
	out := block
	for _, v := range values {
		if !strings.Contains(out, v) {
			return rewrittenBlock(spec)
		}
		out = strings.ReplaceAll(out, v, dobot.Masked)
	}
	return out
}

// rewrittenBlock is spec as a YAML code block, its secret values masked.
func rewrittenBlock(spec *godo.AppSpec) string {
	docloud.ForEachEnv(spec, func(v *godo.AppVariableDefinition) {
		if v.Value != "" && (v.Type == godo.AppVariableType_Secret || dobot.SecretLooking(v.Key)) {
			v.Value = dobot.Masked
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
				lines[i] = l[:j+len(k)] + " " + dobot.Masked
				break
			}
		}
	}
	return strings.Join(lines, "\n")
}

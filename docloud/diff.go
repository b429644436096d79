package docloud

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
)

// Change is one difference between two app specs, plan style: Op is '+'
// (added), '-' (removed) or '~' (changed), Path names the field, such as
// "services.web.instance_count" or "services.web.envs.API_KEY.value", and
// From and To are its values, with secret values written as dobot.Masked.
type Change struct {
	Op       byte
	Path     string
	From, To string
}

func (c Change) String() string {
	switch c.Op {
	case '+':
		return fmt.Sprintf("+ %s: %s", c.Path, c.To)
	case '-':
		return fmt.Sprintf("- %s: %s", c.Path, c.From)
	}
	return fmt.Sprintf("~ %s: %s → %s", c.Path, c.From, c.To)
}

// identity are the fields that name an element of a list in a spec, so
// that a diff follows a component or variable by name, not by position.
var identity = []string{"name", "key", "domain", "path"}

// SpecDiff lists what changes from old to new, sorted by path. Values of
// SECRET variables and registry credentials are masked on both sides: a
// changed secret shows as "••• → •••". A component, variable or domain
// added or removed as a whole is one change.
func SpecDiff(old, new *godo.AppSpec) []Change {
	a, b := flatten(old), flatten(new)
	var out []Change
	for p, va := range a {
		vb, ok := b[p]
		switch {
		case !ok && !covered(b, p):
			out = append(out, Change{Op: '-', Path: p, From: va})
		case ok && va != vb:
			out = append(out, Change{Op: '~', Path: p, From: va, To: vb})
		}
	}
	for p, vb := range b {
		if _, ok := a[p]; !ok && !covered(a, p) {
			out = append(out, Change{Op: '+', Path: p, To: vb})
		}
	}
	out = wholes(out)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// covered reports whether the other side has a leaf below p or above it,
// which makes p a change of shape rather than an addition.
func covered(m map[string]string, p string) bool {
	for q := range m {
		if strings.HasPrefix(p, q+".") {
			return true
		}
	}
	return false
}

// wholes folds the leaves of an element added or removed as a whole (every
// leaf under an identified element, such as services.api.*) into one
// change at the element's path.
func wholes(in []Change) []Change {
	var out []Change
	seen := map[string]bool{}
	for _, c := range in {
		root := elementRoot(c.Path)
		if c.Op == '~' || root == "" {
			out = append(out, c)
			continue
		}
		if seen[root+string(c.Op)] {
			continue
		}
		all := true
		for _, d := range in {
			if strings.HasPrefix(d.Path, root+".") && d.Op != c.Op {
				all = false
			}
		}
		if !all {
			out = append(out, c)
			continue
		}
		seen[root+string(c.Op)] = true
		word := "added"
		if c.Op == '-' {
			word = "removed"
		}
		ch := Change{Op: c.Op, Path: root}
		if c.Op == '+' {
			ch.To = word
		} else {
			ch.From = word
		}
		out = append(out, ch)
	}
	return out
}

// elementRoot is the path of the identified list element p is inside
// ("services.web" for "services.web.image.tag"), or "".
func elementRoot(p string) string {
	parts := strings.Split(p, ".")
	for i := len(parts) - 2; i >= 1; i-- {
		if parts[i-1] == "services" || parts[i-1] == "workers" || parts[i-1] == "jobs" || parts[i-1] == "static_sites" ||
			parts[i-1] == "envs" || parts[i-1] == "domains" {
			return strings.Join(parts[:i+1], ".")
		}
	}
	return ""
}

// flatten maps every leaf of spec to its value as text, by path; list
// elements are named by their identity field, secrets are masked.
func flatten(spec *godo.AppSpec) map[string]string {
	out := map[string]string{}
	if spec == nil {
		return out
	}
	raw, err := json.Marshal(spec)
	if err != nil {
		return out
	}
	var tree any
	if json.Unmarshal(raw, &tree) != nil {
		return out
	}
	walk("", tree, out)
	return out
}

func walk(path string, v any, out map[string]string) {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch t := v.(type) {
	case map[string]any:
		secret := t["type"] == string(godo.AppVariableType_Secret)
		for k, x := range t {
			if (k == "value" && secret) || k == "registry_credentials" {
				x = dobot.Masked
			}
			walk(join(k), x, out)
		}
	case []any:
		for i, x := range t {
			walk(join(elementName(x, i)), x, out)
		}
	case nil:
	default:
		b, _ := json.Marshal(t)
		out[path] = strings.Trim(string(b), `"`)
	}
}

// elementName is how a list element is named in a path: its identity
// field, else its position.
func elementName(x any, i int) string {
	if m, ok := x.(map[string]any); ok {
		for _, k := range identity {
			if s, ok := m[k].(string); ok && s != "" {
				return s
			}
		}
	}
	return fmt.Sprint(i)
}

// Plan is what a change to an app does, for the card before it runs:
// the spec changes and the monthly cost before and after, in cents.
type Plan struct {
	Changes                 []Change
	BeforeCents, AfterCents int64
}

// PlanChange diffs old and new and prices both.
func PlanChange(ctx context.Context, prices *Prices, old, new *godo.AppSpec) (Plan, error) {
	p := Plan{Changes: SpecDiff(old, new)}
	var err error
	if _, p.BeforeCents, err = SpecCost(ctx, prices, old); err != nil {
		return Plan{}, err
	}
	if _, p.AfterCents, err = SpecCost(ctx, prices, new); err != nil {
		return Plan{}, err
	}
	return p, nil
}

// Lines is the plan as text lines: one per change, then the cost line
// when the cost changes.
func (p Plan) Lines() []string {
	var out []string
	for _, c := range p.Changes {
		out = append(out, c.String())
	}
	if p.BeforeCents != p.AfterCents {
		out = append(out, fmt.Sprintf("cost: $%d.%02d/month → $%d.%02d/month",
			p.BeforeCents/100, p.BeforeCents%100, p.AfterCents/100, p.AfterCents%100))
	}
	return out
}

// SpecHash is a stable hash of spec, "sha256:…", for binding an approval
// to what was approved: the same spec always hashes the same, and any
// change (a secret's sealed value included) changes it. It reveals
// nothing of the values.
func SpecHash(spec *godo.AppSpec) string {
	if spec == nil {
		return ""
	}
	raw, err := json.Marshal(spec)
	if err != nil {
		return ""
	}
	// Round-trip through a generic value: encoding/json writes map keys
	// sorted, so the text does not depend on godo's field order.
	var tree any
	if json.Unmarshal(raw, &tree) != nil {
		return ""
	}
	canon, _ := json.Marshal(tree)
	sum := sha256.Sum256(canon)
	return "sha256:" + hex.EncodeToString(sum[:])
}

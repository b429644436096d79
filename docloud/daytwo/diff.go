package daytwo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"dobot/docloud"

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
// changed secret shows as "••• → •••". A component, variable, domain or
// route added or removed as a whole is one change at its path.
func SpecDiff(old, new *godo.AppSpec) []Change {
	a, b := flatten(old), flatten(new)
	var out []Change
	grouped := map[string]bool{}
	for p, va := range a.leaves {
		vb, ok := b.leaves[p]
		switch {
		case ok && va.raw != vb.raw:
			out = append(out, Change{Op: '~', Path: p, From: va.shown, To: vb.shown})
		case !ok:
			if root := a.wholeRoot(p, b); root != "" {
				if !grouped["-"+root] {
					grouped["-"+root] = true
					out = append(out, Change{Op: '-', Path: root, From: "removed"})
				}
				continue
			}
			out = append(out, Change{Op: '-', Path: p, From: va.shown})
		}
	}
	for p, vb := range b.leaves {
		if _, ok := a.leaves[p]; ok {
			continue
		}
		if root := b.wholeRoot(p, a); root != "" {
			if !grouped["+"+root] {
				grouped["+"+root] = true
				out = append(out, Change{Op: '+', Path: root, To: "added"})
			}
			continue
		}
		out = append(out, Change{Op: '+', Path: p, To: vb.shown})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// leaf is one value of a spec: raw to compare, shown to display (masked
// for secrets).
type leaf struct{ raw, shown string }

// flat is a spec as leaves by path, and the paths of its list elements.
type flat struct {
	leaves map[string]leaf
	elems  map[string]bool
}

// wholeRoot is the outermost list element above p (p's own element
// included) that other does not have at all, or "": the element was added
// or removed as a whole.
func (f flat) wholeRoot(p string, other flat) string {
	parts := strings.Split(p, ".")
	for i := 1; i <= len(parts); i++ {
		prefix := strings.Join(parts[:i], ".")
		if f.elems[prefix] && !other.elems[prefix] {
			return prefix
		}
	}
	return ""
}

// flatten maps every leaf of spec to its value, by path; list elements are
// named by their identity field.
func flatten(spec *godo.AppSpec) flat {
	out := flat{leaves: map[string]leaf{}, elems: map[string]bool{}}
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
	walk("", tree, false, out)
	return out
}

func walk(path string, v any, secret bool, out flat) {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch t := v.(type) {
	case map[string]any:
		isSecret := t["type"] == string(godo.AppVariableType_Secret)
		for k, x := range t {
			walk(join(k), x, (k == "value" && isSecret) || k == "registry_credentials", out)
		}
	case []any:
		for i, x := range t {
			p := join(elementName(x, i))
			out.elems[p] = true
			walk(p, x, false, out)
		}
	case nil:
	default:
		b, _ := json.Marshal(t)
		l := leaf{raw: strings.Trim(string(b), `"`)}
		l.shown = l.raw
		if secret {
			l.shown = dobot.Masked
		}
		out.leaves[path] = l
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
func PlanChange(ctx context.Context, prices *docloud.Prices, old, new *godo.AppSpec) (Plan, error) {
	p := Plan{Changes: SpecDiff(old, new)}
	var err error
	if _, p.BeforeCents, err = docloud.SpecCost(ctx, prices, old); err != nil {
		return Plan{}, err
	}
	if _, p.AfterCents, err = docloud.SpecCost(ctx, prices, new); err != nil {
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

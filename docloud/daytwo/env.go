package daytwo

import (
	"fmt"
	"slices"

	"dobot/docloud"

	"github.com/digitalocean/godo"
)

// EnvVar is one variable of an app as people may see it: where it is, its
// key, scope and type, and never its value.
type EnvVar struct {
	Component string // "" for app-wide
	Key       string
	Scope     godo.AppVariableScope
	Type      godo.AppVariableType // GENERAL or SECRET
}

// envLists are the spec's variable lists by component ("" = app-wide).
func envLists(spec *godo.AppSpec) []struct {
	comp string
	list *[]*godo.AppVariableDefinition
} {
	type l = struct {
		comp string
		list *[]*godo.AppVariableDefinition
	}
	out := []l{{"", &spec.Envs}}
	for _, c := range spec.Services {
		out = append(out, l{c.Name, &c.Envs})
	}
	for _, c := range spec.Workers {
		out = append(out, l{c.Name, &c.Envs})
	}
	for _, c := range spec.Jobs {
		out = append(out, l{c.Name, &c.Envs})
	}
	for _, c := range spec.StaticSites {
		out = append(out, l{c.Name, &c.Envs})
	}
	return out
}

// EnvList lists spec's variables, app-wide first, with their types and no
// values.
func EnvList(spec *godo.AppSpec) []EnvVar {
	if spec == nil {
		return nil
	}
	var out []EnvVar
	for _, l := range envLists(spec) {
		for _, v := range *l.list {
			if v == nil {
				continue
			}
			typ := v.Type
			if typ == "" {
				typ = godo.AppVariableType_General
			}
			out = append(out, EnvVar{Component: l.comp, Key: v.Key, Scope: v.Scope, Type: typ})
		}
	}
	return out
}

// EnvSet copies spec with KEY=value set: where KEY already is (every
// place, or only in component when one is named), else app-wide (or in
// component). secret sends it as SECRET; a variable that is SECRET stays
// SECRET, so a new value is never sent in the clear by mistake. Every
// other variable is kept as
// it came, so SECRET values stay the EV[…] text App Platform served,
// which it reads as "keep this secret".
func EnvSet(spec *godo.AppSpec, component, key, value string, secret bool) (*godo.AppSpec, error) {
	out := docloud.CopySpec(spec)
	if out == nil {
		return nil, fmt.Errorf("env set: the app has no spec")
	}
	if key == "" {
		return nil, fmt.Errorf("env set: the key is empty")
	}
	lists, err := envTargets(out, component)
	if err != nil {
		return nil, err
	}
	typ := godo.AppVariableType_General
	if secret {
		typ = godo.AppVariableType_Secret
	}
	set := false
	for _, list := range lists {
		for _, v := range *list {
			if v != nil && v.Key == key {
				v.Value, set = value, true
				if v.Type != godo.AppVariableType_Secret {
					v.Type = typ
				}
			}
		}
	}
	if !set {
		*lists[0] = append(*lists[0], &godo.AppVariableDefinition{Key: key, Value: value, Type: typ, Scope: godo.AppVariableScope_RunAndBuildTime})
	}
	return out, nil
}

// EnvUnset copies spec without KEY (everywhere, or only in component). It
// reports whether KEY was there; the rest, sealed secrets included, is kept
// as it came.
func EnvUnset(spec *godo.AppSpec, component, key string) (*godo.AppSpec, bool, error) {
	out := docloud.CopySpec(spec)
	if out == nil {
		return nil, false, fmt.Errorf("env unset: the app has no spec")
	}
	lists, err := envTargets(out, component)
	if err != nil {
		return nil, false, err
	}
	found := false
	for _, list := range lists {
		n := len(*list)
		*list = slices.DeleteFunc(*list, func(v *godo.AppVariableDefinition) bool { return v != nil && v.Key == key })
		found = found || len(*list) != n
	}
	return out, found, nil
}

// envTargets are the lists a change applies to: every list, app-wide
// first, or the named component's alone.
func envTargets(spec *godo.AppSpec, component string) ([]*[]*godo.AppVariableDefinition, error) {
	var out []*[]*godo.AppVariableDefinition
	var names []string
	for _, l := range envLists(spec) {
		if l.comp != "" {
			names = append(names, l.comp)
		}
		if component == "" || l.comp == component {
			out = append(out, l.list)
		}
	}
	if component != "" && len(out) == 0 {
		return nil, &ComponentError{Want: component, Known: names}
	}
	return out, nil
}

package docloud

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/digitalocean/godo"

	"dobot"
)

// Service is what a launch runs on App Platform: one service, named Name,
// running Ref pinned to Digest, with Env in its environment.
type Service struct {
	Name, Region string
	Ref          dobot.ImageRef
	Digest       string // from the pre-flight check; "" keeps the tag
	Size         string
	Instances    int
	Port         int // 0: AppPlatformPort
	Env          [][2]string
	// Secret says which keys are sent as SECRET.
	Secret func(key string) bool
}

// AppSpec is the App Platform spec for s: one service running the image,
// pinned to its digest, with http_port always given so App Platform checks
// the port the image listens on.
func AppSpec(s Service) *godo.AppSpec {
	port := s.Port
	if port == 0 {
		port = AppPlatformPort
	}
	svc := &godo.AppServiceSpec{
		Name:             s.Name,
		Image:            PinnedImage(s.Ref, s.Digest),
		InstanceSizeSlug: s.Size,
		InstanceCount:    int64(s.Instances),
		HTTPPort:         int64(port),
	}
	for _, kv := range s.Env {
		typ := godo.AppVariableType_General
		if s.Secret != nil && s.Secret(kv[0]) {
			typ = godo.AppVariableType_Secret
		}
		svc.Envs = append(svc.Envs, &godo.AppVariableDefinition{
			Key: kv[0], Value: kv[1], Scope: godo.AppVariableScope_RunTime, Type: typ,
		})
	}
	return &godo.AppSpec{Name: s.Name, Region: s.Region, Services: []*godo.AppServiceSpec{svc}}
}

// ForEachEnv calls fn on every variable in spec, app-wide and in every
// component.
func ForEachEnv(spec *godo.AppSpec, fn func(*godo.AppVariableDefinition)) {
	if spec == nil {
		return
	}
	lists := [][]*godo.AppVariableDefinition{spec.Envs}
	_ = godo.ForEachAppSpecComponent(spec, func(c godo.AppBuildableComponentSpec) error {
		lists = append(lists, c.GetEnvs())
		return nil
	})
	for _, l := range lists {
		for _, v := range l {
			if v != nil {
				fn(v)
			}
		}
	}
}

// CopySpec deep-copies spec.
func CopySpec(spec *godo.AppSpec) *godo.AppSpec {
	if spec == nil {
		return nil
	}
	raw, err := json.Marshal(spec)
	if err != nil {
		return nil
	}
	var out godo.AppSpec
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil
	}
	return &out
}

// MaskedSpec is spec as people may see it: every variable keeps its key,
// scope and type, and no value; registry credentials show as masked.
func MaskedSpec(spec *godo.AppSpec) *godo.AppSpec {
	out := CopySpec(spec)
	ForEachEnv(out, func(v *godo.AppVariableDefinition) {
		if v.Value != "" {
			v.Value = dobot.Masked
		}
	})
	if out == nil {
		return nil
	}
	// Registry credentials are secrets too, sealed or not.
	var images []*godo.ImageSourceSpec
	for _, c := range out.Services {
		images = append(images, c.Image)
	}
	for _, c := range out.Workers {
		images = append(images, c.Image)
	}
	for _, c := range out.Jobs {
		images = append(images, c.Image)
	}
	for _, img := range images {
		if img != nil && img.RegistryCredentials != "" {
			img.RegistryCredentials = dobot.Masked
		}
	}
	return out
}

// IsSealed reports whether v is a value App Platform has already
// encrypted: it serves SECRET values as EV[1:…:…] and keeps the secret
// when the same text comes back in an update.
func IsSealed(v string) bool { return strings.HasPrefix(v, "EV[") }

// ScrubSpec blanks every SECRET value in spec that is not sealed yet. It
// reports whether it changed anything.
func ScrubSpec(spec *godo.AppSpec) bool {
	changed := false
	ForEachEnv(spec, func(v *godo.AppVariableDefinition) {
		if v.Type == godo.AppVariableType_Secret && v.Value != "" && !IsSealed(v.Value) {
			v.Value, changed = "", true
		}
	})
	return changed
}

// WithImage copies spec with the image of its image services replaced by
// ref, pinned to the checked digest; nil when no service runs an image. A
// service keeps its http_port unless the new image exposes ports and none
// of them is that port: then the launch rule picks the port, and note says
// so for the card. Encrypted credentials of the old spec are kept only for
// the same registry; the bot's own are filled in when the update is sent.
func WithImage(spec *godo.AppSpec, ref dobot.ImageRef, pf Preflight) (out *godo.AppSpec, note string) {
	if spec == nil {
		return nil, ""
	}
	raw, err := json.Marshal(spec)
	if err != nil {
		return nil, ""
	}
	var copied godo.AppSpec
	if err := json.Unmarshal(raw, &copied); err != nil {
		return nil, ""
	}
	changed := false
	for _, svc := range copied.Services {
		if svc.Image == nil {
			continue
		}
		img := PinnedImage(ref, pf.Digest)
		if svc.Image.RegistryType == img.RegistryType && svc.Image.Registry == img.Registry {
			img.RegistryCredentials = svc.Image.RegistryCredentials
		}
		svc.Image = img
		changed = true
		switch {
		case svc.HTTPPort == 0:
			svc.HTTPPort = int64(pf.Port)
			note = pf.PortText()
		case pf.PortFrom == "from the image" || strings.HasPrefix(pf.PortFrom, "the lowest"):
			if int64(pf.Port) != svc.HTTPPort && !pf.Exposes(int(svc.HTTPPort)) {
				note = fmt.Sprintf("%d (was %d; %s)", pf.Port, svc.HTTPPort, pf.PortFrom)
				svc.HTTPPort = int64(pf.Port)
			}
		}
	}
	if !changed {
		return nil, ""
	}
	return &copied, note
}

// WithEnv copies spec with the variables env set on every service (or
// app-wide when it has none), replacing variables of the same key. It
// returns nil when spec is nil.
func WithEnv(spec *godo.AppSpec, env [][2]string, secret func(string) bool) *godo.AppSpec {
	out := CopySpec(spec)
	if out == nil {
		return nil
	}
	set := func(list []*godo.AppVariableDefinition) []*godo.AppVariableDefinition {
		for _, kv := range env {
			v := &godo.AppVariableDefinition{Key: kv[0], Value: kv[1], Scope: godo.AppVariableScope_RunTime, Type: godo.AppVariableType_General}
			if secret(kv[0]) {
				v.Type = godo.AppVariableType_Secret
			}
			replaced := false
			for i, old := range list {
				if old != nil && old.Key == kv[0] {
					if old.Scope != "" {
						v.Scope = old.Scope
					}
					list[i], replaced = v, true
				}
			}
			if !replaced {
				list = append(list, v)
			}
		}
		return list
	}
	if len(out.Services) == 0 {
		out.Envs = set(out.Envs)
		return out
	}
	for _, svc := range out.Services {
		svc.Envs = set(svc.Envs)
	}
	return out
}

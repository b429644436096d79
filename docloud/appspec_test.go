package docloud_test

import (
	"strings"
	"testing"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/docloud"
)

func TestAppSpecPinsAndTypesVariables(t *testing.T) {
	const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	spec := docloud.AppSpec(docloud.Service{Name: "web", Region: "nyc", Ref: mustRef(t, "nginx:1.27"), Digest: digest,
		Env: [][2]string{{"MODE", "prod"}, {"API_KEY", "k"}}, Secret: func(k string) bool { return k == "API_KEY" }})
	if spec.Name != "web" || spec.Region != "nyc" || len(spec.Services) != 1 {
		t.Fatalf("AppSpec = %+v; want one service web in nyc", spec)
	}
	svc := spec.Services[0]
	if svc.HTTPPort != docloud.AppPlatformPort || svc.Image.Digest != digest || svc.Image.Tag != "" {
		t.Errorf("service = port %d, image %+v; want port 8080 and the digest instead of the tag", svc.HTTPPort, svc.Image)
	}
	if len(svc.Envs) != 2 || svc.Envs[0].Type != godo.AppVariableType_General || svc.Envs[1].Type != godo.AppVariableType_Secret {
		t.Errorf("envs = %+v; want MODE general and API_KEY secret", svc.Envs)
	}
}

func TestMaskedSpecHidesValuesAndCredentials(t *testing.T) {
	spec := &godo.AppSpec{Envs: []*godo.AppVariableDefinition{{Key: "A", Value: "1"}},
		Services: []*godo.AppServiceSpec{{Name: "web", Image: &godo.ImageSourceSpec{RegistryCredentials: "u:p"},
			Envs: []*godo.AppVariableDefinition{{Key: "DB_PASSWORD", Value: "hunter2", Type: godo.AppVariableType_Secret}, {Key: "EMPTY"}}}}}
	out := docloud.MaskedSpec(spec)
	if out.Envs[0].Value != dobot.Masked || out.Services[0].Envs[0].Value != dobot.Masked || out.Services[0].Envs[1].Value != "" {
		t.Errorf("MaskedSpec values = %q %q %q; want masked, masked, empty", out.Envs[0].Value, out.Services[0].Envs[0].Value, out.Services[0].Envs[1].Value)
	}
	if out.Services[0].Image.RegistryCredentials != dobot.Masked {
		t.Errorf("MaskedSpec credentials = %q; want masked", out.Services[0].Image.RegistryCredentials)
	}
	if spec.Services[0].Envs[0].Value != "hunter2" || spec.Services[0].Image.RegistryCredentials != "u:p" {
		t.Error("MaskedSpec changed the spec it was given")
	}
}

func TestScrubSpecKeepsSealedValues(t *testing.T) {
	spec := &godo.AppSpec{Services: []*godo.AppServiceSpec{{Name: "web", Envs: []*godo.AppVariableDefinition{
		{Key: "NEW", Value: "plain", Type: godo.AppVariableType_Secret},
		{Key: "OLD", Value: "EV[1:abc:def]", Type: godo.AppVariableType_Secret},
		{Key: "MODE", Value: "prod"},
	}}}}
	if !docloud.ScrubSpec(spec) {
		t.Fatal("ScrubSpec changed nothing; want the unsealed secret blanked")
	}
	envs := spec.Services[0].Envs
	if envs[0].Value != "" || envs[1].Value != "EV[1:abc:def]" || envs[2].Value != "prod" {
		t.Errorf("after ScrubSpec = %q %q %q; want \"\", the sealed value, prod", envs[0].Value, envs[1].Value, envs[2].Value)
	}
	if docloud.ScrubSpec(spec) {
		t.Error("ScrubSpec twice changed something the second time")
	}
}

func TestWithEnvReplacesKeepingScope(t *testing.T) {
	spec := &godo.AppSpec{Services: []*godo.AppServiceSpec{{Name: "web", Envs: []*godo.AppVariableDefinition{
		{Key: "MODE", Value: "dev", Scope: godo.AppVariableScope_RunAndBuildTime}}}}}
	out := docloud.WithEnv(spec, [][2]string{{"MODE", "prod"}, {"TOKEN", "t"}}, func(k string) bool { return k == "TOKEN" })
	envs := out.Services[0].Envs
	if len(envs) != 2 || envs[0].Value != "prod" || envs[0].Scope != godo.AppVariableScope_RunAndBuildTime || envs[1].Type != godo.AppVariableType_Secret {
		t.Errorf("WithEnv = %+v %+v; want MODE=prod keeping its scope, TOKEN secret", envs[0], envs[len(envs)-1])
	}
	if spec.Services[0].Envs[0].Value != "dev" {
		t.Error("WithEnv changed the spec it was given")
	}
	appWide := docloud.WithEnv(&godo.AppSpec{Name: "x"}, [][2]string{{"A", "1"}}, func(string) bool { return false })
	if len(appWide.Envs) != 1 {
		t.Errorf("WithEnv on a spec without services = %+v; want the variable app-wide", appWide.Envs)
	}
	if docloud.WithEnv(nil, nil, nil) != nil {
		t.Error("WithEnv(nil) is not nil")
	}
}

func TestWithImageSetsPortFromTheImage(t *testing.T) {
	spec := &godo.AppSpec{Services: []*godo.AppServiceSpec{{Name: "web", HTTPPort: 8080,
		Image: &godo.ImageSourceSpec{RegistryType: godo.ImageSourceSpecRegistryType_Ghcr, Registry: "acme", Repository: "web", Tag: "1", RegistryCredentials: "EV[sealed]"}}}}
	pf := docloud.Preflight{Port: 80, PortFrom: "from the image", Exposed: []int{80}}
	out, note := docloud.WithImage(spec, mustRef(t, "ghcr.io/acme/web:2"), pf)
	img := out.Services[0].Image
	if img.Tag != "2" || img.RegistryCredentials != "EV[sealed]" || out.Services[0].HTTPPort != 80 {
		t.Errorf("WithImage = %+v port %d; want tag 2, the same registry's credentials kept, port 80", img, out.Services[0].HTTPPort)
	}
	if want := "80 (was 8080; from the image)"; note != want {
		t.Errorf("WithImage note = %q; want %q", note, want)
	}
	if spec.Services[0].Image.Tag != "1" {
		t.Error("WithImage changed the spec it was given")
	}
}

// Every variable of a spec is visited once, wherever it is declared: the
// masking and sealing of secrets relies on it.
func TestForEachEnvVisitsEveryComponent(t *testing.T) {
	env := func(k string) []*godo.AppVariableDefinition { return []*godo.AppVariableDefinition{{Key: k}, nil} }
	spec := &godo.AppSpec{
		Envs:        env("APP"),
		Services:    []*godo.AppServiceSpec{{Name: "s", Envs: env("SERVICE")}},
		Workers:     []*godo.AppWorkerSpec{{Name: "w", Envs: env("WORKER")}},
		Jobs:        []*godo.AppJobSpec{{Name: "j", Envs: env("JOB")}},
		StaticSites: []*godo.AppStaticSiteSpec{{Name: "st", Envs: env("SITE")}},
		Functions:   []*godo.AppFunctionsSpec{{Name: "f", Envs: env("FUNCTION")}},
		Databases:   []*godo.AppDatabaseSpec{{Name: "db"}},
	}
	var got []string
	docloud.ForEachEnv(spec, func(v *godo.AppVariableDefinition) { got = append(got, v.Key) })
	want := []string{"APP", "SERVICE", "WORKER", "JOB", "SITE", "FUNCTION"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("visited %v; want %v, each once", got, want)
	}
	docloud.ForEachEnv(nil, func(*godo.AppVariableDefinition) { t.Error("visited a variable of a nil spec") })
}

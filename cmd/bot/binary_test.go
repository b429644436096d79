package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBinaryLinksNoTestCode builds the bot as the Dockerfile does and checks
// that neither its module list nor its symbols carry the test servers'
// dependencies: the console's simulator is internal/dosim, and the OpenAPI
// checks live only in internal/dotest.
func TestBinaryLinksNoTestCode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "bot")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	forbidden := []string{"github.com/getkin/kin-openapi", "github.com/gorilla/mux", "dobot/internal/dotest"}

	out, err := exec.Command("go", "version", "-m", bin).CombinedOutput()
	if err != nil {
		t.Fatalf("go version -m: %v\n%s", err, out)
	}
	for _, mod := range forbidden {
		if strings.Contains(string(out), mod) {
			t.Errorf("go version -m lists %s:\n%s", mod, out)
		}
	}

	out, err = exec.Command("go", "tool", "nm", bin).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	symbols := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		name := f[len(f)-1]
		for _, pkg := range append(forbidden, "testing") {
			if strings.HasPrefix(name, pkg+".") || strings.HasPrefix(name, pkg+"/") {
				symbols[pkg] = name
			}
		}
	}
	for pkg, sym := range symbols {
		t.Errorf("the binary links %s (symbol %s)", pkg, sym)
	}
}

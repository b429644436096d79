package main

import (
	"strings"
	"testing"
)

// The console runs the day-two commands on the simulated DigitalOcean:
// scale with its plan and costs, restart, env set, list and unset, and a
// domain followed until its certificate is issued.
func TestConsoleDayTwo(t *testing.T) {
	out := consoleOutput(t,
		"/do launch demo --image nginx", "/wait 3s",
		"/do scale demo --instances 2 --size apps-s-1vcpu-1gb", "/wait 3s",
		"/do restart demo", "/wait 3s",
		"/do env set demo API_TOKEN=console-secret-1", "/wait 3s",
		"/do env demo",
		"/do env unset demo API_TOKEN", "/wait 3s",
		"/do domains add demo shop.example.com", "/wait 3s",
		"/do domains demo",
	)
	for _, want := range []string{
		"$5.00/month → $24.00/month",
		"demo is scaled",
		"demo restarted",
		"API_TOKEN` — secret",
		"The variables of demo are changed",
		"shop.example.com is active, with its certificate",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Piped input is echoed after the prompt; nothing else shows the value.
	var shown []string
	for _, line := range strings.Split(out, "\n") {
		if !strings.Contains(line, "ULOCAL> /do ") {
			shown = append(shown, line)
		}
	}
	if strings.Contains(strings.Join(shown, "\n"), "console-secret-1") {
		t.Errorf("the console shows the secret's value:\n%s", out)
	}
}

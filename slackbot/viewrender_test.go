package slackbot

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"dobot/chat"
	"dobot/chatview"
	"dobot/internal/golden"
	"dobot/internal/slacktest"
)

var updateGolden = flag.Bool("update", false, "rewrite the view golden files in testdata/views")

// homeForApprover is a Home tab with every part a home page has.
func homeForApprover() chatview.Home {
	return chatview.Home{Sections: []chatview.Section{
		{Title: "Your apps", Text: "2 apps · $17.00 this month",
			Lines: []chatview.Line{
				{Text: "*web* · live · " + chat.Link("https://web-abc12.ondigitalocean.app", "web-abc12.ondigitalocean.app") + " · $12/month · TTL 3d",
					Buttons: []chatview.Button{{ActionID: "status", Label: "Status", Value: "web"}}},
				{Text: "*api* · building (2/6 steps) · $5/month", Buttons: []chatview.Button{
					{ActionID: "status", Label: "Status", Value: "api"}, {ActionID: "cancel", Label: "Cancel", Value: "op:14", Style: "danger"}}},
			},
			Buttons: []chatview.Button{{ActionID: "launch.form", Label: "Launch an app", Style: "primary"}}},
		{Title: "Waiting for you", Lines: []chatview.Line{{Text: "Request #12 · teardown of *db* by " + chat.Mention("U0DEV") + " · expires in 40m", Buttons: []chatview.Button{
			{ActionID: "approve", Label: "Approve", Value: "12", Style: "primary"}, {ActionID: "deny", Label: "Deny", Value: "12", Style: "danger"}}}}},
		{Title: "Spend this month", Text: chat.Clean("<!channel> ") + chat.Mention("U0ANA") + " $17.00 · " + chat.Mention("U0RAJ") + " $5.00 · total $22.00"},
	}}
}

// TestViewGolden holds the Block Kit JSON of each kind of view in
// testdata/views, so a change to what people see shows up in review, and
// checks each against slacktest's copy of Slack's view rules. Regenerate
// with `go test ./slackbot -run TestViewGolden -update`.
func TestViewGolden(t *testing.T) {
	launch, err := FormView(launchForm())
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		view any
		typ  string
	}{
		"form-launch":   {launch, "modal"},
		"form-notice":   {noticeView(slowTitle, slowText), "modal"},
		"home-approver": {HomeView(homeForApprover()), "home"},
		"home-empty":    {HomeView(chatview.Home{}), "home"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := json.MarshalIndent(c.view, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			if problems := slacktest.CheckView(got, c.typ); len(problems) > 0 {
				t.Errorf("Slack would refuse the %s view: %q", name, problems)
			}
			got = append(got, '\n')
			golden.Check(t, filepath.Join("testdata", "views", name+".json"), "view "+name, got, *updateGolden)
		})
	}
}

func TestFormViewRefusesWhatCannotBeClipped(t *testing.T) {
	opts := func(n int) []chatview.Option {
		out := make([]chatview.Option, n)
		for i := range out {
			out[i] = chatview.Option{Value: fmt.Sprintf("o%d", i), Label: "x"}
		}
		return out
	}
	tests := []struct {
		name   string
		change func(*chatview.Form)
	}{
		{"no form id", func(f *chatview.Form) { f.ID = "" }},
		{"metadata over 3000", func(f *chatview.Form) { f.Metadata = strings.Repeat("m", 3001) }},
		{"field without id", func(f *chatview.Form) { f.Fields[0].ID = "" }},
		{"two fields one id", func(f *chatview.Form) { f.Fields[1].ID = f.Fields[0].ID }},
		{"101 options", func(f *chatview.Form) { f.Fields[1].Options = opts(101) }},
		{"no options", func(f *chatview.Form) { f.Fields[1].Options = nil }},
		{"option value over 150", func(f *chatview.Form) { f.Fields[1].Options[0].Value = strings.Repeat("v", 151) }},
		{"unknown kind", func(f *chatview.Form) { f.Fields[0].Kind = "date" }},
		{"100 fields and an intro", func(f *chatview.Form) {
			f.Fields = nil
			for i := range 100 {
				f.Fields = append(f.Fields, chatview.Field{ID: fmt.Sprint("f", i), Label: "F"})
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := launchForm()
			tt.change(&f)
			if _, err := FormView(f); !errors.Is(err, ErrBadForm) {
				t.Errorf("FormView(%s) = %v; want ErrBadForm", tt.name, err)
			}
		})
	}
}

func TestFormViewClipsTexts(t *testing.T) {
	f := launchForm()
	f.Title, f.Submit = strings.Repeat("T", 40), strings.Repeat("S", 40)
	f.Fields[0].Label, f.Fields[0].Hint, f.Fields[0].Placeholder = strings.Repeat("L", 2100), strings.Repeat("H", 2100), strings.Repeat("P", 200)
	f.Fields[0].Initial, f.Fields[0].MaxLength = strings.Repeat("i", 40), 32
	f.Fields[1].Options[0].Label = strings.Repeat("o", 100)
	f.Fields[2].Initial = "two" // not a number: left out
	f.Fields[3].Label = "Env for " + chat.Mention("U0ANA")
	v, err := FormView(f)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(v)
	if problems := slacktest.CheckView(raw, "modal"); len(problems) > 0 {
		t.Errorf("Slack would refuse the clipped form: %q", problems)
	}
	if !strings.Contains(string(raw), `"text":"Env for @U0ANA"`) {
		t.Errorf("a mention in a plain-text label is not shown as @U0ANA: %s", raw)
	}
	if strings.Contains(string(raw), `"initial_value":"two"`) || strings.Contains(string(raw), "never-shown") {
		t.Errorf("form carries an initial value it must not: %s", raw)
	}
}

func TestHomeViewKeepsWithin100Blocks(t *testing.T) {
	var lines []chatview.Line
	for i := range 150 {
		lines = append(lines, chatview.Line{Text: fmt.Sprintf("app %d", i), Buttons: []chatview.Button{
			{ActionID: "status", Label: "Status", Value: fmt.Sprint(i)}, {ActionID: "teardown", Label: "Tear down", Value: fmt.Sprint(i)}}})
	}
	v := HomeView(chatview.Home{Sections: []chatview.Section{{Title: "Your apps", Lines: lines}}})
	raw, _ := json.Marshal(v)
	if problems := slacktest.CheckView(raw, "home"); len(problems) > 0 {
		t.Fatalf("Slack would refuse the Home tab: %q", problems)
	}
	n := len(v.Blocks.BlockSet)
	last, _ := json.Marshal(v.Blocks.BlockSet[n-1])
	if n > 100 || !strings.Contains(string(last), "more not shown") {
		t.Errorf("%d blocks ending in %s; want at most 100, the last saying more are not shown", n, last)
	}
	// Whole lines are kept: each line's section has its buttons after it.
	if strings.Count(string(raw), `"type":"actions"`) != strings.Count(string(raw), `"text":"app `) {
		t.Error("a line lost its buttons")
	}
}

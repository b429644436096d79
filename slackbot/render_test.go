package slackbot

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"dobot/chat"
	"dobot/commands"
)

func TestChunksKeepLinesAndLimits(t *testing.T) {
	long := strings.Repeat("line of text\n", 600) // about 7,800 bytes
	parts := chunks(long, maxSectionText)
	if len(parts) < 3 {
		t.Fatalf("chunks(%d bytes) = %d parts; want at least 3", len(long), len(parts))
	}
	var joined strings.Builder
	for i, p := range parts {
		if len(p) > maxSectionText {
			t.Errorf("part %d has %d bytes; want at most %d", i, len(p), maxSectionText)
		}
		joined.WriteString(p)
		joined.WriteString("\n")
	}
	if strings.TrimRight(joined.String(), "\n") != strings.TrimRight(long, "\n") {
		t.Error("chunks lost or changed text")
	}
	// A run with no line break is cut on a rune boundary.
	runes := strings.Repeat("é", 2000)
	for _, p := range chunks(runes, maxSectionText) {
		if !strings.HasPrefix(p, "é") || strings.ContainsRune(p, '\uFFFD') {
			t.Errorf("chunk split a rune: %q…", p[:10])
		}
	}
}

func TestBlocksStayWithinSlackLimits(t *testing.T) {
	fields := make([]commands.Field, 15)
	for i := range fields {
		fields[i] = commands.Field{Label: "L", Value: strings.Repeat("v", 2500)}
	}
	m := commands.Message{Text: "t", Title: strings.Repeat("T", 200), Fields: fields, Body: strings.Repeat("b\n", 4000),
		Progress: &commands.Progress{Done: 9, Total: 6}, Buttons: []commands.Button{{ActionID: "a", Label: "A", Value: "1", Style: "primary"}}}
	blocks := Blocks(m)
	if len(blocks) > 50 {
		t.Fatalf("%d blocks; Slack takes at most 50", len(blocks))
	}
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	var decoded []struct {
		Type   string                  `json:"type"`
		Text   *struct{ Text string }  `json:"text"`
		Fields []struct{ Text string } `json:"fields"`
	}
	if err := json.Unmarshal(raw, &decoded); err != nil {
		t.Fatal(err)
	}
	for _, b := range decoded {
		if b.Type == "header" && len([]rune(b.Text.Text)) > maxHeaderText {
			t.Errorf("header has %d characters; want at most %d", len([]rune(b.Text.Text)), maxHeaderText)
		}
		if len(b.Fields) > maxFields {
			t.Errorf("section has %d fields; want at most %d", len(b.Fields), maxFields)
		}
		for _, f := range b.Fields {
			if len([]rune(f.Text)) > maxFieldText {
				t.Errorf("field has %d characters; want at most %d", len([]rune(f.Text)), maxFieldText)
			}
		}
		if b.Type == "section" && b.Text != nil && len(b.Text.Text) > maxSectionText {
			t.Errorf("section text has %d bytes; want at most %d", len(b.Text.Text), maxSectionText)
		}
	}
}

func TestHugeTextIsCutToFiftyBlocks(t *testing.T) {
	m := commands.Message{Text: strings.Repeat("x\n", 200000)}
	if n := len(Blocks(m)); n != maxBlocks {
		t.Errorf("Blocks(400 kB) = %d blocks; want exactly %d", n, maxBlocks)
	}
}

func TestMapErrorMarksChannelErrors(t *testing.T) {
	tests := []struct {
		err        error
		cannotPost bool
	}{
		{slack.SlackErrorResponse{Err: "not_in_channel"}, true},
		{slack.SlackErrorResponse{Err: "channel_not_found"}, true},
		{slack.SlackErrorResponse{Err: "is_archived"}, true},
		{slack.SlackErrorResponse{Err: "invalid_blocks"}, false},
		{&slack.RateLimitedError{}, false},
	}
	for _, tt := range tests {
		got := mapError(tt.err)
		if isCannot := errors.Is(got, chat.ErrCannotPost); isCannot != tt.cannotPost {
			t.Errorf("mapError(%v) = %v; cannot-post = %v, want %v", tt.err, got, isCannot, tt.cannotPost)
		}
	}
	if mapError(nil) != nil {
		t.Error("mapError(nil) != nil")
	}
}

func TestRecentSetForgetsOldestFirst(t *testing.T) {
	s := newRecentSet(2)
	if !s.add("a") || !s.add("b") || s.add("a") {
		t.Fatal("recentSet did not report first sightings")
	}
	s.add("c") // pushes out a
	if !s.add("a") {
		t.Error("recentSet still remembers a key past its size")
	}
}

package slackbot

import (
	"testing"

	"dobot/internal/slacktest"
)

// A long /do logs answer goes to the asker's direct messages: the snippet
// is uploaded into the DM that conversations.open gives, never into a
// channel or a thread.
func TestUploadDirectSendsTheSnippetToTheAskersDM(t *testing.T) {
	srv, chat, ctx, _ := postedMessage(t)
	if err := chat.UploadDirect(ctx, "U0ASKER", "web-build.log", "web build logs", "line 1\nline 2\n"); err != nil {
		t.Fatalf("UploadDirect = %v", err)
	}
	var uploads []slacktest.Message
	for _, m := range srv.Messages() {
		if m.Method == "files.completeUploadExternal" {
			uploads = append(uploads, m)
		}
	}
	if want := slacktest.DirectChannel("U0ASKER"); len(uploads) != 1 || uploads[0].Channel != want || uploads[0].ThreadTS != "" {
		t.Errorf("uploads = %+v; want one, into %s and no thread", uploads, want)
	}
}

package e2e

import (
	"strings"
	"testing"

	"dobot/internal/slacktest"
)

// permalinkOf is the link slacktest's chat.getPermalink gives for the
// message ts in the deploys channel.
func permalinkOf(ts string) string {
	return "https://" + slacktest.TeamDomain + ".slack.com/archives/" + channel + "/p" + strings.ReplaceAll(ts, ".", "")
}

// threadActivity is every message-like call in the thread of ts from the
// i-th recorded message on: replies, uploads, anything.
func (w *world) threadActivity(ts string, from int) []slacktest.Message {
	var out []slacktest.Message
	for _, m := range w.slack.Messages()[from:] {
		if m.ThreadTS == ts {
			out = append(out, m)
		}
	}
	return out
}

// Read-only commands answer the asker alone, where they typed, with a link
// to the launch thread; nothing is added to the launch thread.
func TestStatusAndLogsAnswerPrivatelyWithLaunchThreadLink(t *testing.T) {
	w := newWorld(t)
	head := w.launchLive("web", "nginx")
	from := len(w.slack.Messages())

	w.run(viewer, "status web")
	st := w.waitEphemeral(viewer, "web: ")
	if !strings.Contains(unescapeJSON(st.Blocks), permalinkOf(head.TS)) {
		t.Errorf("status answer = %s; want the launch thread's permalink %s", st.Blocks, permalinkOf(head.TS))
	}

	w.run(viewer, "status")
	all := w.waitEphemeral(viewer, "*web*")
	if !strings.Contains(all.Text, "<"+permalinkOf(head.TS)+"|launch thread>") {
		t.Errorf("status of all = %q; want a link to web's launch thread", all.Text)
	}

	w.run(viewer, "list")
	if l := w.waitEphemeral(viewer, "*Total:"); !strings.Contains(l.Text, "<"+permalinkOf(head.TS)+"|launch thread>") {
		t.Errorf("list = %q; want a link to web's launch thread", l.Text)
	}

	w.run(viewer, "logs web --type build --lines 20")
	lg := w.waitEphemeral(viewer, "web build logs, last 20 lines")
	blocks := unescapeJSON(lg.Blocks)
	for _, want := range []string{"```", "Pulling image", permalinkOf(head.TS)} {
		if !strings.Contains(blocks, want) {
			t.Errorf("logs answer lacks %q: %s", want, blocks)
		}
	}
	if got := w.threadActivity(head.TS, from); len(got) != 0 {
		t.Errorf("status and logs added to the launch thread:\n%s", dumpMessages(got))
	}
	for _, m := range w.slack.Messages()[from:] {
		if m.Method == "chat.postMessage" || m.Method == "files.completeUploadExternal" {
			t.Errorf("a read-only command posted publicly: %s", dumpMessages([]slacktest.Message{m}))
		}
		if m.Method == "chat.postEphemeral" && m.User != viewer {
			t.Errorf("answer shown to %s, not the asker %s", m.User, viewer)
		}
		if strings.Contains(m.Text, "Posted the") {
			t.Errorf("answer still points elsewhere: %q", m.Text)
		}
	}
}

// The other read-only commands answer the same way, each in the channel it
// was typed in and to the asker alone: history and an audit of one app
// link to the app's launch thread, ops and help name no app and carry no
// link, and none of them adds to the launch thread or posts publicly.
func TestHistoryAuditOpsAndHelpAnswerPrivately(t *testing.T) {
	w := newWorld(t)
	head := w.launchLive("web", "nginx")
	link := permalinkOf(head.TS)
	from := len(w.slack.Messages())
	tests := []struct {
		ch, user, cmd, answer string
		link                  bool
	}{
		{channel, viewer, "history web", "*History of web*", true},
		{"COTHER", approver, "audit --app web", "*Audit, newest first*", true},
		{channel, viewer, "ops", "Nothing is waiting for approval", false},
		{"COTHER", viewer, "help", "*Commands you can run*", false},
	}
	for _, tt := range tests {
		w.runIn(tt.ch, tt.user, tt.cmd)
		m := w.waitMessage("the answer to "+tt.cmd, func(m slacktestMessage) bool { return strings.Contains(m.Text, tt.answer) })
		private := m.Method == "chat.postEphemeral" && m.User == tt.user || m.Method == "response_url" && m.ResponseType != "in_channel"
		if !private || m.Channel != tt.ch {
			t.Errorf("%s: answered by %s in %s to %q (%s); want it privately to %s in %s", tt.cmd, m.Method, m.Channel, m.User, m.ResponseType, tt.user, tt.ch)
		}
		if got := strings.Contains(m.Text+unescapeJSON(m.Blocks), link); got != tt.link {
			t.Errorf("%s: answer has the launch thread's link %v; want %v: %s", tt.cmd, got, tt.link, m.Blocks)
		}
	}
	if got := w.threadActivity(head.TS, from); len(got) != 0 {
		t.Errorf("read-only commands added to the launch thread:\n%s", dumpMessages(got))
	}
	for _, m := range w.slack.Messages()[from:] {
		if m.Method == "chat.postMessage" || m.Method == "files.completeUploadExternal" || m.ResponseType == "in_channel" {
			t.Errorf("a read-only command posted publicly: %s", dumpMessages([]slacktest.Message{m}))
		}
	}
}

// Where the bot is not a member, the answer comes through the command's
// response_url, still with the link.
func TestStatusAnswersThroughResponseURLWhereBotIsNotMember(t *testing.T) {
	w := newWorld(t)
	head := w.launchLive("web", "nginx")
	w.slack.LeaveChannel("COTHER")
	w.runIn("COTHER", viewer, "status web")
	m := w.waitMessage("status through the response_url", func(m slacktestMessage) bool {
		return m.Method == "response_url" && strings.HasPrefix(m.Text, "web: ")
	})
	if m.ResponseType == "in_channel" || !strings.Contains(unescapeJSON(m.Blocks), permalinkOf(head.TS)) {
		t.Errorf("response = %s %s; want it ephemeral with the launch thread's link", m.ResponseType, m.Blocks)
	}
}

// A log too long for a private reply goes to the asker as a snippet in a
// direct message, with a one-line note where they asked; an empty log
// says so in words.
func TestLongLogsGoToDirectMessageAndEmptyLogsSaySo(t *testing.T) {
	w := newWorld(t)
	reason := "exit status 1: " + strings.Repeat("npm ERR! a very long line of build output ", 120)
	w.do.FailBuild("broken", reason)
	w.run(deployer, "launch bad --image acme/broken")
	bad := w.launchHead("bad")
	w.waitThread(bad.TS, "failed")
	w.waitMessage("failure log in the launch thread", func(m slacktestMessage) bool {
		return m.Method == "files.completeUploadExternal" && m.ThreadTS == bad.TS
	})
	from := len(w.slack.Messages())

	w.run(viewer, "logs bad --type build --lines 50")
	dm := w.waitMessage("log snippet in a direct message", func(m slacktestMessage) bool {
		return m.Method == "files.completeUploadExternal" && m.Channel == slacktest.DirectChannel(viewer)
	})
	if dm.ThreadTS != "" {
		t.Errorf("direct snippet in thread %q", dm.ThreadTS)
	}
	note := w.waitEphemeral(viewer, "direct messages")
	if strings.Count(strings.TrimSpace(note.Text), "\n") != 0 || !strings.Contains(unescapeJSON(note.Blocks), permalinkOf(bad.TS)) {
		t.Errorf("note = %q %s; want one line with the launch thread's link", note.Text, note.Blocks)
	}
	var uploaded bool
	for _, c := range w.slack.Calls() {
		if c.Method == "upload" && strings.Contains(string(c.Content), "npm ERR! a very long line") {
			uploaded = true
		}
	}
	if !uploaded {
		t.Errorf("no uploaded file holds the build log")
	}

	w.run(viewer, "logs bad --type run")
	w.waitEphemeral(viewer, "is empty")
	for _, m := range w.slack.Messages()[from:] {
		if m.Method == "files.completeUploadExternal" && m.Channel != slacktest.DirectChannel(viewer) || m.Method == "chat.postMessage" {
			t.Errorf("logs posted publicly: %s", dumpMessages([]slacktest.Message{m}))
		}
	}
	if n := len(w.threadActivity(bad.TS, from)); n != 0 {
		t.Errorf("logs added %d messages to the launch thread", n)
	}
}

// --help on a command shows its help, and a mistyped command gets a
// suggestion, both to the asker alone.
func TestHelpFlagAndDidYouMean(t *testing.T) {
	w := newWorld(t)
	w.run(viewer, "launch —help")
	w.waitEphemeral(viewer, "/do launch [NAME]")
	w.run(viewer, "lauch web")
	w.waitEphemeral(viewer, "Did you mean `/do launch`?")
	w.run(deployer, "launch web —image nginx —image httpd")
	w.waitEphemeral(deployer, "--image was given twice")
	w.run(viewer, "logs Bad_Name")
	w.waitEphemeral(viewer, "logs: bad app name")
}

package auditview

import (
	"fmt"
	"regexp"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
)

// ChannelLine is a row as the audit channel shows it, led by the row's id
// and hash prefix ("#1234 · 3f9a1c2b"): the channel then holds a copy of
// the chain outside the database, and `bot audit verify --head` checks the
// database against its latest line.
func ChannelLine(e dobot.AuditEntry) string {
	return "`" + e.Ref() + "` " + MirrorLine(e)
}

// MirrorLine is the audit channel's line for a row, without its ref. A
// refused command shows only who tried which command: its text and error
// may be anything a person with no role typed, and never reach the
// channel verbatim.
func MirrorLine(e dobot.AuditEntry) string {
	if e.Decision != "refused" {
		return Line(e)
	}
	action := e.Action
	if !actionPattern.MatchString(action) {
		action = "a command"
	}
	target := ""
	if dobot.IsAppName(e.Target) {
		target = " on *" + e.Target + "*"
	}
	why := ""
	if outcomeWords.MatchString(e.Outcome) { // the bot's own words: "not permitted", "bad input"
		why = ": " + e.Outcome
	}
	return fmt.Sprintf("`%s` %s tried `%s`%s (refused%s)", e.Time.UTC().Format("2006-01-02 15:04:05"), chat.Mention(e.UserID), action, target, why)
}

var outcomeWords = regexp.MustCompile(`^[a-z][a-z ]{0,29}$`)

// FormOpened is the outcome of a launch form's opening: no change yet.
const FormOpened = "form opened"

// WorthMirroring picks the rows the audit channel shows: every change and
// every decision, but not reads, the "started" half of a command or a
// form's opening.
func WorthMirroring(e dobot.AuditEntry) bool {
	if e.Outcome == "started" || e.Outcome == FormOpened {
		return false // the change, if any, has a row of its own
	}
	switch e.Decision {
	case "approved", "denied", "expired", "pending":
		return true
	}
	if strings.HasPrefix(e.Action, "do.") || strings.HasPrefix(e.Action, "approval.") || strings.HasPrefix(e.Action, "policy") {
		return true
	}
	switch e.Action {
	case deploy.ActionLaunch, deploy.ActionTeardown, "grant", "revoke", "cancel", "lock", "unlock", "freeze", "unfreeze", "watch", "break-glass":
		return true
	}
	return false
}

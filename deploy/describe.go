package deploy

import (
	"fmt"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/domainview"
	"dobot/reply"
)

// IsRequest reports whether op is a request rather than an operation: it
// waits for a decision, or ended without ever being approved.
func IsRequest(op dobot.Operation) bool {
	switch op.State {
	case dobot.OpRequested, dobot.OpAwaitingApproval, dobot.OpExpired:
		return true
	case dobot.OpCanceled:
		// Denied or withdrawn before it ran: nothing was ever sent.
		return !op.ExpiresAt.IsZero() && (op.Decider == "" || op.DecidedAt.IsZero() || op.Step == dobot.StepCreated && op.DeploymentID == "")
	}
	return false
}

// Ref names op with its kind: "request #12" or "operation #13".
func Ref(op dobot.Operation) string {
	if IsRequest(op) {
		return fmt.Sprintf("request #%d", op.ID)
	}
	return fmt.Sprintf("operation #%d", op.ID)
}

// KindWord is "Request" or "Operation", as a card's field label.
func KindWord(op dobot.Operation) string {
	if IsRequest(op) {
		return "Request"
	}
	return "Operation"
}

// RefTitle is Ref for the start of a sentence.
func RefTitle(op dobot.Operation) string {
	r := Ref(op)
	return strings.ToUpper(r[:1]) + r[1:]
}

// What is what op does, in words: "launch web", "delete the registry
// acme". Actions named with a dot are not shown as they are stored.
func What(op dobot.Operation) string {
	if op.Action == ActionDomainFollow {
		return domainview.What(op)
	}
	registry := map[string]string{ActionRegistryCreate: "create", ActionRegistryDelete: "delete", ActionRegistryGC: "collect the garbage of"}
	if verb, ok := registry[op.Action]; ok {
		what := verb + " the registry"
		if a, err := decodeArgs[RegistryArgs](op); err == nil && a.Name != "" {
			what += " " + a.Name
		}
		return what
	}
	if op.Action == ActionDroplet {
		if a, err := decodeArgs[DropletActionArgs](op); err == nil && a.Type != "" {
			return fmt.Sprintf("%s the droplet %s", strings.ReplaceAll(a.Type, "_", " "), op.App)
		}
		return "act on the droplet " + op.App
	}
	if op.Action == ActionTeardown {
		return "tear down " + op.App // the verb is two words
	}
	return op.Action + " " + op.App
}

// CanceledTitle is the title of a card whose deployment was canceled: it
// did not fail, someone stopped it.
func CanceledTitle(action, name string) string {
	what := "Deployment"
	if action != "" {
		what = strings.ToUpper(action[:1]) + action[1:]
	}
	return fmt.Sprintf("%s %s of %s canceled", chat.IconCanceled, what, name)
}

// FailureMark is the icon before a deployment's failure text.
func FailureMark(st LaunchState) string {
	if st.Phase == "CANCELED" {
		return chat.IconCanceled
	}
	return chat.IconFailed
}

// NonEmpty drops the fields without a value, so no card shows "Image:" and
// nothing after it.
func NonEmpty(fields []chat.Field) []chat.Field {
	out := fields[:0:0]
	for _, f := range fields {
		if v := strings.TrimSpace(f.Value); v != "" && v != "``" {
			out = append(out, f)
		}
	}
	return out
}

// KindLabel is "Droplet" or "App", as a card's field label.
func KindLabel(kind string) string {
	if kind == KindDroplet {
		return "Droplet"
	}
	return "App"
}

// BusyText says who holds an app and since when, and how to go on.
func BusyText(busy *dobot.BusyError) string {
	h := busy.Holder
	return fmt.Sprintf("%s is busy: %s (%s), asked by %s at %s, is still %s. Wait for it to finish, or cancel it with `/do cancel %d`.",
		reply.Escape(h.App), Ref(h), reply.Escape(What(h)), chat.Mention(h.Requester), h.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), strings.ReplaceAll(string(h.State), "_", " "), h.ID)
}

package plan

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/digitalocean/godo"

	"dobot/chat"
	"dobot/deploy"
	"dobot/docloud"
)

// ProposeApp checks spec with App Platform's propose endpoint and shows the
// exact spec that would be sent. It changes nothing.
func (b *Planner) ProposeApp(ctx context.Context, spec *godo.AppSpec, appID, what string) (chat.Message, error) {
	resp, _, err := b.apps.Propose(ctx, &godo.AppProposeRequest{Spec: spec, AppID: appID})
	if err != nil {
		return chat.Message{}, fmt.Errorf("propose %s: %w", what, err)
	}
	// The spec may hold the app's live variables: show keys, never values.
	raw, err := json.MarshalIndent(docloud.MaskedSpec(spec), "", "  ")
	if err != nil {
		return chat.Message{}, fmt.Errorf("encode spec: %w", err)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, chat.IconSearch+" *Dry run of %s*: nothing was changed. App Platform accepted the spec", what)
	if resp.AppCost > 0 {
		fmt.Fprintf(&sb, "; it would cost $%.2f/month", resp.AppCost)
	}
	sb.WriteString(".\n")
	if appID == "" && !resp.AppNameAvailable {
		fmt.Fprintf(&sb, chat.IconWarning+" The name %s is taken", spec.Name)
		if resp.AppNameSuggestion != "" {
			fmt.Fprintf(&sb, "; %s is free", resp.AppNameSuggestion)
		}
		sb.WriteString(".\n")
	}
	fmt.Fprintf(&sb, "```%s```", deploy.ClipTail(string(raw), 2600))
	return chat.Message{Text: sb.String()}, nil
}

package blockkit

import "encoding/json"

// View is a modal view or a Home tab as a Slack server holds it. Its
// fields are grouped in embedded structs, so they read as the view's own
// (v.ID, v.CallbackID).
type View struct {
	Identity
	Settings
	// Blocks is the view's Block Kit JSON, with the block_id and action_id
	// Slack fills in where the app gave none.
	Blocks json.RawMessage
	// Errors are the messages shown under input blocks, by block_id, after
	// a submission answered response_action "errors".
	Errors map[string]string
}

// Identity is what Slack gives a view: its ids, its owner and its hash.
type Identity struct {
	ID             string
	Type           string // "modal" or "home"
	User           string // whose modal or Home tab it is
	Hash           string // changes with every update
	RootViewID     string
	PreviousViewID string
}

// Settings are what the app sets on a view besides its blocks.
type Settings struct {
	CallbackID    string
	PrivateMeta   string
	ExternalID    string
	Title         string // plain text of the title, for modals
	Submit, Close string // plain text of the buttons, for modals
	NotifyOnClose bool
	ClearOnClose  bool
}

// DecodeView turns a view's JSON, checked by ViewProblems, into a View,
// filling in missing block_ids and action_ids from newID as Slack does.
func DecodeView(raw []byte, newID func() string) *View {
	var in struct {
		Type            string                 `json:"type"`
		Title           *struct{ Text string } `json:"title"`
		Submit          *struct{ Text string } `json:"submit"`
		Close           *struct{ Text string } `json:"close"`
		Blocks          []map[string]any       `json:"blocks"`
		PrivateMetadata string                 `json:"private_metadata"`
		CallbackID      string                 `json:"callback_id"`
		ExternalID      string                 `json:"external_id"`
		NotifyOnClose   bool                   `json:"notify_on_close"`
		ClearOnClose    bool                   `json:"clear_on_close"`
	}
	_ = json.Unmarshal(raw, &in) // checked by viewProblems
	v := &View{Identity: Identity{Type: in.Type}, Settings: Settings{CallbackID: in.CallbackID, PrivateMeta: in.PrivateMetadata,
		ExternalID: in.ExternalID, NotifyOnClose: in.NotifyOnClose, ClearOnClose: in.ClearOnClose}}
	if in.Title != nil {
		v.Title = in.Title.Text
	}
	if in.Submit != nil {
		v.Submit = in.Submit.Text
	}
	if in.Close != nil {
		v.Close = in.Close.Text
	}
	FillIDs(in.Blocks, newID)
	v.Blocks, _ = json.Marshal(in.Blocks)
	if in.Blocks == nil {
		v.Blocks = json.RawMessage("[]")
	}
	return v
}

// Copy is v with its own copies of Blocks and Errors.
func (v *View) Copy() View {
	c := *v
	c.Blocks = append(json.RawMessage(nil), v.Blocks...)
	if v.Errors != nil {
		c.Errors = make(map[string]string, len(v.Errors))
		for k, e := range v.Errors {
			c.Errors[k] = e
		}
	}
	return c
}

package appspec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/digitalocean/godo"
	"sigs.k8s.io/yaml"
)

// SpecError says why a pasted app spec could not be read.
type SpecError struct{ Why string }

func (e *SpecError) Error() string { return "the app spec cannot be read: " + e.Why }

// MaxSpecBytes bounds a pasted spec; App Platform's own specs are a few
// kilobytes.
const MaxSpecBytes = 64 << 10

// ParseSpec reads an app spec written in YAML (as doctl's and the
// control panel's .do/app.yaml) or JSON, optionally inside a Markdown code
// block (```yaml … ```) as pasted in chat, and optionally wrapped in
// {"spec": …} as deploy templates are. A field godo's AppSpec does not
// know is refused by name, so a typo ("servces") is not silently dropped.
// It checks the shape only: propose is what validates the spec.
func ParseSpec(text string) (*godo.AppSpec, error) {
	body := unfence(text)
	if strings.TrimSpace(body) == "" {
		return nil, &SpecError{"it is empty; paste the spec in a code block after the command"}
	}
	if len(body) > MaxSpecBytes {
		return nil, &SpecError{fmt.Sprintf("it is %d bytes; the limit is %d", len(body), MaxSpecBytes)}
	}
	raw := []byte(body)
	if t := strings.TrimSpace(body); !strings.HasPrefix(t, "{") {
		j, err := yaml.YAMLToJSON(raw)
		if err != nil {
			return nil, &SpecError{"it is neither JSON nor YAML: " + err.Error()}
		}
		raw = j
	}
	var wrapped struct {
		Spec json.RawMessage `json:"spec"`
	}
	if json.Unmarshal(raw, &wrapped) == nil && len(wrapped.Spec) > 0 && !bytes.Equal(wrapped.Spec, []byte("null")) {
		raw = wrapped.Spec
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var spec godo.AppSpec
	if err := dec.Decode(&spec); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, &SpecError{fmt.Sprintf("field %q should be %s, not %s", te.Field, te.Type, te.Value)}
		}
		return nil, &SpecError{strings.TrimPrefix(err.Error(), "json: ")}
	}
	if spec.Name == "" {
		return nil, &SpecError{"it has no name"}
	}
	return &spec, nil
}

// unfence returns the inside of the first Markdown code block in text, or
// text itself when it has none.
func unfence(text string) string {
	start := strings.Index(text, "```")
	if start < 0 {
		return text
	}
	rest := text[start+3:]
	end := strings.Index(rest, "```")
	if end < 0 {
		return text
	}
	rest = rest[:end]
	// A language tag (```yaml) sits on the fence's own line.
	if nl := strings.IndexByte(rest, '\n'); nl >= 0 && !strings.ContainsAny(rest[:nl], ":{") {
		rest = rest[nl+1:]
	}
	return rest
}

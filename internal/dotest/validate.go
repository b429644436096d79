package dotest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"

	_ "embed"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// specYAML is DigitalOcean's own description of its public API. The server
// is held to it: it routes by it, and it checks every request and response
// against it.
//
//go:embed openapi/digitalocean-public.v2.yaml
var specYAML []byte

// The description takes about 0.3 s to load, so every Server in a process
// shares one router.
var (
	specOnce   sync.Once
	specRouter routers.Router
	specErr    error
)

func apiRouter() (routers.Router, error) {
	specOnce.Do(func() {
		doc, err := openapi3.NewLoader().LoadFromData(specYAML)
		if err != nil {
			specErr = fmt.Errorf("load DigitalOcean OpenAPI description: %w", err)
			return
		}
		// Without servers the router matches paths on any host, such as
		// httptest's 127.0.0.1:PORT.
		doc.Servers = nil
		specRouter, specErr = gorillamux.NewRouter(doc)
	})
	return specRouter, specErr
}

// knownGap is a difference between godo and the description that is known and
// accepted: a finding that matches one is not a violation.
type knownGap struct {
	operation string // operationId, or "" for any
	contains  string // substring of the finding
	// clauses, when set, makes the gap strict: the finding is excused only
	// if every `Error at "…"` clause in it matches clauses. kin-openapi
	// folds a oneOf's failures into one finding, and an excused clause must
	// not hide another one beside it.
	clauses *regexp.Regexp
	// body, when set, must also hold for the request or response body
	// the finding is about: it checks what the finding's text cannot say,
	// such as which value broke a pattern.
	body   func(body []byte) bool
	reason string
}

// knownGaps is the one place where findings are excused. Each entry says why.
// Everything not listed here is reported as a violation.
var knownGaps = []knownGap{
	{
		operation: "",
		contains:  `doesn't match the regular expression "^do:(dbaas|domain|droplet`,
		clauses:   regexp.MustCompile(`Error at "/resources/\d+(/urn)?": string doesn't match the regular expression "\^do:\(dbaas\|domain\|droplet\|floatingip\|loadbalancer\|space\|volume\|kubernetes\|vpc\):\.\*"`),
		body:      onlyAppURNs,
		reason: "the description's urn pattern lacks `app`, but projects hold App Platform apps: godo's " +
			"App.URN() is do:app:ID, and DigitalOcean's projects documentation lists apps among a " +
			"project's resources. Excused only when every URN off the pattern is do:app:ID.",
	},
	{
		operation: "apps_create_deployment",
		contains:  "value is not nullable",
		reason: "godo's CreateDeployment(ctx, appID) with no DeploymentCreateRequest " +
			"encodes a nil *DeploymentCreateRequest and sends the body `null`; " +
			"the description wants an object. DigitalOcean accepts it.",
	},
	{
		operation: "",
		contains:  "preserve_path_prefix",
		reason: "godo's AppRouteSpec.PreservePathPrefix is a bool; the description " +
			"types preserve_path_prefix as a string. DigitalOcean sends and accepts a bool.",
	},
	{
		operation: "",
		contains:  `next_backup_window": doesn't match schema due to: value is not nullable`,
		clauses:   regexp.MustCompile(`(?i)Error at "/droplets?(/\d+)?/next_backup_window": doesn't match schema due to: Value is not nullable|Error at "/droplets": property "droplets" is missing`),
		reason: "DigitalOcean sends \"next_backup_window\": null for a droplet without backups, as the " +
			"description's own examples do, and droplet_next_backup_window is nullable; but the " +
			"description wraps it in allOf with a second, description-only schema, which " +
			"kin-openapi holds to be not nullable. (The other clause allowed is the single " +
			"create response failing oneOf's multiple-create branch.)",
	},
}

// urnRE is the description's pattern for a URN, which lacks "app".
var urnRE = regexp.MustCompile(`^do:(dbaas|domain|droplet|floatingip|loadbalancer|space|volume|kubernetes|vpc):.*`)

// onlyAppURNs reports whether every URN in a projects request
// ({"resources": ["do:…"]}) or response ({"resources": [{"urn": "do:…"}]})
// that breaks the description's pattern is an app's, do:app:ID.
func onlyAppURNs(body []byte) bool {
	var req struct {
		Resources []json.RawMessage `json:"resources"`
	}
	if json.Unmarshal(body, &req) != nil {
		return false
	}
	for _, raw := range req.Resources {
		var urn string
		if json.Unmarshal(raw, &urn) != nil {
			var res struct {
				URN string `json:"urn"`
			}
			if json.Unmarshal(raw, &res) != nil {
				return false
			}
			urn = res.URN
		}
		if !urnRE.MatchString(urn) && !(strings.HasPrefix(urn, "do:app:") && len(urn) > len("do:app:")) {
			return false
		}
	}
	return true
}

// gapFor returns the known gap that excuses a finding about body, if any.
func gapFor(operation, finding string, body []byte) (knownGap, bool) {
	for _, g := range knownGaps {
		if (g.operation == "" || g.operation == operation) && strings.Contains(strings.ToLower(finding), strings.ToLower(g.contains)) {
			if g.clauses != nil && strings.Contains(g.clauses.ReplaceAllString(finding, ""), "Error at") {
				continue
			}
			if g.body != nil && !g.body(body) {
				continue
			}
			return g, true
		}
	}
	return knownGap{}, false
}

// bearerAuth accepts any "Authorization: Bearer …" header: whether the token
// is the right one is the server's business (a wrong one gets 401), whereas
// a request with no bearer token at all breaks the description.
func bearerAuth(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if in.SecurityScheme == nil || in.SecurityScheme.Type != "http" || !strings.EqualFold(in.SecurityScheme.Scheme, "bearer") {
		return fmt.Errorf("security scheme %q is not bearer auth", in.SecuritySchemeName)
	}
	h := in.RequestValidationInput.Request.Header.Get("Authorization")
	if !strings.HasPrefix(h, "Bearer ") || strings.TrimSpace(h[len("Bearer "):]) == "" {
		return errors.New("no bearer token in the Authorization header")
	}
	return nil
}

// briefErrors keeps the schema and the value out of findings: a finding
// names the path and the reason, which is what a failing test needs to say.
var briefErrors = []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()}

// checkRequest validates a request against its operation and returns one
// finding per problem. The request's body must be body, which it re-reads.
func checkRequest(ctx context.Context, in *openapi3filter.RequestValidationInput, body []byte) []string {
	in.Request.Body = io.NopCloser(bytes.NewReader(body))
	in.Options = &openapi3filter.Options{
		MultiError:              true,
		AuthenticationFunc:      bearerAuth,
		SkipSettingDefaults:     true,
		SchemaValidationOptions: briefErrors,
	}
	err := openapi3filter.ValidateRequest(ctx, in)
	in.Request.Body = io.NopCloser(bytes.NewReader(body))
	return findings("request", err)
}

// checkResponse validates a response that the server is about to send.
func checkResponse(ctx context.Context, in *openapi3filter.RequestValidationInput, status int, header http.Header, body []byte) []string {
	err := openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{
			MultiError:              true,
			IncludeResponseStatus:   true,
			SchemaValidationOptions: briefErrors,
		},
	})
	return findings(fmt.Sprintf("response %d", status), err)
}

// findings flattens kin-openapi's nested multi-errors so that each problem can
// be checked against knownGaps on its own: one excused problem must not hide
// another.
func findings(kind string, err error) []string {
	if err == nil {
		return nil
	}
	var out []string
	var walk func(prefix string, err error)
	walk = func(prefix string, err error) {
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, x := range e {
				walk(prefix, x)
			}
		case *openapi3filter.RequestError:
			if me, ok := e.Err.(openapi3.MultiError); ok {
				p := prefix
				switch {
				case e.Parameter != nil:
					p += fmt.Sprintf("parameter %q in %s: ", e.Parameter.Name, e.Parameter.In)
				case e.RequestBody != nil:
					p += "body: "
				}
				walk(p, me)
				return
			}
			out = append(out, prefix+e.Error())
		case *openapi3filter.ResponseError:
			if me, ok := e.Err.(openapi3.MultiError); ok {
				walk(prefix+e.Reason+": ", me)
				return
			}
			out = append(out, prefix+e.Error())
		default:
			out = append(out, prefix+err.Error())
		}
	}
	walk(kind+": ", err)
	return out
}

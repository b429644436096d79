package dotest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// token returns the request's bearer token and whether the server knows it.
func (s *Server) token(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if !strings.HasPrefix(h, "Bearer ") {
		return "", false
	}
	t := h[len("Bearer "):]
	if t == s.opts.Token {
		return t, true
	}
	_, ok := s.opts.Scopes[t]
	return t, ok
}

// lacksScope reports whether a token with custom scopes may not call op.
// The main token (Options.Token) has full access, like a DigitalOcean token
// with read and write scope.
func (s *Server) lacksScope(token string, op *openapi3.Operation, r *http.Request, body []byte) bool {
	have, custom := s.opts.Scopes[token]
	if !custom {
		return false
	}
	for _, need := range requiredScopes(op, r, body) {
		if !slices.ContainsFunc(need, func(sc string) bool { return slices.Contains(have, sc) }) {
			return true
		}
	}
	return false
}

// requiredScopes lists what a call needs: each inner list is a choice of
// scopes of which the token must hold one. The first comes from the
// description's security requirement for the route; the others are
// DigitalOcean's documented associated scopes for the parts of the API the
// bot uses: tagging a droplet at creation needs tag:create, and listing
// droplets by tag needs tag:read
// (docs.digitalocean.com/reference/api/scopes/droplet/create).
func requiredScopes(op *openapi3.Operation, r *http.Request, body []byte) [][]string {
	var out [][]string
	if op.Security != nil {
		for _, req := range *op.Security {
			if scopes := req["bearer_auth"]; len(scopes) > 0 {
				out = append(out, scopes)
			}
		}
	}
	switch op.OperationID {
	case "droplets_create":
		var b struct {
			Tags []string `json:"tags"`
		}
		if json.Unmarshal(body, &b) == nil && len(b.Tags) > 0 {
			out = append(out, []string{"tag:create"})
		}
	case "droplets_list":
		if r.URL.Query().Get("tag_name") != "" {
			out = append(out, []string{"tag:read"})
		}
	}
	return out
}

package metrics

import (
	"net/url"
	"regexp"
	"strings"
)

// maxSegments bounds how many path segments after /v2 an endpoint label
// keeps; DigitalOcean's deepest paths have eight.
const maxSegments = 10

// doWords are the literal path segments of DigitalOcean's API that an
// endpoint label keeps as they are. Any other segment becomes a placeholder,
// so however odd the path, the labels come from a fixed vocabulary.
var doWords = wordSet(
	// collections
	"1-clicks account actions apps balance billing_history cdn certificates customers databases domains",
	"droplets firewalls floating_ips functions images invoices keys kubernetes load_balancers monitoring",
	"my projects regions registries registry reserved_ips sizes snapshots tags volumes vpcs",
	// App Platform
	"alerts bandwidth_daily cancel commit components deployments destinations exec health instance_sizes",
	"instances job-invocations logs metrics propose restart revert rollback tiers validate",
	// Container Registry
	"digests docker-credentials garbage-collection garbage-collections options repositories",
	"repositoriesV2 subscription validate-name",
	// Droplets, Kubernetes, databases, projects, domains
	"backups ca clusterlint clusters config credentials dangerous dbs default",
	"destroy_with_associated_resources endpoints events firewall kernels kubeconfig maintenance members",
	"migrate neighbors node_pools nodes online-migration pools records replicas resize resources",
	"status topics upgrade upgrades users",
)

// doNames maps a segment to the placeholder for the name that follows it,
// for the routes whose parameter is a name rather than an id. The words
// listed with it are literal routes in that position instead of names.
var doNames = map[string]struct {
	placeholder string
	literal     map[string]bool
}{
	"registry":       {"{registry}", wordSet("docker-credentials options subscription validate-name")},
	"registries":     {"{registry}", nil},
	"repositories":   {"{repo}", nil},
	"repositoriesV2": {"{repo}", nil},
	"tags":           {"{tag}", nil},
	"digests":        {"{digest}", nil},
	"components":     {"{component}", nil},
	"tiers":          {"{slug}", wordSet("instance_sizes")},
	"instance_sizes": {"{slug}", nil},
	"domains":        {"{domain}", nil},
	"dbs":            {"{name}", nil},
	"users":          {"{name}", nil},
	"pools":          {"{name}", nil},
	"replicas":       {"{name}", nil},
	"topics":         {"{name}", nil},
}

var (
	uuidRE   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	numberRE = regexp.MustCompile(`^[0-9]+$`)
	// slackMethodRE matches Web API method names such as "chat.postMessage"
	// and "apps.connections.open".
	slackMethodRE = regexp.MustCompile(`^[a-z]+(\.[a-zA-Z]+){1,3}$`)
)

// doEndpoint turns a DigitalOcean API URL into a route template such as
// "/v2/apps/{id}/deployments/{id}": ids, numbers and the names that follow
// known segments become placeholders. A path with no /v2 segment (a log
// file, say) is "other". Anything before /v2, such as a proxy's prefix, is
// dropped.
func doEndpoint(u *url.URL) string {
	segs := strings.Split(u.EscapedPath(), "/")
	start := -1
	for i, s := range segs {
		if s == "v2" {
			start = i + 1
			break
		}
	}
	if start < 0 {
		return "other"
	}
	var b strings.Builder
	b.WriteString("/v2")
	prev := "" // the previous segment when it was kept literally
	n := 0
	for _, s := range segs[start:] {
		if s == "" {
			continue
		}
		if n == maxSegments {
			b.WriteString("/{rest}")
			break
		}
		n++
		out := s
		if name, ok := doNames[prev]; ok && !name.literal[s] {
			out = name.placeholder
		} else if uuidRE.MatchString(s) || numberRE.MatchString(s) || !doWords[s] {
			out = "{id}"
		}
		b.WriteString("/" + out)
		prev = ""
		if out == s {
			prev = s
		}
	}
	return b.String()
}

// slackEndpoint names a Slack request by its Web API method, the last
// segment of ".../api/chat.postMessage". Anything else, such as a command's
// response_url on hooks.slack.com, whose path is itself a secret, is
// "response_url".
func slackEndpoint(u *url.URL) string {
	segs := strings.Split(strings.TrimSuffix(u.EscapedPath(), "/"), "/")
	if n := len(segs); n >= 2 && segs[n-2] == "api" && slackMethodRE.MatchString(segs[n-1]) && len(segs[n-1]) <= 64 {
		return segs[n-1]
	}
	return "response_url"
}

func wordSet(lines ...string) map[string]bool {
	set := map[string]bool{}
	for _, l := range lines {
		for _, w := range strings.Fields(l) {
			set[w] = true
		}
	}
	return set
}

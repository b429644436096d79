package dobot

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// UserError is a refusal that is safe to show and tells the person what to
// do. Msg is plain text: whoever shows it escapes it for its medium, so a
// domain rule never writes chat markup.
type UserError struct {
	Msg string
}

func (e *UserError) Error() string { return e.Msg }

// UserErrorf formats a UserError.
func UserErrorf(format string, a ...any) error {
	return &UserError{Msg: fmt.Sprintf(format, a...)}
}

var (
	// appNamePattern is DigitalOcean's rule for App Platform app names.
	appNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}[a-z0-9]$`)
	// regionPattern is a DigitalOcean region slug ("nyc3") or a region
	// family ("nyc"): the family, then an optional data-centre digit.
	regionPattern = regexp.MustCompile(`^([a-z]{3})([0-9]?)$`)
	// dropletRegionPattern is a data-centre slug; droplets need one.
	dropletRegionPattern = regexp.MustCompile(`^[a-z]{3}[0-9]$`)
	// userIDPattern is the shape of a Slack member id: U or W, then
	// uppercase letters and digits.
	userIDPattern = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
)

// appRegions are the region families App Platform runs in.
var appRegions = map[string]bool{
	"ams": true, "atl": true, "blr": true, "fra": true, "lon": true,
	"nyc": true, "sfo": true, "sgp": true, "syd": true, "tor": true,
}

// AppRegions lists the region families App Platform runs in, sorted.
func AppRegions() []string {
	out := make([]string, 0, len(appRegions))
	for r := range appRegions {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// IsAppName reports whether name follows DigitalOcean's rule for app names.
// The bot names droplets by the same rule.
func IsAppName(name string) bool { return appNamePattern.MatchString(name) }

// ValidAppName checks name against DigitalOcean's rule for app names.
func ValidAppName(name string) error {
	if !IsAppName(name) {
		return UserErrorf("bad app name %q: use 2 to 32 lowercase letters, digits and dashes, starting with a letter and not ending with a dash (like web or api-2)", name)
	}
	return nil
}

// AppRegion maps a DigitalOcean region slug ("nyc3") to the App Platform
// region family ("nyc") and checks that App Platform runs there.
func AppRegion(slug string) (string, error) {
	m := regionPattern.FindStringSubmatch(strings.ToLower(slug))
	if m == nil || !appRegions[m[1]] {
		known := make([]string, 0, len(appRegions))
		for r := range appRegions {
			known = append(known, r)
		}
		sort.Strings(known)
		return "", UserErrorf("unknown region %q; App Platform runs in %s (a slug like nyc3 works too)", slug, strings.Join(known, ", "))
	}
	return m[1], nil
}

// IsRegionSlug reports whether s has the shape of a region slug or family
// (nyc3, nyc), whether or not App Platform runs there.
func IsRegionSlug(s string) bool { return regionPattern.MatchString(s) }

// IsDropletRegion reports whether s has the shape of a data-centre slug
// (nyc3), which a droplet needs.
func IsDropletRegion(s string) bool { return dropletRegionPattern.MatchString(s) }

// IsUserID reports whether id has the shape of a Slack member id (U0123ABCD
// or W0123ABCD). Every place that accepts a user id checks it here.
func IsUserID(id string) bool { return userIDPattern.MatchString(id) }

// Masked stands for a value the bot will not show or store: in command
// text, audit rows, exports, cards and logs alike.
const Masked = "•••"

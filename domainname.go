package dobot

import "strings"

// IsDomainName reports whether d is a lower-case host name of at least two
// labels, as a custom domain of an app must be: letters, digits and inner
// dashes, 63 bytes a label, 253 in all.
func IsDomainName(d string) bool {
	if len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

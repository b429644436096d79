package dobot

import "strings"

// secretWords are the parts of a variable name that make it secret.
var secretWords = []string{"PASSWORD", "SECRET", "TOKEN", "KEY", "CREDENTIAL"}

// SecretLooking reports whether an environment variable named key is sent
// as SECRET even without --secret: its name contains PASSWORD, SECRET,
// TOKEN, KEY or CREDENTIAL, in any case (API_KEY, db_password).
func SecretLooking(key string) bool {
	up := strings.ToUpper(key)
	for _, w := range secretWords {
		if strings.Contains(up, w) {
			return true
		}
	}
	return false
}

package httpx

import "strings"

// secretPathPrefixes start paths whose next segment is a secret (a private
// feed's token): access logs, traces and problem documents show the prefix
// only.
var secretPathPrefixes = []string{"/feeds/private/"}

// MaskPath is path as it may be logged: a secret path is cut after its
// prefix, e.g. /feeds/private/….
func MaskPath(path string) string {
	for _, p := range secretPathPrefixes {
		if strings.HasPrefix(path, p) {
			return p + "…"
		}
	}
	return path
}

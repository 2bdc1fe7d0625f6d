package processing

import (
	"errors"
	"fmt"
)

// badInputError is a file that cannot be processed, whatever the retries:
// unreadable, hostile or over a limit. Its reason is shown to the media's
// members, so it says what is wrong with the file, not with the server.
type badInputError struct{ reason string }

func (e *badInputError) Error() string { return e.reason }

// badInput makes a badInputError.
func badInput(format string, args ...any) error {
	return &badInputError{reason: fmt.Sprintf(format, args...)}
}

// permanent reports whether err is the file's fault (a bad input or a tool
// that refused the file), as opposed to a transient failure of the server
// (object store unavailable, disk full) worth retrying; and gives the
// reason for the media's members.
func permanent(err error) (string, bool) {
	var bad *badInputError
	if errors.As(err, &bad) {
		return bad.reason, true
	}
	var tool *toolError
	if errors.As(err, &tool) {
		if tool.TimedOut {
			return "the file took too long to process (" + tool.Tool + ")", true
		}
		return "the file could not be read: " + tool.Error(), true
	}
	return "", false
}

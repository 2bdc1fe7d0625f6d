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
// reason for the media's members. A tool's failure becomes a fixed sentence
// for the file's family (fam): its diagnostic names server paths and tool
// versions and is kept for the logs.
func permanent(err error, fam string) (string, bool) {
	var bad *badInputError
	if errors.As(err, &bad) {
		return bad.reason, true
	}
	var tool *toolError
	if errors.As(err, &tool) {
		if tool.TimedOut {
			return reasonTimedOut, true
		}
		return unreadable(fam), true
	}
	return "", false
}

// reasonTimedOut is the reason of a tool or a job that ran out of time.
const reasonTimedOut = "processing timed out"

// unreadable is the reason for a file its family's tools could not read.
func unreadable(fam string) string {
	switch fam {
	case familyVideo:
		return "the file could not be read as a video"
	case familyAudio:
		return "the file could not be read as audio"
	case familyPDF:
		return "the file could not be read as a PDF"
	case familyEPUB:
		return "the file could not be read as an EPUB"
	case familyText:
		return "the file could not be read as text"
	}
	return "the file could not be processed"
}

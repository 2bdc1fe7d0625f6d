package domain

import "github.com/alexandria-platform/alexandria/internal/platform/errs"

// Media statuses. A processing pipeline will drive processing and failed;
// members move between draft and published; moderation removes and restores.
const (
	MediaDraft      = "draft"
	MediaProcessing = "processing"
	MediaPublished  = "published"
	MediaFailed     = "failed"
	MediaRemoved    = "removed"
)

// MediaStatuses lists every status, for validating filters.
var MediaStatuses = []string{MediaDraft, MediaProcessing, MediaPublished, MediaFailed, MediaRemoved}

// Trigger says who asks for a status change.
type Trigger int

// The triggers of a status change.
const (
	// ByEdit is a member's PATCH.
	ByEdit Trigger = iota
	// ByRemove is a soft delete by a member or moderator.
	ByRemove
	// ByRestore is a moderator undoing a soft delete.
	ByRestore
	// ByPipeline is the processing saga reporting progress.
	ByPipeline
)

// transitions is the whole status machine: for each trigger, the statuses
// reachable from each status. Staying put is always allowed and is not listed.
var transitions = map[Trigger]map[string][]string{
	ByEdit: {
		MediaDraft:     {MediaPublished},
		MediaPublished: {MediaDraft},
		MediaFailed:    {MediaDraft},
	},
	ByRemove: {
		MediaDraft:      {MediaRemoved},
		MediaProcessing: {MediaRemoved},
		MediaPublished:  {MediaRemoved},
		MediaFailed:     {MediaRemoved},
	},
	ByRestore: {
		MediaRemoved: {MediaDraft, MediaProcessing, MediaPublished, MediaFailed},
	},
	ByPipeline: {
		MediaDraft:      {MediaProcessing},
		MediaPublished:  {MediaProcessing},
		MediaFailed:     {MediaProcessing},
		MediaProcessing: {MediaDraft, MediaPublished, MediaFailed},
	},
}

// Transition reports whether a media item may go from one status to another
// by the given trigger. It is the only place status rules live.
func Transition(from, to string, by Trigger) error {
	if by == ByEdit && to != MediaDraft && to != MediaPublished {
		return errs.InvalidField("status", "may only be set to draft or published")
	}
	if from == to {
		return nil
	}
	for _, next := range transitions[by][from] {
		if next == to {
			return nil
		}
	}
	switch {
	case from == MediaRemoved && by != ByRestore:
		return errs.Conflictf("the media item is removed; a moderator must restore it first")
	case from == MediaProcessing && by == ByEdit:
		return errs.Conflictf("the media item is being processed; wait until processing ends")
	case by == ByRestore:
		return errs.Conflictf("the media item is not removed")
	}
	return errs.Conflictf("a media item cannot go from %s to %s", from, to)
}

package domain

import (
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

func TestTransition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		from, to string
		by       Trigger
		want     errs.Kind
	}{
		{"edit_publishes_draft", MediaDraft, MediaPublished, ByEdit, ok},
		{"edit_unpublishes", MediaPublished, MediaDraft, ByEdit, ok},
		{"edit_retries_failed_as_draft", MediaFailed, MediaDraft, ByEdit, ok},
		{"edit_keeps_status", MediaPublished, MediaPublished, ByEdit, ok},
		{"edit_cannot_publish_failed", MediaFailed, MediaPublished, ByEdit, errs.Conflict},
		{"edit_cannot_touch_processing", MediaProcessing, MediaPublished, ByEdit, errs.Conflict},
		{"edit_cannot_set_processing", MediaDraft, MediaProcessing, ByEdit, errs.Invalid},
		{"edit_cannot_set_removed", MediaDraft, MediaRemoved, ByEdit, errs.Invalid},
		{"edit_cannot_revive_removed", MediaRemoved, MediaDraft, ByEdit, errs.Conflict},
		{"remove_draft", MediaDraft, MediaRemoved, ByRemove, ok},
		{"remove_processing", MediaProcessing, MediaRemoved, ByRemove, ok},
		{"remove_published", MediaPublished, MediaRemoved, ByRemove, ok},
		{"restore_to_published", MediaRemoved, MediaPublished, ByRestore, ok},
		{"restore_to_draft", MediaRemoved, MediaDraft, ByRestore, ok},
		{"restore_needs_removed", MediaPublished, MediaDraft, ByRestore, errs.Conflict},
		{"pipeline_starts_processing", MediaDraft, MediaProcessing, ByPipeline, ok},
		{"pipeline_publishes", MediaProcessing, MediaPublished, ByPipeline, ok},
		{"pipeline_fails", MediaProcessing, MediaFailed, ByPipeline, ok},
		{"pipeline_cannot_publish_draft", MediaDraft, MediaPublished, ByPipeline, errs.Conflict},
		{"pipeline_cannot_touch_removed", MediaRemoved, MediaProcessing, ByPipeline, errs.Conflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := kindOf(Transition(tt.from, tt.to, tt.by)); got != tt.want {
				t.Fatalf("Transition(%s, %s) kind %v, want %v", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

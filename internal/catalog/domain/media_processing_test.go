package domain

import (
	"testing"
	"time"
)

func TestProcessingSteps(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	content := MediaContent{Size: 10, SHA256: "ab", ContentType: "application/pdf"}
	cases := []struct {
		name       string
		item       Media
		step       func(m *Media) bool
		changed    bool
		wantStatus string
		wantPrev   string
	}{
		{"upload_starts_processing_a_draft", Media{Status: MediaDraft},
			func(m *Media) bool { return m.StartProcessing("k1", time.Time{}, now) }, true, MediaProcessing, ""},
		{"upload_reprocesses_a_published_item", Media{Status: MediaPublished, ObjectKey: "k0", Content: &content},
			func(m *Media) bool { return m.StartProcessing("k1", time.Time{}, now) }, true, MediaProcessing, ""},
		{"upload_to_a_removed_item_keeps_it_removed", Media{Status: MediaRemoved, PreviousStatus: MediaPublished},
			func(m *Media) bool { return m.StartProcessing("k1", time.Time{}, now) }, true, MediaRemoved, MediaProcessing},
		{"same_upload_twice_is_no_change", Media{Status: MediaProcessing, ObjectKey: "k1"},
			func(m *Media) bool { return m.StartProcessing("k1", time.Time{}, now) }, false, MediaProcessing, ""},
		{"result_returns_a_draft_to_draft", Media{Status: MediaProcessing, ObjectKey: "k1", SettledStatus: MediaDraft},
			func(m *Media) bool { return m.FinishProcessing("k1", content, nil, now) }, true, MediaDraft, ""},
		{"result_returns_a_published_item_to_published", Media{Status: MediaProcessing, ObjectKey: "k1", SettledStatus: MediaPublished},
			func(m *Media) bool { return m.FinishProcessing("k1", content, nil, now) }, true, MediaPublished, ""},
		{"upload_recorded_before_the_current_one_is_stale", Media{Status: MediaProcessing, ObjectKey: "k2", UploadedAt: &now},
			func(m *Media) bool { return m.StartProcessing("k1", now.Add(-time.Second), now) }, false, MediaProcessing, ""},
		{"upload_recorded_after_the_current_one_replaces_it", Media{Status: MediaProcessing, ObjectKey: "k1", UploadedAt: &now},
			func(m *Media) bool { return m.StartProcessing("k2", now.Add(time.Second), now) }, true, MediaProcessing, ""},
		{"stale_result_is_ignored", Media{Status: MediaProcessing, ObjectKey: "k2"},
			func(m *Media) bool { return m.FinishProcessing("k1", content, nil, now) }, false, MediaProcessing, ""},
		{"result_for_a_removed_item_is_kept_for_restore", Media{Status: MediaRemoved, PreviousStatus: MediaProcessing, ObjectKey: "k1", SettledStatus: MediaPublished},
			func(m *Media) bool { return m.FinishProcessing("k1", content, nil, now) }, true, MediaRemoved, MediaPublished},
		{"result_after_unrelated_edit_to_draft_is_ignored", Media{Status: MediaDraft, ObjectKey: "k1"},
			func(m *Media) bool { return m.FinishProcessing("k1", content, nil, now) }, false, MediaDraft, ""},
		{"failure_fails", Media{Status: MediaProcessing, ObjectKey: "k1"},
			func(m *Media) bool { return m.FailProcessing("k1", "bad file", now) }, true, MediaFailed, ""},
		// Processing's report can overtake storage's on the bus (issue 8).
		{"result_that_overtakes_its_upload_settles_a_processing_item", Media{Status: MediaProcessing, ObjectKey: "k1", UploadedAt: &now, SettledStatus: MediaDraft},
			func(m *Media) bool {
				m.CatchUp("k2", now.Add(time.Second), now)
				settled := m.FinishProcessing("k2", content, nil, now)
				late := m.StartProcessing("k2", now.Add(time.Second), now)
				return settled && !late && m.ObjectKey == "k2"
			}, true, MediaDraft, ""},
		{"result_that_overtakes_its_upload_settles_a_published_item", Media{Status: MediaPublished, ObjectKey: "k1", UploadedAt: &now, Content: &content},
			func(m *Media) bool {
				m.CatchUp("k2", now.Add(time.Second), now)
				return m.FinishProcessing("k2", content, nil, now) && !m.StartProcessing("k2", now.Add(time.Second), now)
			}, true, MediaPublished, ""},
		{"failure_that_overtakes_its_upload_fails_the_item", Media{Status: MediaDraft, ObjectKey: "k1", UploadedAt: &now},
			func(m *Media) bool {
				m.CatchUp("k2", now.Add(time.Second), now)
				return m.FailProcessing("k2", "bad file", now) && !m.StartProcessing("k2", now.Add(time.Second), now)
			}, true, MediaFailed, ""},
		{"result_for_an_upload_before_the_current_one_is_ignored", Media{Status: MediaProcessing, ObjectKey: "k2", UploadedAt: &now},
			func(m *Media) bool {
				m.CatchUp("k1", now.Add(-time.Second), now)
				return m.FinishProcessing("k1", content, nil, now)
			}, false, MediaProcessing, ""},
		{"result_without_its_upload_time_is_not_news_of_the_upload", Media{Status: MediaDraft, ObjectKey: "k1", UploadedAt: &now},
			func(m *Media) bool {
				m.CatchUp("k2", time.Time{}, now)
				return m.FinishProcessing("k2", content, nil, now)
			}, false, MediaDraft, ""},
		{"stale_failure_is_ignored", Media{Status: MediaPublished, ObjectKey: "k1"},
			func(m *Media) bool { return m.FailProcessing("k0", "bad file", now) }, false, MediaPublished, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := tc.item
			before := m.Version
			if got := tc.step(&m); got != tc.changed {
				t.Fatalf("changed = %v, want %v", got, tc.changed)
			}
			if m.Status != tc.wantStatus || (tc.wantPrev != "" && m.PreviousStatus != tc.wantPrev) {
				t.Fatalf("status %s (previous %s), want %s (%s)", m.Status, m.PreviousStatus, tc.wantStatus, tc.wantPrev)
			}
			if tc.changed != (m.Version != before) {
				t.Fatalf("version %d → %d with changed=%v", before, m.Version, tc.changed)
			}
		})
	}
}

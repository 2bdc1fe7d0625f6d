package processing

import (
	"context"
	"encoding/json"
	"os"
)

// Chapters of audio and video (ffprobe -show_chapters reads ID3 CHAP, MP4
// and Matroska chapters alike) are kept in the content and, for players
// that read Podcasting 2.0 JSON chapters, as chapters.json. EPUB navigation
// and PDF outlines are kept in the content only: they have no times.

// podcastChapters is the Podcasting 2.0 JSON chapters document
// (application/json+chapters, version 1.2.0).
type podcastChapters struct {
	Version  string           `json:"version"`
	Chapters []podcastChapter `json:"chapters"`
}

type podcastChapter struct {
	StartTime float64 `json:"startTime"`
	EndTime   float64 `json:"endTime,omitempty"`
	Title     string  `json:"title,omitempty"`
}

// chaptersJSON stores chapters.json when the original has timed chapters.
func (w *work) chaptersJSON(ctx context.Context) error {
	cs := w.res.Content.Chapters
	if len(cs) == 0 {
		return nil
	}
	doc := podcastChapters{Version: "1.2.0", Chapters: make([]podcastChapter, len(cs))}
	for i, c := range cs {
		doc.Chapters[i] = podcastChapter{StartTime: c.Start, EndTime: c.End, Title: c.Title}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	if err := os.WriteFile(w.path("chapters.json"), b, 0o600); err != nil {
		return err
	}
	return w.put(ctx, "chapters", "chapters.json", "application/json+chapters")
}

package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// Media kinds.
const (
	KindBook     = "book"
	KindDocument = "document"
	KindPodcast  = "podcast"
	KindVideo    = "video"
)

// MaxCategoriesPerMedia bounds the categories of a media item.
const MaxCategoriesPerMedia = 20

// MediaKinds lists every kind.
var MediaKinds = []string{KindBook, KindDocument, KindPodcast, KindVideo}

// Media is a book, document, podcast or video published under authors.
type Media struct {
	ID          string
	Title       string
	Description string
	Kind        string
	Language    string
	AuthorIDs   []string
	CategoryIDs []string
	Tags        []string
	License     string
	PublishedAt *time.Time
	Status      string
	// PreviousStatus is what restore brings a removed item back to.
	PreviousStatus string
	// RemovedBy names the author whose removal removed the item; restoring
	// that author restores it. Empty when the item was removed on its own.
	RemovedBy string
	// StatusReason says why processing failed (status failed).
	StatusReason string
	// Content and Derivatives describe the uploaded file once processed.
	Content     *MediaContent
	Derivatives []Derivative
	// ProcessingProgress is how far processing is (0 to 1) while the item
	// is processing and processing reported it; nil otherwise.
	ProcessingProgress *float64
	// ObjectKey is the stored original the item points at.
	ObjectKey string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64

	// UploadedAt is when storage recorded the original; storage's reports
	// of files it recorded earlier are stale. Nil before the first upload.
	UploadedAt *time.Time
	// SettledStatus is the status processing returns the item to: draft or
	// published, as it was before the upload ("" is draft).
	SettledStatus string
}

// MediaFields are the settable fields of a media item; nil means "not given".
type MediaFields struct {
	Title, Description, Kind, Language *string
	AuthorIDs, CategoryIDs, Tags       *[]string
	License                            *string
	PublishedAt                        *time.Time
	Status                             *string
}

// References are the rows a change names, loaded by the caller beforehand.
type References struct {
	// Authors holds every author the item names, before and after the change.
	Authors map[string]Author
	// Categories maps each named category ID that exists to whether it is active.
	Categories map[string]bool
}

// VisibleTo reports whether the actor may know the item exists: moderators
// and members of its authors always; others only when it is published and
// every one of its authors is active.
func (m Media) VisibleTo(actor Actor, authors map[string]Author) bool {
	if actor.Moderator || m.isMember(actor, authors) {
		return true
	}
	if m.Status != MediaPublished {
		return false
	}
	for _, id := range m.AuthorIDs {
		if a, ok := authors[id]; !ok || a.Status != StatusActive {
			return false
		}
	}
	return true
}

func (m Media) isMember(actor Actor, authors map[string]Author) bool {
	for _, id := range m.AuthorIDs {
		if a, ok := authors[id]; ok && a.IsMember(actor) {
			return true
		}
	}
	return false
}

func (m Media) notFound() error { return errs.NotFoundf("media %s not found", m.ID) }

func (m *Media) touch(now time.Time) {
	m.UpdatedAt = now
	m.Version++
}

// NewMedia creates a media item; the actor must be a member of every author.
func NewMedia(actor Actor, f MediaFields, refs References, lim Limits, now time.Time) (Media, error) {
	if err := requireSignedIn(actor); err != nil {
		return Media{}, err
	}
	m := Media{ID: NewID(), Status: MediaDraft, AuthorIDs: []string{}, CategoryIDs: []string{}, Tags: []string{},
		CreatedAt: now, UpdatedAt: now, Version: 1}
	var v errs.Validation
	for _, req := range []struct {
		name string
		set  bool
	}{{"title", f.Title != nil}, {"kind", f.Kind != nil}, {"author_ids", f.AuthorIDs != nil}} {
		v.Check(req.set, req.name, "is required")
	}
	if f.Kind != nil {
		m.Kind = *f.Kind
		v.Check(slices.Contains(MediaKinds, m.Kind), "kind", "must be one of %s", strings.Join(MediaKinds, ", "))
	}
	m.apply(&v, f, refs, lim)
	if f.Status != nil && *f.Status != MediaDraft && *f.Status != MediaPublished {
		v.Add("status", "must be draft or published")
	}
	if err := v.Err(); err != nil {
		return Media{}, err
	}
	for _, id := range m.AuthorIDs {
		if !refs.Authors[id].IsMember(actor) {
			return Media{}, errs.Forbiddenf("you must be a member of every author of the media item (not of %s)", id)
		}
	}
	if f.Status != nil {
		m.setStatus(*f.Status, now)
	}
	return m, nil
}

// Update applies a member's PATCH.
func (m *Media) Update(actor Actor, f MediaFields, refs References, lim Limits, expect int64, now time.Time) error {
	if !m.VisibleTo(actor, refs.Authors) {
		return m.notFound()
	}
	if !m.isMember(actor, refs.Authors) {
		return errs.Forbiddenf("only members of the media item's authors may edit it")
	}
	if err := CheckVersion(expect, m.Version); err != nil {
		return err
	}
	if m.Status == MediaRemoved {
		return errs.Conflictf("the media item is removed; a moderator must restore it first")
	}
	before := m.AuthorIDs
	var v errs.Validation
	if f.Kind != nil && *f.Kind != m.Kind {
		v.Add("kind", "cannot change after creation")
	}
	m.apply(&v, f, refs, lim)
	if err := v.Err(); err != nil {
		return err
	}
	if err := checkCreditChange(actor, before, m.AuthorIDs, refs.Authors); err != nil {
		return err
	}
	if f.Status != nil {
		if err := Transition(m.Status, *f.Status, ByEdit); err != nil {
			return err
		}
		m.setStatus(*f.Status, now)
	}
	m.touch(now)
	return nil
}

// checkCreditChange enforces who may change an item's authors: a member of
// one co-author must not take the others' credit away, nor credit authors
// they do not belong to. Every author added and every author removed needs
// the actor's membership; moderators may change any credit.
func checkCreditChange(actor Actor, before, after []string, authors map[string]Author) error {
	if actor.Moderator {
		return nil
	}
	for _, id := range after {
		if !slices.Contains(before, id) && !authors[id].IsMember(actor) {
			return errs.Forbiddenf("you may only add authors you are a member of (not %s)", id)
		}
	}
	for _, id := range before {
		if !slices.Contains(after, id) && !authors[id].IsMember(actor) {
			return errs.Forbiddenf("you may only remove authors you are a member of (not %s)", id)
		}
	}
	return nil
}

// setStatus moves to status; publishing stamps published_at unless given.
func (m *Media) setStatus(status string, now time.Time) {
	m.Status = status
	if status == MediaPublished && m.PublishedAt == nil {
		m.PublishedAt = &now
	}
}

// apply validates and copies the given fields (not kind, not status).
func (m *Media) apply(v *errs.Validation, f MediaFields, refs References, lim Limits) {
	if f.Title != nil {
		m.Title = strings.TrimSpace(*f.Title)
		checkText(v, "title", m.Title, 1, 300)
	}
	if f.Description != nil {
		m.Description = *f.Description
		checkLongText(v, "description", m.Description, 0, 20000)
	}
	if f.Language != nil {
		m.Language = ""
		if *f.Language != "" {
			lang, err := CanonicalLanguage(*f.Language)
			if err != nil {
				v.Add("language", "%s", err.Error())
			}
			m.Language = lang
		}
	}
	if f.AuthorIDs != nil {
		m.AuthorIDs = append([]string{}, *f.AuthorIDs...)
		switch n := len(m.AuthorIDs); {
		case n == 0:
			v.Add("author_ids", "must name at least one author")
		case n > lim.MaxAuthorsPerMedia:
			v.Add("author_ids", "must name at most %d authors", lim.MaxAuthorsPerMedia)
		}
		checkIDs(v, "author_ids", m.AuthorIDs)
		for i, id := range m.AuthorIDs {
			if a, ok := refs.Authors[id]; ValidID(id) && (!ok || a.Status != StatusActive) {
				v.Add(fmt.Sprintf("author_ids[%d]", i), "no such active author")
			}
		}
	}
	if f.CategoryIDs != nil {
		m.CategoryIDs = append([]string{}, *f.CategoryIDs...)
		if len(m.CategoryIDs) > MaxCategoriesPerMedia {
			v.Add("category_ids", "must name at most %d categories", MaxCategoriesPerMedia)
		}
		checkIDs(v, "category_ids", m.CategoryIDs)
		for i, id := range m.CategoryIDs {
			if ValidID(id) && !refs.Categories[id] {
				v.Add(fmt.Sprintf("category_ids[%d]", i), "no such active category")
			}
		}
	}
	if f.Tags != nil {
		m.Tags = NormalizeTags(v, "tags", *f.Tags, lim.MaxTagsPerMedia)
	}
	if f.License != nil {
		lic, ok := CanonicalLicense(*f.License)
		v.Check(ok, "license", "must be a supported SPDX identifier (e.g. MIT, CC-BY-4.0) or empty")
		m.License = lic
	}
	if f.PublishedAt != nil {
		t := Stamp(*f.PublishedAt)
		m.PublishedAt = &t
	}
}

// Remove soft-deletes the item: members of any of its authors, or moderators.
func (m *Media) Remove(actor Actor, authors map[string]Author, now time.Time) error {
	if !m.VisibleTo(actor, authors) {
		return m.notFound()
	}
	if !actor.Moderator && !m.isMember(actor, authors) {
		return errs.Forbiddenf("only members of the media item's authors or moderators may remove it")
	}
	if m.Status == MediaRemoved {
		return nil
	}
	if err := Transition(m.Status, MediaRemoved, ByRemove); err != nil {
		return err
	}
	m.PreviousStatus, m.Status, m.RemovedBy = m.Status, MediaRemoved, ""
	m.touch(now)
	return nil
}

// Restore returns a removed item to the status it had: moderators only.
func (m *Media) Restore(actor Actor, authors map[string]Author, now time.Time) error {
	if !m.VisibleTo(actor, authors) {
		return m.notFound()
	}
	if !actor.Moderator {
		return errs.Forbiddenf("only moderators may restore media")
	}
	to := m.PreviousStatus
	if to == "" || to == MediaRemoved {
		to = MediaDraft
	}
	if err := Transition(m.Status, to, ByRestore); err != nil {
		return err
	}
	if m.Status == to {
		return errs.Conflictf("the media item is not removed")
	}
	m.Status, m.PreviousStatus, m.RemovedBy = to, "", ""
	m.touch(now)
	return nil
}

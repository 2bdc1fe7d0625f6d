package domain

import (
	"slices"
	"time"
)

// The author-removal saga: when an author is removed, its media are removed
// with it, remembering the author as the cause; when the author is restored,
// exactly those media come back. Media removed on their own stay removed.
// Both rules look only at the item's current state, so applying one twice,
// or after a later change, does no harm.

// RemoveWithAuthor removes the item because authorID was removed. An item
// that is already removed keeps its own cause; one that does not credit the
// author is left alone. It reports whether the item changed.
func (m *Media) RemoveWithAuthor(authorID string, now time.Time) bool {
	if m.Status == MediaRemoved || !slices.Contains(m.AuthorIDs, authorID) {
		return false
	}
	if Transition(m.Status, MediaRemoved, ByRemove) != nil {
		return false
	}
	m.PreviousStatus, m.Status, m.RemovedBy = m.Status, MediaRemoved, authorID
	m.touch(now)
	return true
}

// RestoreWithAuthor undoes RemoveWithAuthor for authorID, now active again.
// When another of the item's authors is still removed, the item stays
// removed and that author becomes its cause, so restoring that author
// restores it. authors holds the item's authors as they are now. It reports
// whether the item changed.
func (m *Media) RestoreWithAuthor(authorID string, authors map[string]Author, now time.Time) bool {
	if m.Status != MediaRemoved || m.RemovedBy != authorID {
		return false
	}
	for _, id := range m.AuthorIDs {
		if a, ok := authors[id]; ok && id != authorID && a.Status == StatusRemoved {
			m.RemovedBy = id
			m.touch(now)
			return true
		}
	}
	to := m.PreviousStatus
	if to == "" || to == MediaRemoved {
		to = MediaDraft
	}
	if Transition(m.Status, to, ByRestore) != nil {
		return false
	}
	m.Status, m.PreviousStatus, m.RemovedBy = to, "", ""
	m.touch(now)
	return true
}

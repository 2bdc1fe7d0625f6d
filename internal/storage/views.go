package storage

import "time"

// The HTTP views: what the API shows, built from the repository's rows.

// UploadJSON is a media item's current file as the API shows it.
type UploadJSON struct {
	UploadID    string    `json:"upload_id" doc:"The upload"`
	MediaID     string    `json:"media_id" doc:"The media item"`
	SHA256      string    `json:"sha256" doc:"sha256 of the bytes, hex (also the download's ETag)"`
	Size        int64     `json:"size" doc:"Size in bytes"`
	ContentType string    `json:"content_type" doc:"Type sniffed from the bytes"`
	Filename    string    `json:"filename,omitempty" doc:"Display name"`
	CompletedAt time.Time `json:"completed_at" doc:"When the upload was recorded"`
}

func uploadJSON(u upload) UploadJSON {
	return UploadJSON{UploadID: u.ID, MediaID: u.MediaID, SHA256: u.SHA256, Size: u.Size, ContentType: u.ContentType,
		Filename: u.Filename, CompletedAt: u.CompletedAt}
}

// LinkJSON is a signed download link.
type LinkJSON struct {
	ID      string `json:"id" doc:"The link's ID, to revoke it"`
	MediaID string `json:"media_id" doc:"The media item whose file it downloads"`
	URL     string `json:"url,omitempty" doc:"The download URL (only in the answer that made the link): anyone holding it may download the file until expires_at, while the item is not removed and, for an item that is not public, while its creator is still a member of one of the item's authors"`
	// DerivativesURL opens every derivative under the same conditions.
	DerivativesURL string     `json:"derivatives_url,omitempty" doc:"Base URL of the item's derivatives through this link (only in the answer that made the link): append a derivative's name, e.g. hls.m3u8 for the HLS master playlist, whose relative URIs resolve under the same link"`
	CreatedBy      string     `json:"created_by" doc:"Who made it"`
	CreatedAt      time.Time  `json:"created_at" doc:"When it was made"`
	ExpiresAt      time.Time  `json:"expires_at" doc:"When the link stops working"`
	RevokedAt      *time.Time `json:"revoked_at,omitempty" doc:"When it was revoked; a revoked link answers 410"`
}

func linkJSON(l downloadLink) LinkJSON {
	v := LinkJSON{ID: l.ID, MediaID: l.MediaID, CreatedBy: l.CreatedBy, CreatedAt: l.CreatedAt.UTC(), ExpiresAt: l.ExpiresAt.UTC()}
	if l.RevokedAt != nil {
		t := l.RevokedAt.UTC()
		v.RevokedAt = &t
	}
	return v
}

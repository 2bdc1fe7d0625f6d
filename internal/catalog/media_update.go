package catalog

import (
	"context"
	"time"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type mediaUpdateInput struct {
	MediaPath
	IfMatchHeader
	Body struct {
		Title       *string    `json:"title,omitempty" minLength:"1" maxLength:"300" doc:"Title"`
		Description *string    `json:"description,omitempty" maxLength:"20000" doc:"Description"`
		Kind        *string    `json:"kind,omitempty" doc:"Immutable: any other value than the current kind is refused"`
		Language    *string    `json:"language,omitempty" maxLength:"35" doc:"BCP 47 language tag; empty clears it"`
		AuthorIDs   []string   `json:"author_ids,omitempty" maxItems:"50" doc:"Replaces the credits; authors you add or remove must be ones you belong to (moderators: any)"`
		CategoryIDs []string   `json:"category_ids,omitempty" maxItems:"20" doc:"Replaces the categories"`
		Tags        []string   `json:"tags,omitempty" maxItems:"100" doc:"Replaces the tags"`
		License     *string    `json:"license,omitempty" maxLength:"100" doc:"SPDX identifier; empty clears it"`
		PublishedAt *time.Time `json:"published_at,omitempty" doc:"Publication date"`
		Status      *string    `json:"status,omitempty" enum:"draft,published" doc:"Publish or unpublish"`
	}
}

// mediaUpdate applies a member's PATCH, honouring If-Match.
func (s *Service) mediaUpdate(ctx context.Context, in *mediaUpdateInput) (*mediaGetOutput, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	expect, err := in.version()
	if err != nil {
		return nil, err
	}
	b := in.Body
	f := domain.MediaFields{Title: b.Title, Description: b.Description, Kind: b.Kind, Language: b.Language,
		AuthorIDs: given(b.AuthorIDs), CategoryIDs: given(b.CategoryIDs), Tags: given(b.Tags), License: b.License,
		PublishedAt: b.PublishedAt, Status: b.Status}
	m, err := s.updateMedia(ctx, actor, in.ID, f, expect)
	if err != nil {
		return nil, err
	}
	return &mediaGetOutput{ETag: httpx.ETag(m.Version), Body: mediaView(m)}, nil
}

// given tells a list that was sent (even empty) from one that was not.
func given(list []string) *[]string {
	if list == nil {
		return nil
	}
	return &list
}

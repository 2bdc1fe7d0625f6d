package catalog

import (
	"context"
	"time"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type mediaCreateInput struct {
	Body struct {
		Title       string     `json:"title" minLength:"1" maxLength:"300" doc:"Title"`
		Description string     `json:"description,omitempty" maxLength:"20000" doc:"Description"`
		Kind        string     `json:"kind" enum:"book,document,podcast,video" doc:"What the item is; fixed once created"`
		Language    string     `json:"language,omitempty" maxLength:"35" doc:"BCP 47 language tag, e.g. en or pt-BR"`
		AuthorIDs   []string   `json:"author_ids" minItems:"1" maxItems:"50" doc:"Authors to credit; you must be a member of each"`
		CategoryIDs []string   `json:"category_ids,omitempty" maxItems:"20" doc:"Active categories"`
		Tags        []string   `json:"tags,omitempty" maxItems:"100" doc:"Tags (trimmed, lower-cased, de-duplicated)"`
		License     string     `json:"license,omitempty" maxLength:"100" doc:"SPDX identifier, e.g. CC-BY-4.0"`
		PublishedAt *time.Time `json:"published_at,omitempty" doc:"Publication date; set on first publish when absent"`
		Status      string     `json:"status,omitempty" enum:"draft,published" default:"draft" doc:"Initial status"`
	}
}

type mediaOutput struct {
	ETag     string `header:"ETag" doc:"The media item's version"`
	Location string `header:"Location" doc:"Where the new media item lives"`
	Body     mediaJSON
}

// mediaCreate publishes (or drafts) a media item under authors the caller
// belongs to. References are read in the same transaction as the insert, so
// an author removed meanwhile cannot be credited.
func (s *Service) mediaCreate(ctx context.Context, in *mediaCreateInput) (*mediaOutput, error) {
	actor, err := s.requireActor(ctx)
	if err != nil {
		return nil, err
	}
	b := in.Body
	f := domain.MediaFields{Title: &b.Title, Description: &b.Description, Kind: &b.Kind, Language: &b.Language,
		AuthorIDs: &b.AuthorIDs, CategoryIDs: &b.CategoryIDs, Tags: &b.Tags, License: &b.License, PublishedAt: b.PublishedAt}
	if b.Status != "" {
		f.Status = &b.Status
	}
	m, err := s.createMedia(ctx, actor, f)
	if err != nil {
		return nil, err
	}
	return &mediaOutput{ETag: httpx.ETag(m.Version), Location: "/v1/media/" + m.ID, Body: mediaView(m)}, nil
}

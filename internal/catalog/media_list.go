package catalog

import (
	"context"
	"strings"

	"github.com/alexandria-platform/alexandria/internal/catalog/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type mediaListInput struct {
	Kind       string `query:"kind" enum:"book,document,podcast,video" doc:"Only this kind"`
	AuthorID   string `query:"author_id" doc:"Only media crediting this author"`
	CategoryID string `query:"category_id" doc:"Only media in this category"`
	Language   string `query:"language" maxLength:"35" doc:"Only media in this language (BCP 47)"`
	Tag        string `query:"tag" maxLength:"50" doc:"Only media with this tag"`
	Status     string `query:"status" enum:"draft,processing,published,failed,removed" doc:"Only this status, among what you may see; by default every status but removed"`
	OrderBy    string `query:"order_by" enum:"newest,oldest,title" default:"newest" doc:"Order of the list"`
	PageParams
}

type mediaListOutput struct {
	Body struct {
		Items         []mediaJSON `json:"items" doc:"One page of media"`
		NextPageToken string      `json:"next_page_token,omitempty" doc:"Pass as page_token for the next page; absent on the last"`
	}
}

// mediaList pages through the media the caller may see.
func (s *Service) mediaList(ctx context.Context, in *mediaListInput) (*mediaListOutput, error) {
	var v errs.Validation
	httpx.CheckQueryText(&v, "tag", in.Tag)
	checkQueryID(&v, "author_id", in.AuthorID)
	checkQueryID(&v, "category_id", in.CategoryID)
	lang := in.Language
	if lang != "" {
		var err error
		if lang, err = domain.CanonicalLanguage(lang); err != nil {
			v.Add("query.language", "%s", err.Error())
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	spec, ok := mediaOrders[in.OrderBy]
	if !ok {
		spec = mediaOrders["newest"]
	}
	after, err := decodePosition(in.PageToken, spec)
	if err != nil {
		return nil, err
	}
	items, next, err := s.listMedia(ctx, MediaQuery{Actor: actorOf(ctx), Kind: in.Kind, AuthorID: in.AuthorID,
		CategoryID: in.CategoryID, Language: lang, Tag: strings.ToLower(strings.TrimSpace(in.Tag)), Status: in.Status,
		Order: spec, After: after, Size: in.size()})
	if err != nil {
		return nil, err
	}
	out := &mediaListOutput{}
	out.Body.Items, out.Body.NextPageToken = mediaViews(items), next
	return out, nil
}

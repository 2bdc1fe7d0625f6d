package feeds

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/feeds/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// The feed files every scope offers.
const (
	formatAtom    = "atom.xml"
	formatJSON    = "feed.json"
	formatPodcast = "podcast.xml"
)

// What a feed is about.
const (
	scopeAll      = "all"
	scopeAuthor   = "authors"
	scopeCategory = "categories"
	scopeTag      = "tags"
)

// podcastKinds are the kinds a podcast feed carries: audio and video
// episodes, each with its own file as the enclosure.
var podcastKinds = []string{domain.KindPodcast, domain.KindVideo}

// subject is a resolved feed scope.
type subject struct {
	title, description string
	// path is the scope's path under /feeds (e.g. /feeds/authors/{id}).
	path string
	// selfPath replaces path in the feed's self link: a private feed's
	// own URL, with its secret.
	selfPath string
	// page is the web page the feed is the feed of.
	page    string
	owner   *domain.Author
	query   mediaQuery
	updated time.Time
}

// getFeed is GET /feeds/…/{atom.xml,feed.json,podcast.xml}.
func (s *Service) getFeed(scope, format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		param, err := feedParam(r, scope)
		if err != nil {
			httpx.WriteProblem(w, r, err)
			return
		}
		s.serveDoc(w, r, format, scope+"/"+param+"/"+format, func(ctx context.Context, l links) (*rendered, error) {
			sub, err := s.resolve(ctx, l, scope, param)
			if err != nil {
				return nil, err
			}
			return s.renderFeed(ctx, l, sub, format)
		})
	}
}

// feedParam is the checked author or category ID or tag of a feed's path.
func feedParam(r *http.Request, scope string) (string, error) {
	param := r.PathValue("id")
	if scope == scopeTag {
		param = r.PathValue("tag")
	}
	return param, checkParam(scope, param)
}

// checkParam refuses a malformed author or category ID or tag before any
// lookup.
func checkParam(scope, param string) error {
	switch scope {
	case scopeAuthor:
		if _, err := uuid.Parse(param); err != nil {
			return errs.InvalidField("path.id", "must be an author ID (UUID)")
		}
	case scopeCategory:
		if len(param) == 0 || len(param) > 200 {
			return errs.InvalidField("path.id", "must be a category ID or slug")
		}
	case scopeTag:
		if p := httpx.TextProblem(param, false); p != "" || len(param) == 0 || len(param) > 100 {
			return errs.InvalidField("path.tag", "must be a tag of 1 to 100 characters")
		}
	}
	return nil
}

func (s *Service) resolve(ctx context.Context, l links, scope, param string) (subject, error) {
	switch scope {
	case scopeAuthor:
		a, ok, err := s.app.author(ctx, param)
		if err != nil {
			return subject{}, err
		}
		if !ok {
			return subject{}, errs.NotFoundf("author %s not found", param)
		}
		return subject{title: a.Name, description: a.Bio, path: "/feeds/authors/" + a.ID, page: l.authorPage(a.ID),
			owner: &a, query: mediaQuery{AuthorID: a.ID}, updated: a.UpdatedAt}, nil
	case scopeCategory:
		_, isID := uuid.Parse(param)
		c, ok, err := s.app.category(ctx, param, isID == nil)
		if err != nil {
			return subject{}, err
		}
		if !ok {
			return subject{}, errs.NotFoundf("category %s not found", param)
		}
		return subject{title: c.Name, description: c.Description, path: "/feeds/categories/" + url.PathEscape(param),
			page: l.abs("/categories/" + url.PathEscape(c.Slug)), query: mediaQuery{CategoryID: c.ID}, updated: c.UpdatedAt}, nil
	case scopeTag:
		return subject{title: "#" + param, description: "New items tagged " + param, path: "/feeds/tags/" + url.PathEscape(param),
			page: l.abs("/tags/" + url.PathEscape(param)), query: mediaQuery{Tag: param}}, nil
	}
	return subject{title: "Alexandria", description: "New books, documents, podcasts and videos", path: "/feeds",
		page: l.abs("/")}, nil
}

func (s *Service) renderFeed(ctx context.Context, l links, sub subject, format string) (*rendered, error) {
	q := sub.query
	q.Limit = s.cfg.PageSize
	if format == formatPodcast {
		q.Kinds, q.Limit = podcastKinds, s.cfg.PodcastEpisodes
	}
	items, err := s.app.listItems(ctx, q)
	if err != nil {
		return nil, err
	}
	self := l.abs(cmp.Or(sub.selfPath, sub.path) + "/" + format)
	updated := newest(items, sub.updated)
	if updated.IsZero() {
		updated = time.Unix(0, 0)
	}
	switch format {
	case formatAtom:
		b, err := atomFeed(l, "urn:alexandria:feed:"+sub.path, sub.title, sub.description, self, sub.page, items, updated)
		return newRendered(b, "application/atom+xml; charset=utf-8", updated), err
	case formatJSON:
		b, err := jsonFeed(l, sub.title, sub.description, self, sub.page, sub.owner, items)
		return newRendered(b, "application/feed+json; charset=utf-8", updated), err
	}
	sh := show{Title: sub.title, Description: sub.description, Link: sub.page, Self: self, Owner: sub.owner,
		Category: s.cfg.PodcastCategory, OwnerEmail: s.cfg.OwnerEmail, Updated: updated}
	if sub.owner != nil {
		sh.Image = sub.owner.Avatar
	}
	if len(items) > 0 {
		sh.Language = items[0].Language
	}
	b, err := podcastFeed(l, sh, items)
	return newRendered(b, "application/rss+xml; charset=utf-8", updated), err
}

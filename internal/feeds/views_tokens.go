package feeds

import (
	"time"

	"github.com/alexandria-platform/alexandria/internal/feeds/domain"
)

// feedTokenJSON is a private feed token as listed: never its secret.
type feedTokenJSON struct {
	ID         string     `json:"id" doc:"Token ID (to revoke it)"`
	Name       string     `json:"name" doc:"What the subscriber called it (e.g. the podcast app)"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty" doc:"Last time a private feed was read with it (recorded at most every 10 minutes)"`
}

// feedTokenCreatedJSON is a new token, with its secret shown this once and
// the private feed URLs made with it ({id} and {tag} to fill in).
type feedTokenCreatedJSON struct {
	feedTokenJSON
	Token    string            `json:"token" doc:"The secret, shown only now: it is part of every private feed URL"`
	FeedURLs map[string]string `json:"feed_urls" doc:"Private feed URLs; replace {id} with an author or category ID (or category slug) and {tag} with a tag"`
}

func feedTokenView(t domain.FeedToken) feedTokenJSON {
	return feedTokenJSON{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt}
}

// privateFeedURLs lists the private forms of every feed for secret.
func privateFeedURLs(l links, secret string) map[string]string {
	p := l.abs(privateRoot + secret)
	return map[string]string{
		"atom": p + "/" + formatAtom, "json": p + "/" + formatJSON,
		"author_atom": p + "/authors/{id}/" + formatAtom, "author_json": p + "/authors/{id}/" + formatJSON,
		"author_podcast":   p + "/authors/{id}/" + formatPodcast,
		"category_atom":    p + "/categories/{id}/" + formatAtom,
		"category_json":    p + "/categories/{id}/" + formatJSON,
		"category_podcast": p + "/categories/{id}/" + formatPodcast,
		"tag_atom":         p + "/tags/{tag}/" + formatAtom, "tag_json": p + "/tags/{tag}/" + formatJSON,
	}
}

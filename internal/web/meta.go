package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Item pages (/media/{id}) carry their item's Open Graph, Twitter card and
// schema.org JSON-LD in the app shell's <head>, so that link previews and
// crawlers that run no script see them. The data is catalog's public
// answer for an anonymous caller (published items only), asked through the
// process's router when catalog runs in this process, else over HTTP at the
// public URL; when neither answers the shell is served as it is.

// publicMedia is the part of catalog's media JSON the tags use.
type publicMedia struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Kind        string     `json:"kind"`
	Language    string     `json:"language"`
	AuthorIDs   []string   `json:"author_ids"`
	License     string     `json:"license"`
	PublishedAt *time.Time `json:"published_at"`
	Status      string     `json:"status"`
	Content     *struct {
		Size            int64    `json:"size"`
		ContentType     string   `json:"content_type"`
		DurationSeconds *float64 `json:"duration_seconds"`
		Width           *int     `json:"width"`
		Height          *int     `json:"height"`
		Pages           *int     `json:"pages"`
	} `json:"content"`
	Derivatives []struct {
		Kind        string `json:"kind"`
		Name        string `json:"name"`
		ContentType string `json:"content_type"`
	} `json:"derivatives"`
}

// apiGetter fetches a public API path; ok is false when it did not answer 200.
type apiGetter func(ctx context.Context, path string) (body []byte, ok bool)

// inProcess asks the process's router, as an anonymous caller.
func inProcess(mux *http.ServeMux) apiGetter {
	return func(ctx context.Context, path string) ([]byte, bool) {
		// path is a fixed API path with a UUID checked by the caller; the
		// request never leaves the process.
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, path, nil) //nolint:gosec // see above
		if err != nil {
			return nil, false
		}
		req.Header.Set("Accept", "application/json")
		if !routes(mux, path) {
			return nil, false
		}
		rec := &recorder{header: http.Header{}, status: http.StatusOK}
		mux.ServeHTTP(rec, req)
		return rec.body.Bytes(), rec.status == http.StatusOK
	}
}

// routes reports whether the router has an API route for GET path.
func routes(mux *http.ServeMux, path string) bool {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, path, nil) //nolint:gosec // only matched against the router, never sent
	if err != nil {
		return false
	}
	_, pattern := mux.Handler(req)
	return pattern != "" && pattern != "/"
}

// overHTTP asks base over the network.
func overHTTP(base string, client *http.Client) apiGetter {
	return func(ctx context.Context, path string) ([]byte, bool) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil) //nolint:gosec // base is configuration
		if err != nil {
			return nil, false
		}
		req.Header.Set("Accept", "application/json")
		res, err := client.Do(req) //nolint:gosec // the host is configuration (http.public_url), the path a fixed API path
		if err != nil {
			return nil, false
		}
		defer func() { _ = res.Body.Close() }()
		b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
		return b, err == nil && res.StatusCode == http.StatusOK
	}
}

// recorder collects an in-process answer.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(status int)      { r.status = status }

// pageMeta renders the head tags of /media/{id}, or "" when the item is not
// public (or catalog does not answer).
type pageMeta struct {
	get       apiGetter
	publicURL string
}

// mediaID returns the ID of an item page path.
func mediaID(path string) (string, bool) {
	id, ok := strings.CutPrefix(path, "/media/")
	if !ok {
		return "", false
	}
	id = strings.TrimSuffix(id, "/")
	if _, err := uuid.Parse(id); err != nil {
		return "", false
	}
	return id, true
}

func (m pageMeta) base(r *http.Request) string {
	if m.publicURL != "" {
		return m.publicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (m pageMeta) tags(r *http.Request, id string) string {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	b, ok := m.get(ctx, "/v1/media/"+url.PathEscape(id))
	if !ok {
		return ""
	}
	var it publicMedia
	if err := json.Unmarshal(b, &it); err != nil || it.Status != "published" || it.ID != id {
		return ""
	}
	var authors []string
	for _, aid := range it.AuthorIDs {
		if _, err := uuid.Parse(aid); err != nil {
			continue
		}
		if ab, ok := m.get(ctx, "/v1/authors/"+url.PathEscape(aid)); ok {
			var a struct {
				Name string `json:"name"`
			}
			if json.Unmarshal(ab, &a) == nil && a.Name != "" {
				authors = append(authors, a.Name)
			}
		}
	}
	return renderMeta(m.base(r), it, authors)
}

// schemaTypes are the schema.org types of the kinds.
var schemaTypes = map[string]string{"book": "Book", "document": "DigitalDocument", "podcast": "PodcastEpisode", "video": "VideoObject"}

// ogTypes are the Open Graph types of the kinds.
var ogTypes = map[string]string{"book": "book", "document": "article", "podcast": "music.song", "video": "video.other"}

func renderMeta(base string, it publicMedia, authors []string) string {
	page := base + "/media/" + url.PathEscape(it.ID)
	content := base + "/v1/media/" + url.PathEscape(it.ID) + "/content"
	image := ""
	for _, want := range []string{"cover", "thumbnail"} {
		for _, d := range it.Derivatives {
			if d.Kind == want && image == "" {
				image = base + "/v1/media/" + url.PathEscape(it.ID) + "/derivatives/" + url.PathEscape(d.Name)
			}
		}
	}
	description := it.Description
	if len(description) > 300 {
		description = strings.ToValidUTF8(description[:300], "") + "…"
	}
	var b strings.Builder
	meta := func(attr, name, value string) {
		if value != "" {
			fmt.Fprintf(&b, "<meta %s=\"%s\" content=\"%s\">\n", attr, html.EscapeString(name), html.EscapeString(value))
		}
	}
	meta("property", "og:site_name", "Alexandria")
	meta("property", "og:type", ogTypes[it.Kind])
	meta("property", "og:title", it.Title)
	meta("property", "og:description", description)
	meta("property", "og:url", page)
	meta("property", "og:image", image)
	meta("property", "og:locale", strings.ReplaceAll(it.Language, "-", "_"))
	card := "summary"
	if image != "" && it.Kind == "video" {
		card = "summary_large_image"
	}
	if it.Content != nil {
		switch it.Kind {
		case "video":
			meta("property", "og:video", content)
			meta("property", "og:video:type", baseType(it.Content.ContentType))
			if it.Content.Width != nil && it.Content.Height != nil {
				meta("property", "og:video:width", fmt.Sprint(*it.Content.Width))
				meta("property", "og:video:height", fmt.Sprint(*it.Content.Height))
			}
		case "podcast":
			meta("property", "og:audio", content)
			meta("property", "og:audio:type", baseType(it.Content.ContentType))
		}
	}
	meta("name", "twitter:card", card)
	meta("name", "twitter:title", it.Title)
	meta("name", "twitter:description", description)
	meta("name", "twitter:image", image)
	oembed := base + "/oembed?" + url.Values{"url": {page}}.Encode()
	fmt.Fprintf(&b, "<link rel=\"alternate\" type=\"application/json+oembed\" href=\"%s\">\n", html.EscapeString(oembed))
	fmt.Fprintf(&b, "<link rel=\"alternate\" type=\"text/xml+oembed\" href=\"%s\">\n", html.EscapeString(oembed+"&format=xml"))

	ld := map[string]any{"@context": "https://schema.org", "@type": schemaTypes[it.Kind], "name": it.Title, "url": page}
	if it.Description != "" {
		ld["description"] = it.Description
	}
	if it.Language != "" {
		ld["inLanguage"] = it.Language
	}
	if it.PublishedAt != nil {
		ld["datePublished"] = it.PublishedAt.UTC().Format(time.RFC3339)
	}
	if image != "" {
		ld["image"] = image
		if it.Kind == "video" {
			ld["thumbnailUrl"] = image
			if it.PublishedAt != nil {
				ld["uploadDate"] = ld["datePublished"]
			}
		}
	}
	if len(authors) > 0 {
		var people []map[string]string
		for _, a := range authors {
			people = append(people, map[string]string{"@type": "Person", "name": a})
		}
		ld["author"] = people
	}
	if it.License != "" {
		ld["license"] = "https://spdx.org/licenses/" + url.PathEscape(it.License) + ".html"
	}
	if it.Content != nil {
		c := it.Content
		switch it.Kind {
		case "video", "podcast":
			media := map[string]any{"contentUrl": content, "encodingFormat": baseType(c.ContentType), "contentSize": fmt.Sprint(c.Size)}
			if c.DurationSeconds != nil {
				media["duration"] = fmt.Sprintf("PT%dS", int64(*c.DurationSeconds+0.5))
			}
			if it.Kind == "video" {
				for k, v := range media {
					ld[k] = v
				}
			} else {
				media["@type"] = "AudioObject"
				ld["associatedMedia"] = media
			}
		default:
			ld["encodingFormat"] = baseType(c.ContentType)
			if c.Pages != nil && it.Kind == "book" {
				ld["numberOfPages"] = *c.Pages
			}
		}
	}
	// json.Marshal escapes <, > and & so the data cannot close the script.
	j, err := json.Marshal(ld)
	if err == nil {
		fmt.Fprintf(&b, "<script type=\"application/ld+json\">%s</script>\n", j)
	}
	return b.String()
}

// baseType drops a media type's parameters.
func baseType(ct string) string {
	t, _, _ := strings.Cut(ct, ";")
	return strings.TrimSpace(t)
}

// serveWithMeta serves the app shell with tags inserted before </head>.
// Without the app, the placeholder page is the shell.
func (h *Handler) serveWithMeta(w http.ResponseWriter, r *http.Request, tags string) {
	shell, contentType, csp := []byte(placeholderPage), "text/html; charset=utf-8", placeholderCSP
	if h.index != nil {
		shell, contentType, csp = h.index.body, h.index.contentType, AppCSP
	}
	body := shell
	i := bytes.Index(bytes.ToLower(body), []byte("</head>"))
	if i < 0 {
		h.serveFile(w, r, h.index)
		return
	}
	out := make([]byte, 0, len(body)+len(tags))
	out = append(append(append(out, body[:i]...), tags...), body[i:]...)
	sum := sha256.Sum256(out)
	hd := w.Header()
	hd.Set("Content-Type", contentType)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("Content-Security-Policy", csp)
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("ETag", `"m-`+hex.EncodeToString(sum[:12])+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(out))
}

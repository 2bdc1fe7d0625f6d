package client

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Link is a titled web address on an author's profile.
type Link struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Member is a user behind an author.
type Member struct {
	UserID  string    `json:"user_id"`
	Role    string    `json:"role"`
	AddedAt time.Time `json:"added_at,omitzero"`
}

// Author is a public profile that media are published under.
type Author struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Bio       string    `json:"bio,omitempty"`
	Links     []Link    `json:"links,omitempty"`
	Avatar    string    `json:"avatar,omitempty"`
	Status    string    `json:"status"`
	Members   []Member  `json:"members,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int64     `json:"version"`
	// ETag is the entity tag of this representation (from the header).
	ETag string `json:"-"`
}

// AuthorInput creates an author.
type AuthorInput struct {
	Name   string `json:"name"`
	Bio    string `json:"bio,omitempty"`
	Links  []Link `json:"links,omitempty"`
	Avatar string `json:"avatar,omitempty"`
}

// AuthorPatch changes an author; nil fields stay as they are.
type AuthorPatch struct {
	Name   *string `json:"name,omitempty"`
	Bio    *string `json:"bio,omitempty"`
	Links  []Link  `json:"links,omitempty"`
	Avatar *string `json:"avatar,omitempty"`
}

// CreateAuthor creates an author owned by the caller.
func (c *Client) CreateAuthor(ctx context.Context, in AuthorInput) (*Author, error) {
	var a Author
	h, err := c.call(ctx, http.MethodPost, "/v1/authors", nil, nil, in, &a)
	a.ETag = etag(h)
	return &a, err
}

// GetAuthor reads an author.
func (c *Client) GetAuthor(ctx context.Context, id string) (*Author, error) {
	var a Author
	h, err := c.call(ctx, http.MethodGet, "/v1/authors/"+url.PathEscape(id), nil, nil, nil, &a)
	a.ETag = etag(h)
	return &a, err
}

// ListAuthors lists authors.
func (c *Client) ListAuthors(ctx context.Context, o ListOptions) (*Page[Author], error) {
	var p Page[Author]
	_, err := c.call(ctx, http.MethodGet, "/v1/authors", o.values(), nil, nil, &p)
	return &p, err
}

// UpdateAuthor changes an author; with a non-empty etag the change applies
// only if the author is still at that version.
func (c *Client) UpdateAuthor(ctx context.Context, id string, p AuthorPatch, etagValue string) (*Author, error) {
	var a Author
	h, err := c.call(ctx, http.MethodPatch, "/v1/authors/"+url.PathEscape(id), nil, ifMatch(etagValue), p, &a)
	a.ETag = etag(h)
	return &a, err
}

// DeleteAuthor removes an author (soft).
func (c *Client) DeleteAuthor(ctx context.Context, id string) error {
	_, err := c.call(ctx, http.MethodDelete, "/v1/authors/"+url.PathEscape(id), nil, nil, nil, nil)
	return err
}

// RestoreAuthor brings a removed author back (moderators).
func (c *Client) RestoreAuthor(ctx context.Context, id string) (*Author, error) {
	var a Author
	h, err := c.call(ctx, http.MethodPost, "/v1/authors/"+url.PathEscape(id)+"/restore", nil, nil, nil, &a)
	a.ETag = etag(h)
	return &a, err
}

// HardDeleteAuthor erases an author for good (admins).
func (c *Client) HardDeleteAuthor(ctx context.Context, id string) error {
	_, err := c.call(ctx, http.MethodDelete, "/v1/admin/authors/"+url.PathEscape(id), nil, nil, nil, nil)
	return err
}

// AddMember adds a user to an author as "owner" or "member" (owners).
func (c *Client) AddMember(ctx context.Context, authorID, userID, role string) (*Member, error) {
	var m Member
	_, err := c.call(ctx, http.MethodPost, "/v1/authors/"+url.PathEscape(authorID)+"/members", nil, nil,
		map[string]string{"user_id": userID, "role": role}, &m)
	return &m, err
}

// RemoveMember removes a user from an author.
func (c *Client) RemoveMember(ctx context.Context, authorID, userID string) error {
	_, err := c.call(ctx, http.MethodDelete, "/v1/authors/"+url.PathEscape(authorID)+"/members/"+url.PathEscape(userID), nil, nil, nil, nil)
	return err
}

// Media is a book, document, podcast or video.
type Media struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Description string     `json:"description,omitempty"`
	Kind        string     `json:"kind"`
	Language    string     `json:"language"`
	AuthorIDs   []string   `json:"author_ids"`
	CategoryIDs []string   `json:"category_ids"`
	Tags        []string   `json:"tags"`
	License     string     `json:"license,omitempty"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	Status      string     `json:"status"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	Version     int64      `json:"version"`
	ETag        string     `json:"-"`
}

// MediaInput creates a media item.
type MediaInput struct {
	Title       string     `json:"title"`
	Description string     `json:"description,omitempty"`
	Kind        string     `json:"kind"`
	Language    string     `json:"language"`
	AuthorIDs   []string   `json:"author_ids"`
	CategoryIDs []string   `json:"category_ids,omitempty"`
	Tags        []string   `json:"tags,omitempty"`
	License     string     `json:"license,omitempty"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
}

// MediaPatch changes a media item; nil fields stay as they are.
type MediaPatch struct {
	Title       *string    `json:"title,omitempty"`
	Description *string    `json:"description,omitempty"`
	Language    *string    `json:"language,omitempty"`
	AuthorIDs   []string   `json:"author_ids,omitempty"`
	CategoryIDs []string   `json:"category_ids,omitempty"`
	Tags        []string   `json:"tags,omitempty"`
	License     *string    `json:"license,omitempty"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	Status      *string    `json:"status,omitempty"`
}

// MediaFilter narrows a media list.
type MediaFilter struct {
	ListOptions
	Kind, AuthorID, CategoryID, Language, Tag, Status, OrderBy string
}

// CreateMedia creates a media item (members of every named author).
func (c *Client) CreateMedia(ctx context.Context, in MediaInput) (*Media, error) {
	var m Media
	h, err := c.call(ctx, http.MethodPost, "/v1/media", nil, nil, in, &m)
	m.ETag = etag(h)
	return &m, err
}

// GetMedia reads a media item.
func (c *Client) GetMedia(ctx context.Context, id string) (*Media, error) {
	var m Media
	h, err := c.call(ctx, http.MethodGet, "/v1/media/"+url.PathEscape(id), nil, nil, nil, &m)
	m.ETag = etag(h)
	return &m, err
}

// ListMedia lists media the caller may see.
func (c *Client) ListMedia(ctx context.Context, f MediaFilter) (*Page[Media], error) {
	v := f.values()
	for k, val := range map[string]string{"kind": f.Kind, "author_id": f.AuthorID, "category_id": f.CategoryID,
		"language": f.Language, "tag": f.Tag, "status": f.Status, "order_by": f.OrderBy} {
		if val != "" {
			v.Set(k, val)
		}
	}
	var p Page[Media]
	_, err := c.call(ctx, http.MethodGet, "/v1/media", v, nil, nil, &p)
	return &p, err
}

// UpdateMedia changes a media item, conditionally on etagValue when set.
func (c *Client) UpdateMedia(ctx context.Context, id string, p MediaPatch, etagValue string) (*Media, error) {
	var m Media
	h, err := c.call(ctx, http.MethodPatch, "/v1/media/"+url.PathEscape(id), nil, ifMatch(etagValue), p, &m)
	m.ETag = etag(h)
	return &m, err
}

// DeleteMedia removes a media item (soft).
func (c *Client) DeleteMedia(ctx context.Context, id string) error {
	_, err := c.call(ctx, http.MethodDelete, "/v1/media/"+url.PathEscape(id), nil, nil, nil, nil)
	return err
}

// RestoreMedia brings a removed item back (moderators).
func (c *Client) RestoreMedia(ctx context.Context, id string) (*Media, error) {
	var m Media
	h, err := c.call(ctx, http.MethodPost, "/v1/media/"+url.PathEscape(id)+"/restore", nil, nil, nil, &m)
	m.ETag = etag(h)
	return &m, err
}

// HardDeleteMedia erases an item for good (admins).
func (c *Client) HardDeleteMedia(ctx context.Context, id string) error {
	_, err := c.call(ctx, http.MethodDelete, "/v1/admin/media/"+url.PathEscape(id), nil, nil, nil, nil)
	return err
}

// Category is a node of the category tree.
type Category struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Slug        string    `json:"slug"`
	Description string    `json:"description,omitempty"`
	ParentID    string    `json:"parent_id,omitempty"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	Version     int64     `json:"version"`
	ETag        string    `json:"-"`
}

// CategoryInput creates a category (moderators).
type CategoryInput struct {
	Name        string `json:"name"`
	Slug        string `json:"slug,omitempty"`
	Description string `json:"description,omitempty"`
	ParentID    string `json:"parent_id,omitempty"`
}

// CreateCategory creates a category (moderators).
func (c *Client) CreateCategory(ctx context.Context, in CategoryInput) (*Category, error) {
	var cat Category
	h, err := c.call(ctx, http.MethodPost, "/v1/categories", nil, nil, in, &cat)
	cat.ETag = etag(h)
	return &cat, err
}

// GetCategory reads a category.
func (c *Client) GetCategory(ctx context.Context, id string) (*Category, error) {
	var cat Category
	h, err := c.call(ctx, http.MethodGet, "/v1/categories/"+url.PathEscape(id), nil, nil, nil, &cat)
	cat.ETag = etag(h)
	return &cat, err
}

// ListCategories lists active categories.
func (c *Client) ListCategories(ctx context.Context, o ListOptions) (*Page[Category], error) {
	var p Page[Category]
	_, err := c.call(ctx, http.MethodGet, "/v1/categories", o.values(), nil, nil, &p)
	return &p, err
}

func etag(h http.Header) string {
	if h == nil {
		return ""
	}
	return h.Get("ETag")
}

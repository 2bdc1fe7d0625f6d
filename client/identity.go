package client

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// User is an account.
type User struct {
	ID          string    `json:"id"`
	Email       string    `json:"email,omitempty"`
	DisplayName string    `json:"display_name"`
	Roles       []string  `json:"roles,omitempty"`
	Suspended   bool      `json:"suspended,omitempty"`
	CreatedAt   time.Time `json:"created_at,omitzero"`
	UpdatedAt   time.Time `json:"updated_at,omitzero"`
	Version     int64     `json:"version,omitempty"`
}

// Tokens answer a sign-in or a refresh.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	// DeviceToken (password sign-ins): send it with the next sign-in from
	// this device (LoginOnDevice), so others' failed attempts do not lock
	// you out.
	DeviceToken string `json:"device_token,omitempty"`
}

// Register creates an account.
func (c *Client) Register(ctx context.Context, email, password, displayName string) (*User, error) {
	var u User
	_, err := c.call(ctx, http.MethodPost, "/v1/users", nil, nil,
		map[string]string{"email": email, "password": password, "display_name": displayName}, &u)
	return &u, err
}

// Login signs in with email and password.
func (c *Client) Login(ctx context.Context, email, password string) (*Tokens, error) {
	var t Tokens
	_, err := c.call(ctx, http.MethodPost, "/v1/auth/token", nil, nil,
		map[string]string{"email": email, "password": password}, &t)
	return &t, err
}

// LoginOnDevice signs in from a device that signed in before, with the
// DeviceToken that sign-in answered.
func (c *Client) LoginOnDevice(ctx context.Context, email, password, deviceToken string) (*Tokens, error) {
	var t Tokens
	_, err := c.call(ctx, http.MethodPost, "/v1/auth/token", nil, nil,
		map[string]string{"email": email, "password": password, "device_token": deviceToken}, &t)
	return &t, err
}

// Refresh trades a refresh token for new tokens (the old one is spent).
func (c *Client) Refresh(ctx context.Context, refreshToken string) (*Tokens, error) {
	var t Tokens
	_, err := c.call(ctx, http.MethodPost, "/v1/auth/refresh", nil, nil,
		map[string]string{"refresh_token": refreshToken}, &t)
	return &t, err
}

// Logout revokes the session of refreshToken, or every session when empty.
func (c *Client) Logout(ctx context.Context, refreshToken string) error {
	var in any
	if refreshToken != "" {
		in = map[string]string{"refresh_token": refreshToken}
	}
	_, err := c.call(ctx, http.MethodPost, "/v1/auth/logout", nil, nil, in, nil)
	return err
}

// Me returns the signed-in user.
func (c *Client) Me(ctx context.Context) (*User, error) {
	var u User
	_, err := c.call(ctx, http.MethodGet, "/v1/users/me", nil, nil, nil, &u)
	return &u, err
}

// GetUser returns a user (a public profile unless the caller is that user or an admin).
func (c *Client) GetUser(ctx context.Context, id string) (*User, error) {
	var u User
	_, err := c.call(ctx, http.MethodGet, "/v1/users/"+url.PathEscape(id), nil, nil, nil, &u)
	return &u, err
}

// ListUsers lists accounts (admins).
func (c *Client) ListUsers(ctx context.Context, o ListOptions) (*Page[User], error) {
	var p Page[User]
	_, err := c.call(ctx, http.MethodGet, "/v1/users", o.values(), nil, nil, &p)
	return &p, err
}

// UserPatch changes an account (admins).
type UserPatch struct {
	Roles       []string `json:"roles,omitempty"`
	Suspended   *bool    `json:"suspended,omitempty"`
	DisplayName *string  `json:"display_name,omitempty"`
}

// UpdateUser changes roles or suspension (admins).
func (c *Client) UpdateUser(ctx context.Context, id string, p UserPatch) (*User, error) {
	var u User
	_, err := c.call(ctx, http.MethodPatch, "/v1/users/"+url.PathEscape(id), nil, nil, p, &u)
	return &u, err
}

// DeleteUser deletes an account (admins, or the user themself).
func (c *Client) DeleteUser(ctx context.Context, id string) error {
	_, err := c.call(ctx, http.MethodDelete, "/v1/users/"+url.PathEscape(id), nil, nil, nil, nil)
	return err
}

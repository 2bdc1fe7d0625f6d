package identity

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

// signingKeyJSON describes a key without its material.
type signingKeyJSON struct {
	KID       string     `json:"kid" doc:"Key ID, the kid header of tokens it signs"`
	Active    bool       `json:"active" doc:"Whether it signs new tokens"`
	CreatedAt time.Time  `json:"created_at" doc:"When it was made"`
	RetiredAt *time.Time `json:"retired_at,omitempty" doc:"When it stopped signing; it stays in the JWKS for key_retention after"`
}

type signingKeyListOutput struct {
	Body struct {
		Items []signingKeyJSON `json:"items" doc:"Published keys, newest first"`
	}
}

func (s *Service) signingKeys(ctx context.Context) (*signingKeyListOutput, error) {
	snap, err := s.keys.current(ctx, true)
	if err != nil {
		return nil, err
	}
	out := &signingKeyListOutput{}
	out.Body.Items = []signingKeyJSON{}
	for _, k := range snap.infos {
		out.Body.Items = append(out.Body.Items, signingKeyJSON{KID: k.KID, Active: k.RetiredAt == nil,
			CreatedAt: k.CreatedAt, RetiredAt: k.RetiredAt})
	}
	return out, nil
}

func (s *Service) registerSigningKeyList(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "signing-key-list",
		Method:      http.MethodGet,
		Path:        "/v1/admin/signing-keys",
		Summary:     "List signing keys",
		Description: "Administrators only. Never shows key material.",
		Tags:        []string{"Admin"},
		Security:    httpx.BearerSecurity(),
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden},
	}, func(ctx context.Context, _ *struct{}) (*signingKeyListOutput, error) {
		if _, err := s.adminCaller(ctx); err != nil {
			return nil, err
		}
		return s.signingKeys(ctx)
	})
}

func (s *Service) registerSigningKeyRotate(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "signing-key-rotate",
		Method:      http.MethodPost,
		Path:        "/v1/admin/signing-keys/rotate",
		Summary:     "Rotate the signing key",
		Description: "Administrators only. A new key signs from now on; the old one stays in the JWKS for key_retention, so no one is signed out.",
		Tags:        []string{"Admin"},
		Security:    httpx.BearerSecurity(),
		Errors:      []int{http.StatusUnauthorized, http.StatusForbidden},
	}, func(ctx context.Context, _ *struct{}) (*signingKeyListOutput, error) {
		if _, err := s.adminCaller(ctx); err != nil {
			return nil, err
		}
		if err := s.keys.rotate(ctx); err != nil {
			return nil, err
		}
		return s.signingKeys(ctx)
	})
}

// serveJWKS answers the public keys. It is a plain mux route (no auth): every
// verifier, in any process, fetches it.
func (s *Service) serveJWKS(w http.ResponseWriter, r *http.Request) {
	set, err := s.keys.Keys(r.Context(), false)
	if err != nil {
		httpx.WriteProblem(w, r, httpx.ProblemFor(r, err))
		return
	}
	body, err := json.Marshal(set)
	if err != nil {
		httpx.WriteProblem(w, r, httpx.ProblemFor(r, err))
		return
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(body)
}

package identity

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/alexandria-platform/alexandria/internal/platform/httpx"
)

type signingKeyListOutput struct {
	Body struct {
		Items []signingKeyJSON `json:"items" doc:"Published keys, newest first"`
	}
}

func newSigningKeyListOutput(keys []keyInfo) *signingKeyListOutput {
	out := &signingKeyListOutput{}
	out.Body.Items = []signingKeyJSON{}
	for _, k := range keys {
		out.Body.Items = append(out.Body.Items, toSigningKeyJSON(k))
	}
	return out
}

func (s *Service) signingKeyList(ctx context.Context, _ *struct{}) (*signingKeyListOutput, error) {
	if _, err := s.adminCaller(ctx); err != nil {
		return nil, err
	}
	keys, err := s.signingKeys(ctx)
	if err != nil {
		return nil, err
	}
	return newSigningKeyListOutput(keys), nil
}

func (s *Service) signingKeyRotate(ctx context.Context, _ *struct{}) (*signingKeyListOutput, error) {
	if _, err := s.adminCaller(ctx); err != nil {
		return nil, err
	}
	keys, err := s.rotateSigningKey(ctx)
	if err != nil {
		return nil, err
	}
	return newSigningKeyListOutput(keys), nil
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

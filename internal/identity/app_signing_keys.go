package identity

import "context"

// signingKeys lists the published signing keys, newest first, without
// their material.
func (s *Service) signingKeys(ctx context.Context) ([]keyInfo, error) {
	snap, err := s.keys.current(ctx, true)
	if err != nil {
		return nil, err
	}
	return snap.infos, nil
}

// rotateSigningKey makes a new key the signing one; the old one stays
// published for key_retention, so no one is signed out. It answers the keys
// as they are after.
func (s *Service) rotateSigningKey(ctx context.Context) ([]keyInfo, error) {
	if err := s.keys.rotate(ctx); err != nil {
		return nil, err
	}
	return s.signingKeys(ctx)
}

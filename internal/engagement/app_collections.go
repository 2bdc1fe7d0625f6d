package engagement

import (
	"context"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/engagement/domain"
	"github.com/alexandria-platform/alexandria/internal/platform/errs"
)

// SavedID names the caller's saved collection in paths.
const SavedID = "saved"

var errNoCollection = errs.NotFoundf("no such collection")

// readableCollection returns a collection the caller may see: their own, or
// a public one. "saved" is the caller's saved collection.
func (s *Service) readableCollection(ctx context.Context, st *Store, userID, id string) (Collection, error) {
	if id == SavedID {
		if userID == "" {
			return Collection{}, errs.Unauthenticatedf("sign in to see your saved collection")
		}
		return st.savedCollection(ctx, userID, s.newSaved(userID))
	}
	if !domain.ValidID(id) {
		return Collection{}, errNoCollection
	}
	c, ok, err := st.collection(ctx, id)
	if err != nil {
		return Collection{}, err
	}
	if !ok || (c.OwnerID != userID && c.Visibility != domain.Public) {
		return Collection{}, errNoCollection
	}
	return c, nil
}

// ownCollection returns the caller's own collection, locked for a change:
// NotFound for another user's private one, Forbidden for a public one.
func (s *Service) ownCollection(ctx context.Context, st *Store, userID, id string) (Collection, error) {
	c, err := s.readableCollection(ctx, st, userID, id)
	if err != nil {
		return c, err
	}
	if c.OwnerID != userID {
		return c, errs.Forbiddenf("only its owner may change a collection")
	}
	return c, st.lockCollection(ctx, c.ID)
}

func (s *Service) newSaved(userID string) Collection {
	now := s.now()
	return Collection{ID: uuid.Must(uuid.NewV7()).String(), OwnerID: userID, Kind: domain.CollectionSaved, Name: "Saved",
		Visibility: domain.Private, CreatedAt: now, UpdatedAt: now}
}

func (s *Service) createCollection(ctx context.Context, userID string, f domain.CollectionFields) (Collection, error) {
	if f.Name == nil {
		return Collection{}, errs.InvalidField("name", "is required")
	}
	if f.Visibility == nil {
		f.Visibility = ptrTo(domain.Private)
	}
	if err := domain.CheckCollection(domain.CollectionCustom, f); err != nil {
		return Collection{}, err
	}
	now := s.now()
	c := Collection{ID: uuid.Must(uuid.NewV7()).String(), OwnerID: userID, Kind: domain.CollectionCustom,
		Name: strings.TrimSpace(*f.Name), Visibility: *f.Visibility, CreatedAt: now, UpdatedAt: now}
	if f.Description != nil {
		c.Description = *f.Description
	}
	return c, s.store.Tx(ctx, func(st *Store) error {
		// Every user's list starts with their saved collection.
		if _, err := st.savedCollection(ctx, userID, s.newSaved(userID)); err != nil {
			return err
		}
		return st.insertCollection(ctx, c)
	})
}

func (s *Service) updateCollection(ctx context.Context, userID, id string, f domain.CollectionFields) (Collection, error) {
	var out Collection
	err := s.store.Tx(ctx, func(st *Store) error {
		c, err := s.ownCollection(ctx, st, userID, id)
		if err != nil {
			return err
		}
		if err := domain.CheckCollection(c.Kind, f); err != nil {
			return err
		}
		if f.Name != nil {
			c.Name = strings.TrimSpace(*f.Name)
		}
		if f.Description != nil {
			c.Description = *f.Description
		}
		if f.Visibility != nil {
			c.Visibility = *f.Visibility
		}
		c.UpdatedAt = s.now()
		out = c
		return st.updateCollection(ctx, c)
	})
	return out, err
}

func (s *Service) deleteCollection(ctx context.Context, userID, id string) error {
	return s.store.Tx(ctx, func(st *Store) error {
		c, err := s.ownCollection(ctx, st, userID, id)
		if err != nil {
			return err
		}
		if c.Kind == domain.CollectionSaved {
			return errs.Conflictf("the saved collection cannot be deleted (empty it instead)")
		}
		return st.deleteCollection(ctx, c.ID)
	})
}

// listCollections lists ownerID's collections: all of them for the owner,
// the public ones for anyone else.
func (s *Service) listCollections(ctx context.Context, userID, ownerID string, after *collectionPosition, size int) ([]Collection, error) {
	var out []Collection
	err := s.store.Tx(ctx, func(st *Store) error {
		if ownerID == userID && after == nil {
			if _, err := st.savedCollection(ctx, userID, s.newSaved(userID)); err != nil {
				return err
			}
		}
		var err error
		out, err = st.collections(ctx, ownerID, ownerID == userID, after, size)
		return err
	})
	return out, err
}

func (s *Service) collectionItems(ctx context.Context, userID, id string, after *int64, size int) (Collection, []CollectionItem, error) {
	var (
		c     Collection
		items []CollectionItem
	)
	err := s.store.Tx(ctx, func(st *Store) error {
		var err error
		if c, err = s.readableCollection(ctx, st, userID, id); err != nil {
			return err
		}
		items, err = st.items(ctx, c.ID, after, size)
		return err
	})
	return c, items, err
}

func (s *Service) addCollectionItem(ctx context.Context, userID, id, mediaID string) (bool, error) {
	var added bool
	err := s.store.Tx(ctx, func(st *Store) error {
		c, err := s.ownCollection(ctx, st, userID, id)
		if err != nil {
			return err
		}
		if _, err := s.visibleMedia(ctx, st, mediaID); err != nil {
			return err
		}
		if c.ItemCount >= domain.MaxCollectionItems {
			return errs.Conflictf("a collection holds at most %d items", domain.MaxCollectionItems)
		}
		if added, err = st.addItem(ctx, c.ID, mediaID, s.now()); err != nil {
			return err
		}
		return st.touchCollection(ctx, c.ID, s.now())
	})
	return added, err
}

func (s *Service) removeCollectionItem(ctx context.Context, userID, id, mediaID string) error {
	return s.store.Tx(ctx, func(st *Store) error {
		c, err := s.ownCollection(ctx, st, userID, id)
		if err != nil {
			return err
		}
		if err := st.removeItem(ctx, c.ID, mediaID); err != nil {
			return err
		}
		return st.touchCollection(ctx, c.ID, s.now())
	})
}

// reorderCollection puts the items in the given order, which must name
// every item exactly once.
func (s *Service) reorderCollection(ctx context.Context, userID, id string, order []string) error {
	return s.store.Tx(ctx, func(st *Store) error {
		c, err := s.ownCollection(ctx, st, userID, id)
		if err != nil {
			return err
		}
		items, err := st.items(ctx, c.ID, nil, 0)
		if err != nil {
			return err
		}
		have := make([]string, len(items))
		for i, it := range items {
			have[i] = it.MediaID
		}
		want := slices.Clone(order)
		slices.Sort(have)
		slices.Sort(want)
		if !slices.Equal(have, want) {
			return errs.InvalidField("media_ids", "must list every item of the collection exactly once (%d items)", len(have))
		}
		if err := st.reorder(ctx, c.ID, order); err != nil {
			return err
		}
		return st.touchCollection(ctx, c.ID, s.now())
	})
}

func ptrTo[T any](v T) *T { return &v }

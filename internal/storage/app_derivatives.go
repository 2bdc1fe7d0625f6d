package storage

import (
	"context"
	"log/slog"
	"path"
	"strings"
)

// The commands of the consumers (saga.go), run on the repository bound to
// the pipeline's transaction. Each decides from storage's current rows: a
// duplicate or late event finds nothing left to do. Objects they make
// unreferenced are deleted by the sweeper after the transaction commits.

// madeDerivative is an object processing reports it made from a file.
type madeDerivative struct {
	Kind, ObjectKey, ContentType string
	Size                         int64
}

// recordDerivatives records the derivatives made from objectKey when it is
// still the item's current file. The derivatives of a file that is no
// longer current (a newer upload came first) are orphans and are deleted.
func (s *Service) recordDerivatives(ctx context.Context, st *Store, mediaID, objectKey string, made []madeDerivative) error {
	now := stamp(s.now())
	prefix := "derivatives/" + mediaID + "/"
	cur, found, err := st.currentIfAny(ctx, mediaID)
	if err != nil {
		return err
	}
	var doomed []string
	if !found || cur.ObjectKey != objectKey {
		for _, d := range made {
			if strings.HasPrefix(d.ObjectKey, prefix) {
				doomed = append(doomed, d.ObjectKey)
			}
		}
		_, err := st.unreference(ctx, mediaID, doomed, now)
		return err
	}
	old, err := st.derivatives(ctx, mediaID)
	if err != nil {
		return err
	}
	if err := st.dropDerivatives(ctx, mediaID); err != nil {
		return err
	}
	kept := map[string]bool{}
	for _, d := range made {
		name := path.Base(d.ObjectKey)
		// Only keys under the item's own prefix are served: an event can
		// never make storage serve another object.
		if !strings.HasPrefix(d.ObjectKey, prefix) || strings.Contains(d.ObjectKey, "..") || name == "" || name == "." {
			s.log.WarnContext(ctx, "derivative outside the media's prefix ignored", slog.String("key", d.ObjectKey),
				slog.String("media_id", mediaID))
			continue
		}
		row := derivative{MediaID: mediaID, Name: name, Kind: d.Kind, ObjectKey: d.ObjectKey, ContentType: d.ContentType,
			Size: d.Size, SourceSHA256: cur.SHA256, CreatedAt: now}
		if err := st.putDerivative(ctx, row); err != nil {
			return err
		}
		kept[d.ObjectKey] = true
	}
	for _, d := range old {
		if !kept[d.ObjectKey] {
			doomed = append(doomed, d.ObjectKey)
		}
	}
	_, err = st.unreference(ctx, mediaID, doomed, now)
	return err
}

// dropMediaFiles drops every row storage holds for a deleted item and
// schedules its objects no other row references for deletion.
func (s *Service) dropMediaFiles(ctx context.Context, st *Store, mediaID string) error {
	keys, err := st.dropMedia(ctx, mediaID)
	if err != nil {
		return err
	}
	_, err = st.unreference(ctx, mediaID, keys, stamp(s.now()))
	return err
}

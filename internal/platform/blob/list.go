package blob

import (
	"context"
	"fmt"

	"gocloud.dev/blob"
)

// ListPageSize is how many keys Keys asks the store for at a time (S3,
// GCS and Azure answer at most 1000 a page). Tests lower it to exercise
// paging; it is not changed while a binary runs.
var ListPageSize = 1000

// Keys lists the keys under prefix (all of them, page by page, in the
// store's lexical order). Directories are not reported: keys are flat
// names, "a/b/c" is one key. Every backend lists the same way, so callers
// can rely on it to find what they wrote (the lake does, to sweep).
func (b *Bucket) Keys(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	token := blob.FirstPageToken
	for {
		page, next, err := b.ListPage(ctx, token, ListPageSize, &blob.ListOptions{Prefix: prefix})
		if err != nil {
			return out, fmt.Errorf("blob list %q: %w", prefix, err)
		}
		for _, o := range page {
			if !o.IsDir {
				out = append(out, o.Key)
			}
		}
		if len(next) == 0 {
			return out, nil
		}
		token = next
	}
}

// Remove deletes the object at key. A key that is already gone is not an
// error, so a delete can be retried after a crash (object stores have no
// atomic rename: callers write the new object first, then remove the old).
func (b *Bucket) Remove(ctx context.Context, key string) error {
	if err := b.Delete(ctx, key); err != nil && !IsNotFound(err) {
		return fmt.Errorf("blob delete %q: %w", key, err)
	}
	return nil
}

package app

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/alexandria-platform/alexandria/internal/config"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
	"github.com/alexandria-platform/alexandria/internal/search"
)

// SearchReindex rebuilds the search index's public part from catalog's
// public API at apiURL (see search.Reindex), on the store the
// configuration names, while the search target keeps serving.
func SearchReindex(ctx context.Context, c config.Config, apiURL string, out io.Writer) error {
	store, st, err := search.OpenStore(ctx, module.Deps{DB: c.Database, DataDir: c.DataDir})
	if err != nil {
		return err
	}
	err = search.Reindex(ctx, st, apiURL, &http.Client{Timeout: 60 * time.Second}, out)
	return errors.Join(err, store.Close())
}

package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"

	"github.com/alexandria-platform/alexandria/internal/config"
	"github.com/alexandria-platform/alexandria/internal/platform/bus"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
)

// DeadLetterCommand lists, replays or purges a target's dead letters
// without running the target: it opens the target's store (and, to replay,
// the bus) directly.
func DeadLetterCommand(ctx context.Context, c config.Config, target, action string, ids []string, out io.Writer) error {
	selected, err := Select(target)
	if err != nil {
		return err
	}
	if len(selected) != 1 {
		return fmt.Errorf("-target: name exactly one target")
	}
	store, err := db.Open(ctx, c.Database, db.Options{Service: selected[0].Name, DataDir: c.DataDir})
	if err != nil {
		return err
	}
	defer store.Close()
	if _, err := store.MigrateWith(ctx, events.Migrations, events.VersionTable); err != nil {
		return err
	}
	dl := events.DeadLetters{DB: store}
	switch action {
	case "list":
		return listDeadLetters(ctx, dl, out)
	case "replay":
		if len(ids) == 0 {
			return errors.New("replay: name the dead letters with -id (see 'list')")
		}
		t, err := bus.Open(ctx, c.Bus.URL, bus.Options{Logger: slog.New(slog.DiscardHandler), DataDir: c.DataDir})
		if err != nil {
			return fmt.Errorf("bus.url: %w", err)
		}
		defer t.Close()
		dl.Bus = t
		for _, id := range ids {
			if err := dl.Replay(ctx, id); err != nil {
				return err
			}
			fmt.Fprintf(out, "replayed %s\n", id)
		}
		return nil
	case "purge":
		n, err := dl.Purge(ctx, ids...)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "purged %d dead letter(s)\n", n)
		return err
	}
	return fmt.Errorf("events dlq: unknown action %q (use list, replay or purge)", action)
}

func listDeadLetters(ctx context.Context, dl events.DeadLetters, out io.Writer) error {
	w := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tCONSUMER\tTYPE\tEVENT\tATTEMPTS\tFAILED AT\tERROR")
	after := ""
	for {
		page, err := dl.List(ctx, after, 200)
		if err != nil {
			return err
		}
		for _, d := range page {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", d.ID, d.Consumer, d.Type, d.EventID, d.Attempts,
				d.FailedAt.Format("2006-01-02T15:04:05Z"), d.Error)
		}
		if len(page) < 200 {
			return w.Flush()
		}
		after = page[len(page)-1].ID
	}
}

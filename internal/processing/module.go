// Package processing is the processing target: it turns uploaded originals
// into what readers, listeners and viewers need — probed metadata
// (duration, codecs, dimensions, pages, title), a cover or thumbnail,
// waveform peaks for audio, and extracted text for search.
//
// consume_upload.go decodes each storage.upload.completed.v1 event and
// queues its job through the app layer (app_jobs.go);
// worker.go runs a pool of workers, on the target's background group, that
// claim jobs with a lease; app_jobs.go finishes each one together with its
// event (processing.media.processed.v1 or processing.media.failed.v1, built
// in events.go); store.go holds all the SQL; job.go and the per-format
// files do the work with external tools (tools.go: ffprobe, ffmpeg,
// pdfinfo, pdftoppm, pdftotext, from the Debian packages ffmpeg and
// poppler-utils) and in Go (epub.go, waveform.go); sweep.go deletes the
// stored objects no finished job reported.
package processing

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	gcblob "gocloud.dev/blob"

	"github.com/alexandria-platform/alexandria/internal/platform/blob"
	"github.com/alexandria-platform/alexandria/internal/platform/db"
	"github.com/alexandria-platform/alexandria/internal/platform/events"
	"github.com/alexandria-platform/alexandria/internal/platform/lifecycle"
	"github.com/alexandria-platform/alexandria/internal/platform/module"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are processing's goose migrations, at the root of the FS as
// goose expects. fs.Sub cannot fail for a directory embedded above.
var Migrations, _ = fs.Sub(migrationFiles, "migrations")

// objectStore is what a job needs of the shared bucket (*blob.Bucket).
type objectStore interface {
	GetFile(ctx context.Context, key, path string, limit int64) error
	PutFile(ctx context.Context, key, path, contentType string) error
	// Keys lists the keys under a prefix; Remove deletes one (a missing
	// key is not an error): the orphan sweeper and resumed jobs use them.
	Keys(ctx context.Context, prefix string) ([]string, error)
	Remove(ctx context.Context, key string) error
	// Attributes describes a stored object (its size, for a resumed job).
	Attributes(ctx context.Context, key string) (*gcblob.Attributes, error)
}

// Service is the running processing target.
type Service struct {
	cfg     Config
	db      *db.DB
	jobs    *jobStore
	events  *events.Pipeline
	objects objectStore
	tools   *tools
	workDir string
	log     *slog.Logger
	m       *metrics
	now     func() time.Time

	// group runs the workers (and the event pipeline): the target's
	// background group, or one of the service's own (ownGroup) when built
	// without one.
	group    *lifecycle.Group
	ownGroup bool

	wake       chan struct{}
	transcodes chan struct{} // one slot per concurrent transcode

	progressMu sync.Mutex
	progress   map[string]float64 // job → last progress reported
	closers    []func() error
}

// New opens the shared object store and the processing store, registers
// the consumer of storage's uploads and starts the workers.
func New(ctx context.Context, cfg Config, d module.Deps) (*Service, error) {
	bucket, err := blob.Open(ctx, d.Blob, d.DataDir)
	if err != nil {
		return nil, fmt.Errorf("processing objects: %w", err)
	}
	s, err := newService(ctx, cfg, d, bucket)
	if err != nil {
		return nil, errors.Join(err, bucket.Close())
	}
	s.closers = append(s.closers, bucket.Close)
	return s, nil
}

// newService builds the service on the given object store.
func newService(ctx context.Context, cfg Config, d module.Deps, objects objectStore) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Bus == nil {
		return nil, errors.New("processing: no event bus")
	}
	log := d.Log()
	workDir := cfg.WorkDir
	if workDir == "" {
		workDir = filepath.Join(d.DataDir, "processing-work")
	}
	if err := os.MkdirAll(workDir, 0o700); err != nil {
		return nil, fmt.Errorf("processing.work_dir: %w", err)
	}
	m, err := newMetrics(d.Metrics)
	if err != nil {
		return nil, fmt.Errorf("processing metrics: %w", err)
	}
	store, err := db.Open(ctx, d.DB, db.Options{Service: "processing", DataDir: d.DataDir, Schema: d.DBSchema})
	if err != nil {
		return nil, fmt.Errorf("processing store: %w", err)
	}
	if _, err := store.Migrate(ctx, Migrations); err != nil {
		return nil, errors.Join(fmt.Errorf("processing store: %w", err), store.Close())
	}
	if d.Metrics != nil {
		if err := store.RegisterMetrics(d.Metrics, "processing"); err != nil {
			return nil, errors.Join(fmt.Errorf("processing metrics: %w", err), store.Close())
		}
	}
	group, ownGroup := d.Group("processing")
	setup := d.EventsSetup("processing", store)
	setup.Group = group
	pipeline, err := events.New(ctx, setup)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("processing events: %w", err), store.Close())
	}
	s := &Service{
		cfg: cfg, db: store, jobs: newJobStore(store, pipeline), events: pipeline, objects: objects,
		tools: findTools(cfg.MemoryLimit), workDir: workDir, log: log.With(slog.String("service", "processing")), m: m,
		now: func() time.Time { return time.Now().UTC() }, group: group, ownGroup: ownGroup, wake: make(chan struct{}, 1),
		transcodes: make(chan struct{}, max(cfg.TranscodeConcurrency, 1)), progress: map[string]float64{},
	}
	if missing := s.tools.missing(); len(missing) > 0 {
		s.log.WarnContext(ctx, "media tools missing: jobs that need them fail (install the Debian packages ffmpeg and poppler-utils)",
			slog.String("missing", strings.Join(missing, ",")))
	}
	s.removeStaleWork()
	pipeline.RegisterAdmin(d.API)
	s.consume(pipeline)
	if err := pipeline.Start(); err != nil {
		return nil, errors.Join(fmt.Errorf("processing events: %w", err), store.Close())
	}
	if err := s.startWorkers(); err != nil {
		return nil, errors.Join(fmt.Errorf("processing workers: %w", err), pipeline.Close(ctx), store.Close())
	}
	if err := s.startSweeper(); err != nil {
		return nil, errors.Join(fmt.Errorf("processing sweeper: %w", err), pipeline.Close(ctx), store.Close())
	}
	return s, nil
}

// removeStaleWork deletes job directories left by a process that died: any
// older than the longest a job can run.
func (s *Service) removeStaleWork() {
	entries, err := os.ReadDir(s.workDir)
	if err != nil {
		return
	}
	cutoff := time.Now().Add(-s.cfg.JobTimeout - s.cfg.Lease)
	for _, e := range entries {
		info, err := e.Info()
		if err == nil && e.IsDir() && strings.HasPrefix(e.Name(), "job-") && info.ModTime().Before(cutoff) {
			_ = os.RemoveAll(filepath.Join(s.workDir, e.Name()))
		}
	}
}

// Ready pings the store and, when the service owns its background group,
// reports the group's failures (the target reports its own group's).
func (s *Service) Ready(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return err
	}
	if s.ownGroup {
		return s.group.Err()
	}
	return nil
}

// Close stops the workers (a running job is killed and put back in the
// queue) and the event pipeline — the background group they run on, which
// the target has normally stopped already — then releases the stores.
func (s *Service) Close(ctx context.Context) error {
	var errs []error
	if s.ownGroup {
		errs = append(errs, s.group.Stop(ctx))
	}
	errs = append(errs, s.events.Close(ctx), s.db.Close())
	for _, c := range s.closers {
		errs = append(errs, c())
	}
	return errors.Join(errs...)
}

// MigrationsFS implements module.Migrations.
func (s *Service) MigrationsFS() fs.FS { return Migrations }

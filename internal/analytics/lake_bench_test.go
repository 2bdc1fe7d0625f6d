package analytics

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alexandria-platform/alexandria/internal/platform/blob/blobtest"
)

// BenchmarkLakeStores puts the same Parquet files (5000 events each) on a
// local directory and on MinIO in one run; compare rows/s between the two
// (MinIO here runs on the same machine, so the ratio is the object-store
// protocol's cost, not a network's).
//
//	go test ./internal/analytics/ -run '^$' -bench LakeStores -benchtime 20x
func BenchmarkLakeStores(b *testing.B) {
	rows := make([]LakeRow, 5000)
	for i := range rows {
		rows[i] = LakeRow{EventID: uuid.NewString(), EventType: eventViewRecorded, Source: "/alexandria/engagement",
			Subject: "media/x", EventTime: time.Now().UnixMilli(), Data: `{"media_id":"x","views":1}`}
	}
	for _, st := range blobtest.Stores {
		if st.Name != "file" && st.Name != "s3-minio" {
			continue
		}
		b.Run(st.Name, func(b *testing.B) {
			lk, err := openLake(context.Background(), st.Bucket(b), b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer lk.close()
			ctx := context.Background()
			b.ResetTimer()
			for i := range b.N {
				if err := lk.write(ctx, fmt.Sprintf("events/type=x/dt=2026-03-11/hour=12/part-%012d-%012d.parquet", i, i), rows, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(rows))/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

package blob

import (
	"context"
	"path/filepath"
	"testing"
)

// TestPutFileFailureLeavesNoObject: a copy that fails part-way (here the
// source cannot be read; a full disk or a cut connection alike) leaves no
// object under the key. Before the fix the writer's Close committed what it
// had, an empty or truncated object under the content address of the
// whole file.
func TestPutFileFailureLeavesNoObject(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b, err := Open(ctx, Config{}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	unreadable := filepath.Join(t.TempDir()) // a directory opens, and every read fails
	if err := b.PutFile(ctx, "aa/bb", unreadable, "application/pdf"); err == nil {
		t.Fatal("PutFile of an unreadable source succeeded")
	}
	if ok, err := b.Exists(ctx, "aa/bb"); err != nil || ok {
		t.Fatalf("after a failed PutFile the object exists: %v, %v", ok, err)
	}
}

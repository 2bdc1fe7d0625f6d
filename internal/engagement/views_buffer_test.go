package engagement

import (
	"testing"
)

// A view whose key this process has committed stops at the buffer; the
// same viewer and item in another hour, or another viewer, does not, and
// a key evicted from its slot is asked of the store again.
func TestViewBufferDropsViewsAlreadyCounted(t *testing.T) {
	b := newViewBuffer(100)
	k := viewKey{MediaID: "m1", Viewer: "u:1", Hour: 7}
	// add is called twice on purpose: a repeat within a batch is queued too
	// (the batch merges it), since nothing has been committed yet.
	first := b.add(k)
	second := b.add(k)
	if !first || !second {
		t.Fatal("a view not counted yet must be queued")
	}
	batch := b.take()
	if len(batch) != 1 {
		t.Fatalf("buffer holds %d views, want 1 (repeats within a batch merge)", len(batch))
	}
	b.recent.remember(batch)
	if b.add(k) {
		t.Fatal("a view counted this hour was queued again")
	}
	if !b.add(viewKey{MediaID: "m1", Viewer: "u:1", Hour: 8}) || !b.add(viewKey{MediaID: "m1", Viewer: "u:2", Hour: 7}) ||
		!b.add(viewKey{MediaID: "m2", Viewer: "u:1", Hour: 7}) {
		t.Fatal("a different hour, viewer or item must be queued")
	}
	// Evicted: another key in the same slot replaces it.
	v := newPendingView(k)
	other := pendingView{Key: v.Key ^ recentViewSlots} // same low bits, another key
	b.recent.remember([]pendingView{other})
	if !b.add(k) {
		t.Fatal("an evicted key must be queued (the store decides)")
	}
	if !b.recent.has(other.Key) {
		t.Fatal("the key that took the slot is not remembered")
	}
}

// A batch whose flush failed goes back to the buffer, and is not
// remembered as counted.
func TestViewBufferPutBack(t *testing.T) {
	b := newViewBuffer(100)
	k := viewKey{MediaID: "m1", Viewer: "u:1", Hour: 7}
	b.add(k)
	b.putBack(b.take())
	if got := b.take(); len(got) != 1 || got[0].MediaID != "m1" || got[0].Hour != 7 {
		t.Fatalf("after putBack: %+v", got)
	}
	if !b.add(k) {
		t.Fatal("a view whose flush failed must still be queued")
	}
}

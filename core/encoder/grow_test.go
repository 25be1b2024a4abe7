package encoder

import "testing"

// Batches of nearly the same size share one buffer.
func TestGrowLeavesRoomForSimilarBatches(t *testing.T) {
	buf := grow(nil, 4092*512)
	again := grow(buf, 4095*512)
	if &again[0] != &buf[0] {
		t.Fatalf("grow reallocated for a batch 0.07%% larger (cap %d, need %d)", cap(buf), 4095*512)
	}
	if len(again) != 4095*512 {
		t.Fatalf("len %d, want %d", len(again), 4095*512)
	}
}

package embed

import "testing"

func TestBatchLen(t *testing.T) {
	row := func(n int) []int32 { return make([]int32, n) }
	for _, tc := range []struct {
		name   string
		ids    [][]int32
		maxLen int
		want   int
	}{
		{"none", nil, 128, 0},
		{"all fit", [][]int32{row(10), row(0), row(20)}, 128, 3},
		{"clipped to maxLen", [][]int32{row(MaxBatchTokens), row(MaxBatchTokens)}, 128, 2}, // 2 × 128 tokens
		{"budget reached", append(repeat(row(128), MaxBatchTokens/128), row(1)), 128, MaxBatchTokens / 128},
		{"exactly the budget", [][]int32{row(MaxBatchTokens - 1), row(1), row(1)}, 1 << 20, 2},
		{"a long text alone", [][]int32{row(10 * MaxBatchTokens), row(1)}, 1 << 20, 1},
	} {
		if got := batchLen(tc.ids, tc.maxLen); got != tc.want {
			t.Errorf("%s: batchLen = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func repeat(r []int32, n int) [][]int32 {
	out := make([][]int32, n)
	for i := range out {
		out[i] = r
	}
	return out
}

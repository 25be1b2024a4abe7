// Package weights holds no code: it is the folder of the shipped model, its
// data and its labels, and its tests guard that data (guard_test.go): the
// frozen test sets are pinned by hash, and no sentence the team wrote or
// labelled for training overlaps an evaluation set.
package weights

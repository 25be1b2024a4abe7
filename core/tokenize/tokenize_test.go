package tokenize

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

// tinyVocab builds a vocabulary with the six reserved pieces followed by
// the given ones (ids from 6).
func tinyVocab(unknown string, pieces ...Piece) []Piece {
	v := []Piece{{unknown, 0}, {"<s>", 0}, {"</s>", 0}, {"r3", 0}, {"r4", 0}, {"r5", 0}}
	return append(v, pieces...)
}

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{" ", "▁▁"},
		{"a b", "▁a▁b"},
		{"a\tb\nc", "▁a\tb\nc"}, // only ASCII spaces become U+2581
		{"ﬁnance", "▁finance"},  // ligature
		{"１２３", "▁123"},         // full-width digits
		{"a\u00a0b", "▁a▁b"},    // NFKC maps no-break space to a space
		{"Cafe\u0301", "▁Café"}, // combining acute composes
		{"\u3000", "▁▁"},        // ideographic space is compatibility-equivalent to a space
		{"m²", "▁m2"},
	} {
		if got := Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestReferenceQuirks pins each quirk of the reference Viterbi with a tiny
// vocabulary where the quirk changes the answer.
func TestReferenceQuirks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		vocab []Piece
		text  string
		want  []int32
	}{
		{
			name:  "plain best path",
			vocab: tinyVocab("?", Piece{"▁a", -1}, Piece{"a", -2}, Piece{"b", -2}, Piece{"ab", -3}, Piece{"▁", -5}),
			text:  "ab",
			want:  []int32{6, 8}, // ▁a + b (-3) beats ▁ + ab (-8)
		},
		{
			name:  "ties go to the later start",
			vocab: tinyVocab("?", Piece{"▁a", -1}, Piece{"b", -2}, Piece{"ab", 2}, Piece{"▁", -5}),
			text:  "ab",
			want:  []int32{6, 7}, // ▁a + b ties ▁ + ab at -3; the later start wins
		},
		{
			name:  "a best score of exactly 0 is overwritten by a worse path",
			vocab: tinyVocab("?", Piece{"ab", 0}, Piece{"b", -3}),
			text:  "ab",
			want:  []int32{0, 7}, // unknown ▁ then b (-3), not ▁ then ab (0)
		},
		{
			name:  "unknown characters merge",
			vocab: tinyVocab("?", Piece{"▁", -1}, Piece{"a", -1}),
			text:  "ζζa",
			want:  []int32{6, 0, 7},
		},
		{
			name:  "astral characters are two UTF-16 units, merged as one unknown",
			vocab: tinyVocab("?", Piece{"▁", -1}, Piece{"a", -1}),
			text:  "🚀a🚀",
			want:  []int32{6, 0, 7, 0},
		},
		{
			// No piece starts at a low surrogate, so it gets a zero-score
			// unknown that beats the astral piece ending at the same place.
			name:  "an astral piece loses to the unknown at its low surrogate",
			vocab: tinyVocab("?", Piece{"▁", -1}, Piece{"🚀", -1}),
			text:  "🚀🚀",
			want:  []int32{6, 0},
		},
		{
			name:  "the backward pass steps by the unknown piece's own length",
			vocab: tinyVocab("<unk>", Piece{"▁", -1}, Piece{"a", -1}),
			text:  "abbbbba", // the unknown run is stepped over 5 units at a time
			want:  []int32{6, 7, 0, 7},
		},
		{
			name:  "reserved pieces are never matched",
			vocab: tinyVocab("?", Piece{"▁", -1}),
			text:  "<s>",
			want:  []int32{6, 0},
		},
		{
			name:  "a later duplicate piece replaces the earlier one",
			vocab: tinyVocab("?", Piece{"▁", -1}, Piece{"x", -1}, Piece{"x", -2}),
			text:  "x",
			want:  []int32{6, 8},
		},
		{
			name:  "empty text has no ids",
			vocab: tinyVocab("?", Piece{"▁", -1}),
			text:  "",
			want:  nil,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk, err := New(tc.vocab)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tk.Encode(tc.text)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Encode(%q) = %v, want %v", tc.text, got, tc.want)
			}
		})
	}
}

func TestEncodeInvalidUTF8(t *testing.T) {
	tk, err := New(tinyVocab("?", Piece{"▁", -1}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tk.Encode("caf\xe9"); !errors.Is(err, ErrInvalidUTF8) {
		t.Errorf("invalid UTF-8: err = %v, want ErrInvalidUTF8", err)
	}
}

func TestNewRejects(t *testing.T) {
	for _, tc := range []struct {
		name  string
		vocab []Piece
		want  string
	}{
		{"only reserved pieces", tinyVocab("?"), "need more than the 6 reserved"},
		{"empty piece", tinyVocab("?", Piece{"", -1}), "piece 6 is empty"},
		{"empty unknown piece", tinyVocab("", Piece{"a", -1}), "unknown piece"},
		{"invalid UTF-8", tinyVocab("?", Piece{"\xff", -1}), "piece 6 is not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.vocab); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New: err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestParseVocabJSON(t *testing.T) {
	v, err := ParseVocabJSON([]byte(`[["<unk>",0],["▁the",-3.5],[":",null]]`))
	if err != nil || len(v) != 3 || v[1] != (Piece{"▁the", -3.5}) || v[2] != (Piece{":", 0}) {
		t.Fatalf("got %v, %v", v, err)
	}
	v, err = ParseVocabJSON([]byte(` [ [ "a\"b\\" , -1e-3 ] ,["\u2581\ud83d\ude80",2],["\\",null]] `))
	if err != nil || len(v) != 3 || v[0] != (Piece{`a"b\`, -1e-3}) || v[1] != (Piece{"▁🚀", 2}) || v[2] != (Piece{`\`, 0}) {
		t.Fatalf("escapes and spaces: got %+v, %v", v, err)
	}
	for _, bad := range []string{`{}`, `[["a"]]`, `[[1, 2]]`, `[["a", "x"]]`, `[["a", 1, 2]]`, `[`, `[["a", ]]`, `[["a" 1]]`, `[[null, 1]]`, `[["a", true]]`, `[["a\"]]`} {
		if _, err := ParseVocabJSON([]byte(bad)); err == nil {
			t.Errorf("ParseVocabJSON(%s) succeeded", bad)
		}
	}
	if _, err := FromSpec(Spec{Type: "bpe", Vocab: v}); err == nil {
		t.Error("FromSpec accepted an unknown tokenizer type")
	}
}

func TestVocabularyLimit(t *testing.T) {
	pieces := func(n int) string {
		return "[" + strings.TrimSuffix(strings.Repeat(`["a,]\"[",-1],`, n), ",") + "]"
	}
	v, err := ParseVocabJSON([]byte(pieces(MaxPieces)))
	if err != nil || len(v) != MaxPieces || v[0].Text != `a,]"[` {
		t.Fatalf("%d pieces: %d read, %v", MaxPieces, len(v), err)
	}
	if _, err := ParseVocabJSON([]byte(pieces(MaxPieces + 1))); err == nil || !strings.Contains(err.Error(), "more than 65536 pieces") {
		t.Errorf("%d pieces: %v", MaxPieces+1, err)
	}
	spec := func(n int) []byte { return []byte(`{"type":"use-sentencepiece","vocab":` + pieces(n) + `}`) }
	s, err := ParseSpec(spec(MaxPieces))
	if err != nil || len(s.Vocab) != MaxPieces || s.Type != TypeUSE {
		t.Fatalf("spec of %d pieces: %d read, %v", MaxPieces, len(s.Vocab), err)
	}
	if _, err := ParseSpec(spec(2_000_000)); err == nil || !strings.Contains(err.Error(), "more than 65536 pieces") {
		t.Errorf("spec of 2,000,000 pieces: %v", err)
	}
	if _, err := FromSpec(Spec{Type: TypeUSE, Vocab: make([]Piece, MaxPieces+1)}); err == nil || !strings.Contains(err.Error(), "65537 pieces, more than the limit") {
		t.Errorf("FromSpec of %d pieces: %v", MaxPieces+1, err)
	}
}

func TestCountNested(t *testing.T) {
	for _, tc := range []struct {
		json         string
		depth, count int
	}{
		{`[]`, 1, 0},
		{` [ ] `, 1, 0},
		{`[1]`, 1, 1},
		{`[["a",1],["b",null]]`, 1, 2},
		{`[ ["a,b",1] , ["\"]",2], {"x":[1,2]} ]`, 1, 3},
		{`{"type":"t","vocab":[["a",1],["b",2],["c",3]]}`, 2, 3},
		{`{"vocab":[],"type":"[,,,]"}`, 2, 0},
		{`{"vocab":null}`, 2, 0},
	} {
		if got := countNested([]byte(tc.json), tc.depth, 100); got != tc.count {
			t.Errorf("countNested(%s, %d) = %d, want %d", tc.json, tc.depth, got, tc.count)
		}
	}
	if got := countNested([]byte(`[1,2,3,4,5]`), 1, 3); got != 3 {
		t.Errorf("countNested stopped at %d, want the limit 3", got)
	}
}

// FuzzEncode checks that any valid UTF-8 text tokenizes without panicking
// and that the ids always cover the text: no id out of range.
func FuzzEncode(f *testing.F) {
	for _, s := range []string{"", " ", "$AAPL up 5% 🚀", "ﬁ\u0301\u3000", "\x00\x01", strings.Repeat("ab ", 50)} {
		f.Add(s)
	}
	tk := loadUSEVocab(f)
	f.Fuzz(func(t *testing.T, s string) {
		ids, err := tk.Encode(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidUTF8) {
				t.Fatal(err)
			}
			return
		}
		for _, id := range ids {
			if id < 0 || int(id) >= tk.VocabSize() {
				t.Fatalf("id %d out of range", id)
			}
		}
		if s != "" && len(ids) == 0 {
			t.Fatalf("non-empty %q gave no ids", s)
		}
	})
}

// FuzzPiece checks the hand-split pair against encoding/json's reading of
// it: the same piece, or an error from both.
func FuzzPiece(f *testing.F) {
	for _, s := range []string{`["a",1]`, ` [ "a\"b" , -1e-3 ] `, `["\u2581",null]`, `["a"]`, `[1,2]`, `["a",1,2]`, `["a","1"]`, `["\\",2]`, `["a",1e999]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got Piece
		err := json.Unmarshal([]byte(s), &got)
		var pair []any
		if json.Unmarshal([]byte(s), &pair) != nil || len(pair) != 2 {
			if err == nil {
				t.Fatalf("%s: read as %+v, but it is not a pair", s, got)
			}
			return
		}
		text, isText := pair[0].(string)
		score, isNumber := pair[1].(float64)
		if pair[1] == nil {
			isNumber = true
		}
		if isText && isNumber != (err == nil) || !isText && err == nil {
			t.Fatalf("%s: error %v, but encoding/json reads %#v", s, err, pair)
		}
		if err == nil && (got.Text != text || got.Score != score) {
			t.Fatalf("%s: read as %+v, encoding/json reads %#v", s, got, pair)
		}
	})
}

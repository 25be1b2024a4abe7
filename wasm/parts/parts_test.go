package parts

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"finscore/core/scorer"
)

const doc = "Profit fell 5%. Café owners cheered… The bank cut its rating.\nShares slipped."

// scored is what scorer.ScorePart gives for doc's sentences [lo, hi), with
// made-up scores: Decode does not read them.
func scored(lo, hi int) []scorer.SentenceScore {
	var out []scorer.SentenceScore
	for i, sp := range scorer.SplitSentences(doc)[lo:hi] {
		i += lo
		s := scorer.SentenceScore{
			Text: doc[sp.Start:sp.End], Start: sp.Start, End: sp.End,
			Sentiment: scorer.Sentiment{Label: "neutral", Probs: map[string]float64{"negative": 0.25, "neutral": 0.5, "positive": 0.25}},
			Risk:      scorer.SentenceRisk{Score: 0.125 * float64(i), Level: "none", Categories: []scorer.CategoryScore{}},
		}
		if i == 1 { // "Café owners cheered…": drivers, one of them not ASCII
			w, c := strings.Index(doc, "Café"), strings.Index(doc, "cheered")
			s.Drivers = []scorer.Driver{
				{Word: "Café", Start: w, End: w + len("Café"), SignalShift: 0.5, RiskShift: -0.25},
				{Word: "cheered", Start: c, End: c + len("cheered"), SignalShift: 0.125},
			}
		}
		out = append(out, s)
	}
	return out
}

func encode(t *testing.T, text string, sents []scorer.SentenceScore) []byte {
	t.Helper()
	data, err := Encode(text, sents)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestRoundTrip(t *testing.T) {
	n := len(scorer.SplitSentences(doc))
	if n != 4 {
		t.Fatalf("doc has %d sentences, the test expects 4", n)
	}
	want := scored(0, n)
	for _, cuts := range [][]int{{0, 4}, {0, 2, 4}, {0, 0, 1, 4, 4}} {
		var parts [][]byte
		for k := 1; k < len(cuts); k++ {
			parts = append(parts, encode(t, doc, scored(cuts[k-1], cuts[k])))
		}
		got, err := Decode(doc, parts)
		if err != nil {
			t.Fatalf("cuts %v: %v", cuts, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("cuts %v: got %+v, want %+v", cuts, got, want)
		}
	}
	if got, err := Decode("", [][]byte{encode(t, "", nil)}); err != nil || len(got) != 0 {
		t.Errorf("empty text: %v, %v", got, err)
	}
}

// TestEncodeLeavesTextsOut checks that a part carries no text of the
// document: its size does not grow with the sentences' length.
func TestEncodeLeavesTextsOut(t *testing.T) {
	data := encode(t, doc, scored(0, 4))
	for _, s := range []string{"Profit", "Café", "cheered", "Shares"} {
		if strings.Contains(string(data), s) {
			t.Errorf("the part holds %q: %s", s, data)
		}
	}
	if scored(0, 4)[1].Drivers[0].Word != "Café" {
		t.Error("Encode changed its input")
	}
}

// tampered returns the one part of doc with edit applied to its JSON.
func tampered(t *testing.T, edit func(p map[string]any)) []byte {
	var p map[string]any
	if err := json.Unmarshal(encode(t, doc, scored(0, 4)), &p); err != nil {
		t.Fatal(err)
	}
	edit(p)
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func sentence(p map[string]any, i int) map[string]any {
	return p["sentences"].([]any)[i].(map[string]any)
}

func TestDecodeRejects(t *testing.T) {
	driver := func(p map[string]any, start, end any) {
		d := sentence(p, 1)["drivers"].([]any)[0].(map[string]any)
		d["start"], d["end"] = start, end
	}
	for _, tc := range []struct {
		name  string
		doc   string
		parts [][]byte
		want  string
	}{
		{"not JSON", doc, [][]byte{[]byte("{")}, "part 0 is not a part of a document"},
		{"another text", doc + " More.", [][]byte{encode(t, doc, scored(0, 4))}, "part 0 was scored from another text"},
		{"missing sentences", doc, [][]byte{encode(t, doc, scored(0, 3))}, "the parts hold 3 sentences, the text 4"},
		{"a part twice", doc, [][]byte{encode(t, doc, scored(0, 2)), encode(t, doc, scored(0, 2))}, "sentence 2 is bytes 0 to 15, but the text's sentence 2 is bytes"},
		{"too many", doc, [][]byte{encode(t, doc, scored(0, 4)), encode(t, doc, scored(3, 4))}, "more sentences than the text's 4"},
		{"parts out of order", doc, [][]byte{encode(t, doc, scored(2, 4)), encode(t, doc, scored(0, 2))}, "sentence 0 is bytes"},
		{"negative start", doc, [][]byte{tampered(t, func(p map[string]any) { sentence(p, 0)["start"] = -5 })}, "sentence 0 is bytes -5 to 15"},
		{"end out", doc, [][]byte{tampered(t, func(p map[string]any) { sentence(p, 3)["end"] = 1e9 })}, "sentence 3 is bytes 65 to 1000000000"},
		{"fractional offset", doc, [][]byte{tampered(t, func(p map[string]any) { sentence(p, 3)["end"] = 70.5 })}, "part 0 is not a part"},
		{"driver outside its sentence", doc, [][]byte{tampered(t, func(p map[string]any) { driver(p, 0, 3) })}, "driving word 0 is bytes 0 to 3"},
		{"driver past the text", doc, [][]byte{tampered(t, func(p map[string]any) { driver(p, 20, 1<<40) })}, "not a span"},
		{"driver inside a character", doc, [][]byte{tampered(t, func(p map[string]any) { driver(p, 16, 20) })}, "driving word 0 is bytes 16 to 20"},
		{"empty driver", doc, [][]byte{tampered(t, func(p map[string]any) { driver(p, 16, 16) })}, "not a span"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Decode(tc.doc, tc.parts); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Decode: err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestManyShortSentences checks the case that the old limit of 64 MB on
// the sentences' JSON refused: a text of 300,000 short sentences, 1.2 MB,
// goes through in one part.
func TestManyShortSentences(t *testing.T) {
	text := strings.Repeat("Up.\n", 160000) + strings.Repeat("Down\n", 140000)
	spans := scorer.SplitSentences(text)
	if len(spans) != 300000 {
		t.Fatalf("%d sentences", len(spans))
	}
	sents := make([]scorer.SentenceScore, len(spans))
	for i, sp := range spans {
		sents[i] = scorer.SentenceScore{Text: text[sp.Start:sp.End], Start: sp.Start, End: sp.End,
			Sentiment: scorer.Sentiment{Label: "neutral", Signal: -0.012345678901234567, Probs: map[string]float64{"negative": 0.3123456789012345, "neutral": 0.3876543210987654, "positive": 0.3000000000000001}},
			Risk:      scorer.SentenceRisk{Score: 0.0123456789012345, Level: "none", Categories: []scorer.CategoryScore{}}}
	}
	data := encode(t, text, sents)
	if len(data) <= 64<<20 {
		t.Errorf("the part is %d bytes: no longer a case the old limit refused", len(data))
	}
	t.Logf("%d bytes of text, %d sentences: a part of %d bytes (%d per sentence)", len(text), len(spans), len(data), len(data)/len(spans))
	got, err := Decode(text, [][]byte{data})
	if err != nil || len(got) != len(spans) || got[299999].Text != "Down" {
		t.Fatalf("Decode: %d sentences, %v", len(got), err)
	}
	if _, err := Decode(text, [][]byte{data, make([]byte, MaxBytes)}); err == nil || !strings.Contains(err.Error(), "more than the") {
		t.Errorf("parts over MaxBytes: %v", err)
	}
}

// FuzzDecode feeds Decode any document and part bytes: an error, or
// sentences that are exactly the document's, with their texts and every
// driving word a span of their sentence.
func FuzzDecode(f *testing.F) {
	good, err := Encode(doc, scored(0, 4))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(doc, good)
	f.Add("", []byte(`{"checksum":0,"sentences":[]}`))
	f.Add("a\nb", []byte(`{"checksum":1,"sentences":[{"start":0,"end":1,"drivers":[{"start":0,"end":1}]}]}`))
	f.Fuzz(func(t *testing.T, text string, data []byte) {
		sents, err := Decode(text, [][]byte{data})
		if err != nil {
			return
		}
		spans := scorer.SplitSentences(text)
		if len(sents) != len(spans) {
			t.Fatalf("%d sentences for a text of %d", len(sents), len(spans))
		}
		for i, s := range sents {
			if s.Start != spans[i].Start || s.End != spans[i].End || s.Text != text[s.Start:s.End] {
				t.Fatalf("sentence %d: %+v, want the span %+v", i, s, spans[i])
			}
			for _, d := range s.Drivers {
				if d.Start < s.Start || d.End > s.End || d.Start >= d.End || d.Word != text[d.Start:d.End] {
					t.Fatalf("sentence %d: driver %+v", i, d)
				}
			}
		}
	})
}

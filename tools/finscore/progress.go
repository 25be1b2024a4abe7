package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"finscore/core/train"
)

// progressBar draws "epoch 1/3 [=====>    ] 35% loss 0.62 41 sent/s ETA 12m"
// on one line of the terminal, at most a few times a second.
type progressBar struct {
	w    io.Writer
	last time.Time
	line bool
}

func newProgressBar(w io.Writer) *progressBar { return &progressBar{w: w} }

func (b *progressBar) update(p train.Progress) {
	if time.Since(b.last) < 200*time.Millisecond && p.Step != p.Steps {
		return
	}
	b.last = time.Now()
	const width = 30
	frac := float64(p.Step) / float64(p.Steps)
	filled := int(frac * width)
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	if filled < width {
		bar = bar[:filled] + ">" + bar[filled+1:]
	}
	fmt.Fprintf(b.w, "\repoch %d/%d [%s] %3.0f%% loss %.4f %.0f sent/s ETA %s   ",
		p.Epoch, p.Epochs, bar, 100*frac, p.Loss, p.SentencesPerSec, p.ETA.Round(time.Second))
	b.line = true
}

// finish ends the bar's line so that the next message starts clean.
func (b *progressBar) finish() {
	if b.line {
		fmt.Fprintln(b.w)
		b.line = false
	}
}

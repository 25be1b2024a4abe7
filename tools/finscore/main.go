// Command finscore is the native face of the finscore engine: it scores
// text for sentiment and risk, evaluates, embeds, fine-tunes, and converts
// the pretrained encoder into a weight bundle.
//
// Usage:
//
//	finscore score [--weights FILE] [--explain] < docs.jsonl > reports.jsonl
//	finscore eval [--weights FILE] (--csv FILE | --phrasebank | --split NAME)
//	finscore embed [--weights FILE] < texts.jsonl > embeddings.jsonl
//	finscore train [flags]
//	finscore convert --tfjs DIR --out FILE [--dtype float16|float32]
//	finscore serve [--addr 127.0.0.1:8080] [--dir dist] [--grace 30s]
//
// Run "finscore COMMAND --help" for each command's flags.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// command is one subcommand: its one-line summary and its entry point.
type command struct {
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

var commands = map[string]command{
	"convert": {"convert the TensorFlow.js encoder into a weight bundle", runConvert},
	"embed":   {"embed JSON Lines texts with a bundle", runEmbed},
	"train":   {"fine-tune the encoder and a sentiment head on the training data", runTrain},
	"score":   {"score JSON Lines documents for sentiment and risk", runScore},
	"eval":    {"measure accuracy and macro-F1 on labelled text, beside a lexicon baseline", runEval},
	"serve":   {"serve the static site with the security headers it needs", runServe},
}

// order lists the commands for help output.
var order = []string{"score", "eval", "embed", "train", "convert", "serve"}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// errUsage marks an error already explained by printed usage.
var errUsage = errors.New("usage")

// run executes a command line and returns the process exit code: 0 on
// success, 2 for a usage error, 1 for anything else.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "finscore: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	err := cmd.run(args[1:], stdin, stdout, stderr)
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintf(stderr, "finscore %s: %v\n", args[0], err)
		return 1
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "finscore scores financial text with a Transformer that runs on your machine.")
	fmt.Fprintln(w, "\nUsage: finscore COMMAND [flags]\n\nCommands:")
	for _, name := range order {
		fmt.Fprintf(w, "  %-9s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w, "\nRun \"finscore COMMAND --help\" for a command's flags.")
}

// newFlags returns a flag set that reports errors instead of exiting, with
// a usage message naming the command.
func newFlags(name, synopsis, about string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: finscore %s %s\n\n%s\n\nFlags:\n", name, synopsis, about)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, rejecting stray positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "finscore %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	return nil
}

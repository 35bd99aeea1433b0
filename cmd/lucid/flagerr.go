package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// usageFail reports a command-line mistake the one way every lucid command
// does: "lucid CMD: PROBLEM" on a single line, then where the help is, so
// that a user (or a script reading the first line) sees the problem first
// and not a page of flags. It returns the usage exit status.
func usageFail(stderr io.Writer, cmd, format string, args ...any) int {
	problem := strings.Join(strings.Fields(fmt.Sprintf(format, args...)), " ")
	fmt.Fprintf(stderr, "lucid %s: %s\nsee 'lucid %s --help'\n", cmd, problem, cmd)
	return exitUsage
}

// parseFlagSet parses args with fs, printing usage on stdout for -h and
// reporting any flag error through usageFail (the flag package's own
// output, the whole usage on stderr, is silenced). When done is true the
// command returns status.
func parseFlagSet(fs *flag.FlagSet, cmd string, args []string, stdout, stderr io.Writer, usage func(io.Writer)) (status int, done bool) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		usage(stdout)
		return exitOK, true
	case err != nil:
		return usageFail(stderr, cmd, "%s", flagProblem(err)), true
	}
	return 0, false
}

// flagProblem rewords the flag package's errors the way the flags are
// written on lucid's command lines (--name, or -x for a one-letter flag),
// leading with the flag: "unknown flag --bogus", `--tls-min "1.1": ...`.
func flagProblem(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return "unknown flag " + dashes(name)
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return dashes(name) + " needs a value"
	}
	for _, lead := range []string{"invalid value ", "invalid boolean value "} {
		rest, ok := strings.CutPrefix(msg, lead)
		if !ok {
			continue
		}
		// rest is `"VALUE" for flag -NAME: PROBLEM`.
		value, tail, ok := strings.Cut(rest, " for flag -")
		if !ok {
			// Booleans say "for -NAME".
			if value, tail, ok = strings.Cut(rest, " for -"); !ok {
				break
			}
		}
		name, problem, _ := strings.Cut(tail, ": ")
		if problem == "" || problem == "parse error" {
			return dashes(name) + " " + value + " is not a valid value"
		}
		return dashes(name) + " " + value + ": " + problem
	}
	return msg
}

// dashes writes a flag's name as typed: -x for one letter, --name else.
func dashes(name string) string {
	if len([]rune(name)) == 1 {
		return "-" + name
	}
	return "--" + name
}

// parseInterleaved parses args with fs where flags may come before or
// after the operands, as with curl and openssl, and returns the operands
// in order. help reports -h/--help; a flag error comes back as err.
func parseInterleaved(fs *flag.FlagSet, args []string) (operands []string, help bool, err error) {
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return operands, true, nil
			}
			return operands, false, err
		}
		if fs.NArg() == 0 {
			return operands, false, nil
		}
		operands = append(operands, fs.Arg(0))
		rest = fs.Args()[1:]
	}
}

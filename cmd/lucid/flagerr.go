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
		return usageFail(stderr, cmd, "%v", err), true
	}
	return 0, false
}

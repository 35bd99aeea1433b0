package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// subcommandFunc runs one word of a command that takes subcommands, such as
// `lucid cert inspect`: it gets the arguments after the word.
type subcommandFunc func(args []string, stdout, stderr io.Writer) int

// runSubcommand runs `lucid NAME SUB ...`: usage on stderr (exit 2) with no
// SUB, on stdout for -h and help, and a one-line usage error for an
// unknown SUB, naming the ones there are.
func runSubcommand(name, usage string, subs map[string]subcommandFunc, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if run, ok := subs[args[0]]; ok {
		return run(args[1:], stdout, stderr)
	}
	names := slices.Sorted(maps.Keys(subs))
	return usageFail(stderr, name, "unknown subcommand %q (there is: %s)", args[0], strings.Join(names, ", "))
}

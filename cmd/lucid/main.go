// Command lucid is Lucid's command line: HTTPS from the protocol up, showing
// its work.
//
// Usage:
//
//	lucid demo [--show-secrets]
//	lucid ca (init|issue|sign|revoke|crl|list) [flags]
//
// demo tells the story of one HTTPS request live on 127.0.0.1: a throwaway
// CA, a Lucid TLS server, a wiretap relay in the middle and a Lucid client,
// then a tampered record, a replayed record and an impostor certificate.
// ca is a certificate authority kept in a directory: it creates root and
// intermediate CAs, issues server and client certificates, signs CSRs,
// revokes and publishes CRLs. serve and get are coming.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

const usage = `lucid: HTTPS written from the protocol up, showing its work.

Usage:
  lucid demo [--show-secrets]
  lucid ca COMMAND [flags]

Commands:
  demo    tell the story of one HTTPS request, live on 127.0.0.1:
          a throwaway CA, a Lucid TLS server, a wiretap in the middle
          and a Lucid client; then a tampered record, a replayed record
          and an impostor certificate
  ca      a certificate authority in a directory: init (a root or an
          intermediate), issue, sign (a CSR), revoke, crl, list

Coming: serve (an HTTPS server), get (an HTTPS client).

Run 'lucid demo -h' for the demo's flags, 'lucid ca -h' for the CA's.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run carries out the command line args and returns the exit status: 0 on
// success, 1 when a command fails, 2 for a usage error.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch cmd := args[0]; cmd {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	case "demo":
		return demoCommand(args[1:], stdout, stderr)
	case "ca":
		return caCommand(args[1:], stdout, stderr)
	case "serve", "get":
		fmt.Fprintf(stderr, "lucid: %s is not written yet; it is coming.\n\n%s", cmd, usage)
		return 2
	default:
		fmt.Fprintf(stderr, "lucid: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
}

// demoCommand parses the demo's flags and runs it.
func demoCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lucid demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opts demoOptions
	fs.BoolVar(&opts.ShowSecrets, "show-secrets", false,
		"also print the secret values from the key log (they decrypt the demo's traffic)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: lucid demo [--show-secrets]\n\n"+
			"Tells the story of one HTTPS request, live on 127.0.0.1.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "lucid demo: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if err := runDemo(stdout, opts); err != nil {
		fmt.Fprintf(stderr, "lucid demo: %v\n", err)
		return 1
	}
	return 0
}

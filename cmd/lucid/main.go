// Command lucid is Lucid's command line: HTTPS from the protocol up, showing
// its work.
//
// Usage:
//
//	lucid demo [--tls 1.2|1.3] [--kx ecdhe|rsa] [--attack LIST] [--lang en|zh] [--json] [--trace-json FILE] [--show-secrets]
//	lucid serve [--addr 127.0.0.1:8443] [--dir DIR] [flags]
//	lucid get [flags] URL
//	lucid ca (init|issue|sign|revoke|crl|list|install|uninstall) [flags]
//	lucid connect [flags] HOST:PORT
//	lucid cert inspect [flags] FILE|HOST:PORT
//	lucid ech keygen --public-name NAME --out DIR [--config-id N]
//
// demo tells the story of one HTTPS request live on 127.0.0.1: a throwaway
// CA, a Lucid TLS server, a wiretap relay in the middle and a Lucid client,
// then a tampered record, a replayed record, an impostor certificate and a
// downgrade to TLS 1.2. serve is an HTTPS server (HTTP/1.1 and HTTP/2) that
// shows visitors their own handshake; get is an HTTPS client with curl's
// habits. ca is a certificate authority kept in a directory: it creates
// root and intermediate CAs, issues server and client certificates, signs
// CSRs, revokes and publishes CRLs, and installs its root into the
// machine's and the browsers' trust stores. ech makes Encrypted Client
// Hello keys for serve --ech-key and configs for get --ech-config.
package main

import (
	"fmt"
	"io"
	"os"
)

const usage = `lucid: HTTPS written from the protocol up, showing its work.

Usage:
  lucid demo [--tls 1.2|1.3] [--kx ecdhe|rsa] [--attack LIST] [--lang en|zh] [--json] [--trace-json FILE] [--show-secrets]
  lucid serve [--addr 127.0.0.1:8443] [--dir DIR] [flags]
  lucid get [flags] URL
  lucid ca COMMAND [flags]
  lucid connect [flags] HOST:PORT
  lucid cert inspect [flags] FILE|HOST:PORT
  lucid ech keygen --public-name NAME --out DIR [--config-id N]

Commands:
  demo    tell the story of one HTTPS request, live on 127.0.0.1:
          a throwaway CA, a Lucid TLS server, a wiretap in the middle
          and a Lucid client; then a tampered record, a replayed record
          and an impostor certificate, and a downgrade
  serve   an HTTPS server (HTTP/1.1 and HTTP/2) on Lucid's TLS; with no
          certificate it gets one for localhost from the local CA
  get     fetch a URL over Lucid's TLS, with curl's habits; -v shows the
          handshake
  ca      a certificate authority in a directory: init (a root or an
          intermediate), issue, sign (a CSR), revoke, crl, list; install
          and uninstall make browsers and the system trust it
  connect a raw TLS connection (openssl s_client's job): the handshake's
          timeline, then stdin to the server and the server to stdout
  cert    inspect a certificate file or a server's chain: every field in
          words, and whether it verifies, or why not
  ech     Encrypted Client Hello: keygen makes a key for serve
          --ech-key and the config list to publish (base64, as a DNS
          HTTPS record's ech= takes it) for get --ech-config

Run 'lucid COMMAND -h' for a command's flags.
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
		return demoMain(args[1:], stdout, stderr)
	case "ca":
		return caCommand(args[1:], stdout, stderr)
	case "serve":
		return runServe(args[1:], stdout, stderr)
	case "get":
		return runGet(args[1:], stdout, stderr)
	case "connect":
		return runConnect(args[1:], stdout, stderr)
	case "cert":
		return certCommand(args[1:], stdout, stderr)
	case "ech":
		return echCommand(args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "lucid: unknown command %q\nsee 'lucid --help'\n", cmd)
		return exitUsage
	}
}

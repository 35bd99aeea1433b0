package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"lucid/pki"
	"lucid/tls"
)

const certUsage = `Usage: lucid cert inspect [flags] FILE|HOST:PORT

Shows a certificate or a chain in words: subject, issuer, serial,
validity, names, key, signature, CA constraints, key usage, extended key
usage, key identifiers and SHA-256/SHA-1 fingerprints, then whether it
verifies and, when it does not, why. FILE holds PEM certificates (a chain,
leaf first) or one DER certificate; HOST:PORT is a TLS server, whose chain
is fetched with Lucid's TLS (verification is done afterwards, so a chain
that fails is still shown).

Flags:
      --cacert FILE       verify against the CA certificates in FILE (PEM)
                          instead of the system's roots
      --crl FILE          check the chain against the CRLs in FILE (PEM or
                          DER; repeatable)
      --host NAME         check that the leaf is valid for NAME (a server's
                          default: its HOST, or --servername)
      --servername NAME   for HOST:PORT, the name sent as SNI
      --client            verify as a client certificate (clientAuth)
                          rather than a server's
      --connect-timeout S for HOST:PORT, give up after S seconds (default 30)

A leaf that is itself a CA certificate is checked as a CA: whether it is
a trusted root or chains to one.

Exit status: 0 verified, 5 not verified, 3 could not connect, 4 the TLS
handshake failed, 2 usage error, 1 another failure (a file).
`

// certCommand runs `lucid cert SUBCOMMAND`.
func certCommand(args []string, stdout, stderr io.Writer) int {
	return runSubcommand("cert", certUsage, map[string]subcommandFunc{"inspect": certInspect}, args, stdout, stderr)
}

// certInspectOptions is what `lucid cert inspect` was asked to do.
type certInspectOptions struct {
	Target         string
	CACert         string
	CRLFiles       []string
	Host           string
	ServerName     string
	Client         bool
	ConnectTimeout time.Duration
}

func certInspect(args []string, stdout, stderr io.Writer) int {
	o := certInspectOptions{ConnectTimeout: 30 * time.Second}
	fs := flag.NewFlagSet("lucid cert inspect", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var crls stringsFlag
	var help bool
	fs.StringVar(&o.CACert, "cacert", "", "")
	fs.Var(&crls, "crl", "")
	fs.StringVar(&o.Host, "host", "", "")
	fs.StringVar(&o.ServerName, "servername", "", "")
	fs.BoolVar(&o.Client, "client", false, "")
	fs.Var(secondsFlag{&o.ConnectTimeout}, "connect-timeout", "")
	fs.BoolVar(&help, "h", false, "")
	fs.BoolVar(&help, "help", false, "")
	fail := func(format string, a ...any) int {
		return usageFail(stderr, "cert inspect", format, a...)
	}
	positional, asked, err := parseInterleaved(fs, args)
	if err != nil {
		return fail("%s", flagProblem(err))
	}
	help = help || asked
	if help {
		fmt.Fprint(stdout, certUsage)
		return exitOK
	}
	if len(positional) != 1 {
		return fail("give one FILE or HOST:PORT")
	}
	o.Target, o.CRLFiles = positional[0], crls
	if o.Client && o.Host != "" {
		return fail("--client and --host exclude each other: a client certificate is not checked against a host name")
	}
	errf := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "lucid cert inspect: "+format+"\n", a...)
		return code
	}

	opts := pki.VerifyOptions{CurrentTime: time.Now(), DNSName: o.Host}
	rootsFrom := "the system's roots"
	if o.CACert != "" {
		data, err := os.ReadFile(o.CACert)
		if err != nil {
			return errf(exitOther, "reading --cacert: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(data) {
			return errf(exitOther, "--cacert %s holds no PEM certificate", o.CACert)
		}
		opts.Roots, rootsFrom = pool, o.CACert
	}
	if len(o.CRLFiles) > 0 {
		lists, err := readCRLFiles(o.CRLFiles)
		if err != nil {
			return errf(exitOther, "%v", err)
		}
		opts.RevocationLists = lists
	}
	if o.Client {
		opts.KeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}

	var chain []*x509.Certificate
	if _, err := os.Stat(o.Target); err == nil {
		if o.ServerName != "" {
			return fail("--servername is for HOST:PORT; for a file, --host names the host to check")
		}
		chain, err = readCertificateFile(o.Target)
		if err != nil {
			return errf(exitOther, "%v", err)
		}
	} else {
		host, port, serr := net.SplitHostPort(o.Target)
		if serr != nil || host == "" {
			return fail("%s is neither a file (%v) nor HOST:PORT", o.Target, err)
		}
		if _, perr := strconv.ParseUint(port, 10, 16); perr != nil {
			return fail("%s: bad port %q", o.Target, port)
		}
		name := o.ServerName
		if name == "" {
			name = host
		}
		if o.Host == "" && !o.Client {
			opts.DNSName = name
		}
		cs, err := fetchChain(o.Target, name, o.ConnectTimeout)
		if err != nil {
			code := getExitCode(err)
			if code == exitOK || code == exitOther || code == exitCertificate {
				code = exitHandshake
			}
			if isTimeout(err) {
				return errf(exitConnect, "timed out: the TCP connection and TLS handshake with %s did not finish within %s (--connect-timeout)", o.Target, o.ConnectTimeout)
			}
			return errf(code, "%v", err)
		}
		fmt.Fprintf(stdout, "Connected to %s (SNI %s): %s, %s, key exchange %s\n\n", o.Target, name,
			tls.VersionName(cs.Version), tls.CipherSuiteName(cs.CipherSuite), groupOrNone(cs.CurveID))
		chain = cs.PeerCertificates
		if len(chain) == 0 {
			return errf(exitCertificate, "the server sent no certificate")
		}
	}
	for i, c := range chain {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		writeCertificate(stdout, chainLabel(c, i, len(chain)), c, opts.CurrentTime)
	}
	fmt.Fprintln(stdout)
	if writeVerdict(stdout, chain, opts, rootsFrom) {
		return exitOK
	}
	return exitCertificate
}

// writeVerdict verifies chain and says so; it reports whether it verified.
func writeVerdict(w io.Writer, chain []*x509.Certificate, opts pki.VerifyOptions, rootsFrom string) bool {
	leaf := chain[0]
	if leaf.BasicConstraintsValid && leaf.IsCA {
		// A CA certificate is not a TLS peer's leaf: say whether it is
		// trusted as an authority.
		inter := x509.NewCertPool()
		for _, c := range chain[1:] {
			inter.AddCert(c)
		}
		chains, err := leaf.Verify(x509.VerifyOptions{Roots: opts.Roots, Intermediates: inter,
			CurrentTime: opts.CurrentTime, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		fmt.Fprintf(w, "Verification as a CA certificate, against %s:\n", rootsFrom)
		if err != nil {
			fmt.Fprintf(w, "  NOT TRUSTED: %v\n", err)
			return false
		}
		c := chains[0]
		if len(c) == 1 {
			fmt.Fprintln(w, "  OK: it is a trusted root")
		} else {
			fmt.Fprintf(w, "  OK: it chains to the trusted root %q\n", c[len(c)-1].Subject.CommonName)
		}
		return true
	}
	what := "a TLS server certificate"
	if len(opts.KeyUsages) > 0 && opts.KeyUsages[0] == x509.ExtKeyUsageClientAuth {
		what = "a TLS client certificate"
	}
	if opts.DNSName != "" {
		what += " for " + opts.DNSName
	}
	if len(opts.RevocationLists) > 0 {
		what += fmt.Sprintf(", with %d CRL(s)", len(opts.RevocationLists))
	}
	fmt.Fprintf(w, "Verification as %s, against %s:\n", what, rootsFrom)
	raw := make([][]byte, len(chain))
	for i, c := range chain {
		raw[i] = c.Raw
	}
	_, chains, err := pki.VerifyChain(raw, opts)
	if err != nil {
		reason := "refused"
		var ve *pki.VerifyError
		if errors.As(err, &ve) {
			reason = ve.Reason.String()
		}
		fmt.Fprintf(w, "  FAILED (%s): %v\n", reason, err)
		return false
	}
	c := chains[0]
	fmt.Fprintf(w, "  OK: a chain of %d to the trusted root %q\n", len(c), c[len(c)-1].Subject.CommonName)
	return true
}

// maxCertFile bounds a certificate file: real chains are a few kilobytes.
const maxCertFile = 4 << 20

// maxChainInFile bounds how many certificates a file may hold.
const maxChainInFile = 64

// readCertificateFile reads PEM certificates (a chain, leaf first) or one
// DER certificate.
func readCertificateFile(path string) ([]*x509.Certificate, error) {
	data, err := readCapped(path, maxCertFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !bytes.Contains(data, []byte("-----BEGIN")) {
		c, err := x509.ParseCertificate(data)
		if err != nil {
			return nil, fmt.Errorf("%s is neither PEM nor a DER certificate: %v", path, err)
		}
		return []*x509.Certificate{c}, nil
	}
	var out []*x509.Certificate
	var skipped []string
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			skipped = append(skipped, b.Type)
			continue
		}
		if len(out) == maxChainInFile {
			return nil, fmt.Errorf("%s holds more than %d certificates", path, maxChainInFile)
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: certificate %d: %v", path, len(out), err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		if len(skipped) > 0 {
			return nil, fmt.Errorf("%s holds no certificate, only %s", path, strings.Join(skipped, ", "))
		}
		return nil, fmt.Errorf("%s holds no PEM certificate", path)
	}
	return out, nil
}

// fetchChain makes a TLS connection to addr that accepts any chain, to
// show it: cert inspect verifies it afterwards and says why it fails.
func fetchChain(addr, serverName string, timeout time.Duration) (tls.ConnectionState, error) {
	ctx := context.Background()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return tls.ConnectionState{}, err
	}
	defer raw.Close()
	c := tls.Client(raw, &tls.Config{ServerName: serverName, InsecureSkipVerify: true})
	if err := c.HandshakeContext(ctx); err != nil {
		return tls.ConnectionState{}, fmt.Errorf("TLS handshake with %s failed: %w", addr, err)
	}
	cs := c.ConnectionState()
	c.Close()
	return cs, nil
}

// groupOrNone names the key exchange group, or says there was none.
func groupOrNone(g tls.CurveID) string {
	if g == 0 {
		return "none (RSA key transport)"
	}
	return groupName(g)
}

// summarizeHandshake is get's and connect's summary of a handshake: the
// version, suite and group, what alpn prints, then the server's
// certificate and whether it was verified.
func summarizeHandshake(w io.Writer, cs tls.ConnectionState, insecure bool, alpn func()) {
	fmt.Fprintf(w, "* TLS handshake done: %s, cipher suite %s, key exchange group %s\n",
		tls.VersionName(cs.Version), tls.CipherSuiteName(cs.CipherSuite), groupOrNone(cs.CurveID))
	alpn()
	if len(cs.PeerCertificates) == 0 {
		return
	}
	fmt.Fprintln(w, "* Server certificate:")
	describeCertificate(w, cs.PeerCertificates[0])
	switch {
	case len(cs.VerifiedChains) > 0:
		chain := cs.VerifiedChains[0]
		fmt.Fprintf(w, "*   verified: yes, a chain of %d to the trusted root %q\n", len(chain), chain[len(chain)-1].Subject.CommonName)
	case insecure:
		fmt.Fprintln(w, "*   verified: NO (--insecure)")
	}
}

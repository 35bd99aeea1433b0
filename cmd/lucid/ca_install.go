package main

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// trustAbout is the help shared by `lucid ca install` and `uninstall`.
const trustAbout = `Makes browsers and other programs on this machine trust the CA, as mkcert
-install does, or takes that trust back. Two stores:

  system  the operating system's trust store, used by curl, openssl, Go and
          most command-line tools. Detected layouts: Debian and Ubuntu
          (/usr/local/share/ca-certificates + update-ca-certificates),
          Fedora and RHEL (/etc/pki/ca-trust/source/anchors + update-ca-trust
          extract), Arch (/etc/ca-certificates/trust-source/anchors + trust
          extract-compat), openSUSE (/etc/pki/trust/anchors +
          update-ca-certificates). Changing it needs root.
  nss     the NSS databases of Chromium (~/.pki/nssdb) and Firefox (cert9.db
          in each profile under ~/.mozilla/firefox), changed with certutil
          (Debian package libnss3-tools). No root needed.

The certificate installed is the root of the CA in --dir (DIR/ca.crt, or
DIR/root.crt for an intermediate CA). Uninstall removes exactly what install
added: the file it wrote in the system directory and the NSS entry under its
nickname, each only when it holds this CA's certificate.
Exit status: 0 every store found was changed (or already was); 1 some store
could not be changed (the message says which, and what to run); 2 usage.`

// trustCert is the certificate to install, with the names it goes by in
// the stores, all derived from its bytes so that uninstall finds exactly
// what install added.
type trustCert struct {
	file     string // where it was read from
	cert     *x509.Certificate
	pem      []byte
	nickname string // in NSS databases
	fileName string // in the system anchor directory
}

// loadTrustCert reads the root certificate of the CA in dir. Only the
// certificate is read, never the key: install often runs as root, and
// must not need (or touch) the CA's private files.
func loadTrustCert(dir string) (*trustCert, error) {
	path := filepath.Join(dir, "ca.crt")
	cert, err := readOneCert(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no CA in %s: %s does not exist (create one with 'lucid ca init --dir %s')", dir, path, shellQuote(dir))
	}
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(cert.RawSubject, cert.RawIssuer) || cert.CheckSignatureFrom(cert) != nil {
		// An intermediate CA: trust belongs to the root above it.
		path = filepath.Join(dir, "root.crt")
		if cert, err = readOneCert(path); err != nil {
			return nil, fmt.Errorf("the CA in %s is an intermediate, and its root: %w", dir, err)
		}
	}
	if !cert.BasicConstraintsValid || !cert.IsCA {
		return nil, fmt.Errorf("%s is not a CA certificate", path)
	}
	sum := sha256.Sum256(cert.Raw)
	short := hex.EncodeToString(sum[:6])
	name := cert.Subject.CommonName
	if name == "" {
		name = "Lucid CA"
	}
	return &trustCert{
		file:     path,
		cert:     cert,
		pem:      pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}),
		nickname: fmt.Sprintf("%s (lucid %s)", name, short),
		fileName: "lucid-" + strings.TrimPrefix(fileSlug(name), "lucid-") + "-" + short + ".crt",
	}, nil
}

// readOneCert reads a PEM file that must hold exactly one certificate.
func readOneCert(path string) (*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, rest := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%s holds no PEM certificate", path)
	}
	if next, _ := pem.Decode(rest); next != nil {
		return nil, fmt.Errorf("%s holds more than one PEM block; expected one certificate", path)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return cert, nil
}

// fileSlug keeps a CA name's letters and digits for a file name that
// update-ca-certificates and friends accept whatever the name holds.
func fileSlug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// trustFlags are the flags install and uninstall share.
type trustFlags struct {
	systemDir string
	updateCmd string
	updateSet bool
	noSystem  bool
	noNSS     bool
	nssDBs    listFlag
}

func (c *caCmd) trust(install bool, args []string) int {
	verb := "uninstall"
	synopsis := "lucid ca uninstall [--dir DIR] [--no-system] [--system-dir DIR] [--update-cmd CMD] [--no-nss] [--nss-db DIR]..."
	if install {
		verb = "install"
		synopsis = "lucid ca install [--dir DIR] [--no-system] [--system-dir DIR] [--update-cmd CMD] [--no-nss] [--nss-db DIR]..."
	}
	s := c.newSub(verb, synopsis, trustAbout)
	var f trustFlags
	s.fs.BoolVar(&f.noSystem, "no-system", false, "leave the system trust store alone")
	s.fs.StringVar(&f.systemDir, "system-dir", "", "use this anchor `directory` instead of the detected one (no update command runs unless --update-cmd names one)")
	s.fs.StringVar(&f.updateCmd, "update-cmd", "", "the `command` that rebuilds the system store after a change (default: the detected layout's; \"\" for none)")
	s.fs.BoolVar(&f.noNSS, "no-nss", false, "leave the NSS databases (Chromium, Firefox) alone")
	s.fs.Var(&f.nssDBs, "nss-db", "change this NSS database `directory` instead of the ones found under $HOME (repeatable; install creates a missing one)")
	if _, st, done := s.parse(args, 0, ""); done {
		return st
	}
	s.fs.Visit(func(fl *flag.Flag) { f.updateSet = f.updateSet || fl.Name == "update-cmd" })
	if f.noSystem && f.noNSS {
		return s.fail(usageError{"--no-system and --no-nss together leave nothing to do"})
	}
	dir, err := filepath.Abs(*s.dir)
	if err != nil {
		return s.fail(err)
	}
	tc, err := loadTrustCert(dir)
	if err != nil {
		return s.fail(err)
	}
	w := c.stdout
	fmt.Fprintf(w, "CA certificate %q from %s\n  SHA-256 %s\n", tc.cert.Subject.CommonName, tc.file, fingerprintHex(tc.cert.Raw))
	failed := false
	if !f.noSystem {
		r := systemTrust(install, tc, f, dir)
		fmt.Fprintln(w, r.line)
		if r.failed {
			failed = true
		}
	}
	if !f.noNSS {
		for _, r := range nssTrust(install, tc, f, os.Getenv("HOME")) {
			fmt.Fprintln(w, r.line)
			if r.failed {
				failed = true
			}
		}
	}
	if install && !failed {
		fmt.Fprintf(w, "Restart running browsers to pick it up. Undo with: lucid ca uninstall --dir %s\n", shellQuote(dir))
	}
	if failed {
		return 1
	}
	return 0
}

// trustResult is what one store's change came to, said in one line.
type trustResult struct {
	line   string
	failed bool
}

// fingerprintHex is a certificate's SHA-256 as colon-separated hex, the
// way browsers show it.
func fingerprintHex(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

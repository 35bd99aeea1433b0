package pki

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// ErrNoCA is wrapped by Open's error when the directory holds no CA, so a
// caller can suggest creating one.
var ErrNoCA = errors.New("no CA")

// Default lifetimes, in days. Roots change rarely and are painful to
// redistribute; intermediates are replaced more easily; leaves follow the
// 90 days that automated public CAs use, short enough that a leaked key
// stops mattering soon.
const (
	DefaultRootDays         = 3650
	DefaultIntermediateDays = 1825
	DefaultLeafDays         = 90
	// maxDays keeps dates far from the year 10000, past which X.509's
	// GeneralizedTime cannot go (RFC 5280 §4.1.2.5.2).
	maxDays = 36500
)

// backdate is how far before "now" a certificate's validity starts, so a
// peer whose clock is a little behind still accepts a certificate issued a
// moment ago.
const backdate = time.Hour

// Default names for the certificates Init makes.
const (
	DefaultRootName         = "Lucid Root CA"
	DefaultIntermediateName = "Lucid Intermediate CA"
	DefaultOrganization     = "Lucid"
)

// CA is a certificate authority: its certificate and private key, the
// certificates above it when it is an intermediate, and the index of what
// it issued. A CA lives in a directory (Init, Open) or only in memory
// (NewMemoryCA). Its methods are safe for concurrent use; in a directory,
// a lock (lockDir) also keeps separate processes from interleaving
// changes, and every change survives a crash at any step (Recover).
type CA struct {
	dir  string // "" for a CA in memory
	cert *x509.Certificate
	key  crypto.Signer
	// chain is this CA's certificate followed by the intermediates above
	// it, excluding the root: what follows a leaf in a chain file. Empty
	// for a root.
	chain []*x509.Certificate
	root  *x509.Certificate

	mu  sync.Mutex
	mem *index // the index of a CA in memory; a directory's is on disk
	// notes say what recovery from an interrupted operation did, until
	// Recovered hands them out.
	notes []string
}

// InitOptions describe a new CA.
type InitOptions struct {
	// Name is the common name; "" gives DefaultRootName or
	// DefaultIntermediateName.
	Name string
	// Organization and Country complete the subject; "" gives
	// DefaultOrganization and no countryName. A local CA is bound by no
	// public rule that wants a country, and a placeholder such as "XX"
	// only reads as a real place in a browser's certificate viewer.
	Organization, Country string
	// KeyType is the CA key's type; "" means ECDSA P-256.
	KeyType KeyType
	// Days is the validity from Now; 0 gives DefaultRootDays or
	// DefaultIntermediateDays (an intermediate's default is cut short
	// to end with its parent). An intermediate may not outlive its
	// parent: asking for more days is an error.
	Days int
	// PathLen limits how many intermediates may follow this CA (the
	// pathLenConstraint of RFC 5280 §4.2.1.9). nil gives no limit for a
	// root, as the Baseline Requirements recommend, and 0 for an
	// intermediate: it issues leaves only.
	PathLen *int
	// Permitted and Excluded are name constraints (RFC 5280 §4.2.1.10):
	// DNS domains ("example.com" covers it and its subdomains,
	// ".example.com" only subdomains) and IP ranges in CIDR notation. An
	// intermediate inherits its parent's constraints and may only narrow
	// them.
	Permitted, Excluded []string
	// Parent, when set, signs the new CA, making it an intermediate.
	Parent *CA
	// Now is the time of creation; it must be set, so that tests
	// control time and nothing reads the clock behind the caller's back.
	Now time.Time
	// Force allows replacing an existing CA in the directory. Its index
	// starts afresh.
	Force bool
}

// Init creates a CA in dir, writing ca.crt, ca.key (mode 0600) and an
// empty index.json, plus chain.crt and root.crt for an intermediate; a
// missing dir is created with mode 0700. It refuses to replace an existing
// CA unless opts.Force is set. When opts.Parent is set the parent's index
// records the new intermediate. On any error nothing is written, except
// that a change interrupted earlier in dir is first completed (Recover).
func Init(dir string, opts InitOptions) (*CA, error) {
	if dir == "" {
		return nil, errors.New("no directory given for the CA")
	}
	return initCA(filepath.Clean(dir), opts)
}

// NewMemoryCA creates a CA that lives only in memory, for tests and
// demonstrations: nothing is written unless an IssueOptions.Out asks for
// files. Options are as for Init (Force is ignored).
func NewMemoryCA(opts InitOptions) (*CA, error) {
	return initCA("", opts)
}

// caTemplate is a CA certificate about to be signed, with what Init
// decided on the way.
type caTemplate struct {
	tmpl *x509.Certificate
	kt   KeyType
}

func initCA(dir string, opts InitOptions) (*CA, error) {
	now := opts.Now
	if now.IsZero() {
		return nil, errors.New("no time given: InitOptions.Now is zero")
	}
	parent := opts.Parent
	if parent != nil && dir != "" && parent.dir != "" && sameFile(dir, parent.dir) {
		return nil, fmt.Errorf("the intermediate's directory %s is its parent's; give it a directory of its own", dir)
	}
	ct, err := planCA(opts)
	if err != nil {
		return nil, err
	}

	// A change interrupted in dir is finished first (it may be an earlier
	// Init of this very CA); then an existing CA is refused before the slow
	// part (RSA key generation can take seconds).
	var notes []string
	if dir != "" {
		if notes, err = recoverIfNeeded(dir); err != nil {
			return nil, err
		}
		if err := checkInitDir(dir, opts.Force); err != nil {
			return nil, err
		}
	}

	key, err := generateKey(ct.kt)
	if err != nil {
		return nil, err
	}
	tmpl := ct.tmpl
	if tmpl.SubjectKeyId, err = subjectKeyID(key.Public()); err != nil {
		return nil, err
	}
	keyPEM, err := marshalKey(key)
	if err != nil {
		return nil, err
	}

	ca := &CA{dir: dir, key: key, notes: notes}
	if dir == "" {
		ca.mem = newIndex()
	}
	var created, absDir string
	if dir != "" {
		if created, err = makeDir(dir); err != nil {
			return nil, err
		}
		if absDir, err = filepath.Abs(dir); err != nil {
			return nil, err
		}
	}
	// deliver takes the signed certificate and, in a directory, writes the
	// new CA's files as one change under the directory's own lock. For an
	// intermediate it runs inside the parent's sign, between recording the
	// serial in the parent's index and marking it delivered there.
	deliver := func(der []byte) error {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return fmt.Errorf("parsing the new CA certificate: %w", err)
		}
		ca.cert = cert
		what := fmt.Sprintf("creating root CA %q in %s", cert.Subject.CommonName, absDir)
		if parent == nil {
			ca.root = cert
		} else {
			ca.root = parent.root
			ca.chain = append([]*x509.Certificate{cert}, parent.chain...)
			what = fmt.Sprintf("creating intermediate CA %q (serial %s) in %s", cert.Subject.CommonName, FormatSerial(cert.SerialNumber), absDir)
		}
		if dir == "" {
			return nil
		}
		empty, err := newIndex().marshal()
		if err != nil {
			return err
		}
		tx := &fileTx{}
		tx.write(filepath.Join(dir, keyFile), keyPEM, keyMode, opts.Force)
		tx.write(filepath.Join(dir, certFile), certPEM(cert), publicMode, opts.Force)
		tx.write(filepath.Join(dir, indexFile), empty, publicMode, opts.Force)
		if parent == nil {
			tx.remove(filepath.Join(dir, chainFile))
			tx.remove(filepath.Join(dir, rootFile))
		} else {
			tx.write(filepath.Join(dir, chainFile), certsPEM(ca.chain), publicMode, opts.Force)
			tx.write(filepath.Join(dir, rootFile), certPEM(ca.root), publicMode, opts.Force)
		}
		// A CRL left by a CA this one replaces was signed by the old
		// key; keeping it would publish a list nobody can check.
		tx.remove(filepath.Join(dir, crlFile))

		unlock, err := lockDir(dir)
		if err != nil {
			return err
		}
		defer unlock()
		n, err := recoverLocked(dir)
		ca.notes = append(ca.notes, n...)
		if err != nil {
			return err
		}
		return tx.commitJournaled(dir, what)
	}

	if parent == nil {
		err = func() error {
			serial, err := newSerial()
			if err != nil {
				return err
			}
			tmpl.SerialNumber = serial
			der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
			if err != nil {
				return fmt.Errorf("signing the root certificate: %w", err)
			}
			crashPoint("signed")
			return deliver(der)
		}()
	} else {
		_, err = parent.sign(signRequest{kind: KindCA, tmpl: tmpl, pub: key.Public(), now: now, dir: absDir, deliver: deliver})
	}
	if err != nil {
		// A committed change stays: the next command completes it.
		var uf *unfinishedError
		if created != "" && !errors.As(err, &uf) {
			os.RemoveAll(created)
		}
		return nil, err
	}
	return ca, nil
}

// planCA checks InitOptions and fills in the certificate template: all
// the decisions that need no key and no signature.
func planCA(opts InitOptions) (*caTemplate, error) {
	now := opts.Now.UTC()
	parent := opts.Parent
	kt, err := ParseKeyType(string(opts.KeyType))
	if err != nil {
		return nil, err
	}

	name := opts.Name
	if name == "" {
		name = DefaultRootName
		if parent != nil {
			name = DefaultIntermediateName
		}
	}
	org := opts.Organization
	if org == "" {
		org = DefaultOrganization
	}
	country := opts.Country
	if err := checkSubjectText("CA name", name); err != nil {
		return nil, err
	}
	if err := checkSubjectText("organization", org); err != nil {
		return nil, err
	}
	subject := pkix.Name{CommonName: name, Organization: []string{org}}
	if country != "" {
		if len(country) != 2 || country[0] < 'A' || country[0] > 'Z' || country[1] < 'A' || country[1] > 'Z' {
			return nil, fmt.Errorf("country %q is not a two-letter upper-case ISO 3166 code such as DE or US", country)
		}
		subject.Country = []string{country}
	}

	permitDNS, permitIPs, err := parseConstraintList(opts.Permitted)
	if err != nil {
		return nil, err
	}
	excludeDNS, excludeIPs, err := parseConstraintList(opts.Excluded)
	if err != nil {
		return nil, err
	}

	def := DefaultRootDays
	if parent != nil {
		def = DefaultIntermediateDays
	}
	var issuer *x509.Certificate
	if parent != nil {
		issuer = parent.cert
	}
	notBefore, notAfter, err := validity(now, opts.Days, def, issuer)
	if err != nil {
		return nil, err
	}

	tmpl := &x509.Certificate{
		Subject:               subject,
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            -1,
	}

	var cons Constraints
	if parent == nil {
		cons = Constraints{PermittedDNS: permitDNS, ExcludedDNS: excludeDNS, PermittedIPs: permitIPs, ExcludedIPs: excludeIPs}
		if opts.PathLen != nil {
			if *opts.PathLen < 0 {
				return nil, fmt.Errorf("path length %d is negative", *opts.PathLen)
			}
			tmpl.MaxPathLen = *opts.PathLen
			tmpl.MaxPathLenZero = *opts.PathLen == 0
		}
	} else {
		pc := parent.cert
		raw := mustSubject(subject)
		for _, a := range append([]*x509.Certificate{pc}, append(parent.chain, parent.root)...) {
			if bytes.Equal(a.RawSubject, raw) {
				return nil, fmt.Errorf("the intermediate's name %q is that of %q above it; path building would confuse the two", subject, a.Subject.CommonName)
			}
		}
		limit, err := parent.pathLimit()
		if err != nil {
			return nil, err
		}
		pl := 0
		if opts.PathLen != nil {
			pl = *opts.PathLen
		}
		switch {
		case pl < 0:
			return nil, fmt.Errorf("path length %d is negative", pl)
		case limit >= 0 && pl > limit:
			return nil, fmt.Errorf("path length %d is too long: below %q at most %d more intermediate(s) may follow", pl, pc.Subject.CommonName, limit)
		}
		tmpl.MaxPathLen = pl
		tmpl.MaxPathLenZero = pl == 0
		// Both TLS purposes, and nothing else: the Baseline Requirements
		// (§7.1.2.10.6) want an EKU in subordinate CAs, and crypto/x509
		// requires a leaf's EKU to be allowed by every CA above it.
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
		// Every CA above constrains names; the nearest one already carries
		// everything above it (this function copied it down), so narrowing
		// the parent's set is enough.
		cons, err = constraintsOf(pc).narrow(fmt.Sprintf("the parent CA %q", pc.Subject.CommonName), permitDNS, excludeDNS, permitIPs, excludeIPs)
		if err != nil {
			return nil, err
		}
	}
	cons.apply(tmpl)
	return &caTemplate{tmpl: tmpl, kt: kt}, nil
}

// pathLimit returns how many intermediates may still follow this CA, or
// -1 for no limit. RFC 5280 §6.1.4 (l, m): every CA's pathLenConstraint
// counts the intermediates below it, so each CA above this one limits too,
// less the intermediates in between.
func (ca *CA) pathLimit() (int, error) {
	limit := -1
	certs := append(append([]*x509.Certificate{}, ca.chain...), ca.root)
	if len(ca.chain) == 0 {
		certs = []*x509.Certificate{ca.cert}
	}
	for i, c := range certs {
		if !c.BasicConstraintsValid || !c.IsCA {
			return 0, fmt.Errorf("%q is not a CA certificate", c.Subject.CommonName)
		}
		if c.MaxPathLen < 0 || (c.MaxPathLen == 0 && !c.MaxPathLenZero) {
			continue
		}
		// i intermediates sit between c and the new one (c's own
		// position counts for certs above this CA).
		left := c.MaxPathLen - i - 1
		if left < 0 {
			if i == 0 {
				return 0, fmt.Errorf("the CA %q has path length %d, so it may only issue leaf certificates, not intermediates", c.Subject.CommonName, c.MaxPathLen)
			}
			return 0, fmt.Errorf("the CA %q, %d level(s) up, has path length %d, which allows no further intermediate", c.Subject.CommonName, i, c.MaxPathLen)
		}
		if limit < 0 || left < limit {
			limit = left
		}
	}
	return limit, nil
}

// mustSubject encodes a name as crypto/x509 writes it into a certificate,
// to compare with another certificate's raw subject.
func mustSubject(n pkix.Name) []byte {
	b, _ := asn1.Marshal(n.ToRDNSequence())
	return b
}

// checkSubjectText checks a subject attribute Lucid writes: printable and
// within ub-common-name / ub-organization-name (64, RFC 5280 App. A).
func checkSubjectText(what, s string) error {
	switch {
	case !utf8.ValidString(s):
		return fmt.Errorf("%s %q is not valid UTF-8", what, s)
	case utf8.RuneCountInString(s) > maxCommonName:
		return fmt.Errorf("%s %q is longer than %d characters", what, s, maxCommonName)
	case s != "" && (s[0] == ' ' || s[len(s)-1] == ' '):
		return fmt.Errorf("%s %q starts or ends with a space", what, s)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("%s %q has the unprintable character %U", what, s, r)
		}
	}
	return nil
}

// validity works out a certificate's validity window. days == 0 means def
// days, cut short to end when the issuer does; days asked for explicitly
// must fit inside the issuer's validity (counting its last partial day). The window starts backdate before
// now, but never before the issuer's.
func validity(now time.Time, days, def int, issuer *x509.Certificate) (notBefore, notAfter time.Time, err error) {
	now = now.UTC()
	if issuer != nil {
		if now.After(issuer.NotAfter) {
			return time.Time{}, time.Time{}, fmt.Errorf("the CA certificate %q expired on %s; it can issue nothing more", issuer.Subject.CommonName, fmtDate(issuer.NotAfter))
		}
		if now.Before(issuer.NotBefore) {
			return time.Time{}, time.Time{}, fmt.Errorf("the CA certificate %q is not valid until %s; is the clock right?", issuer.Subject.CommonName, fmtDate(issuer.NotBefore))
		}
	}
	switch {
	case days < 0:
		return time.Time{}, time.Time{}, fmt.Errorf("days must be at least 1, not %d", days)
	case days > maxDays:
		return time.Time{}, time.Time{}, fmt.Errorf("%d days is more than the %d (100 years) Lucid allows", days, maxDays)
	}
	explicit := days != 0
	if !explicit {
		days = def
	}
	notAfter = now.AddDate(0, 0, days).Truncate(time.Second)
	notBefore = now.Add(-backdate).Truncate(time.Second)
	if issuer != nil {
		if notAfter.After(issuer.NotAfter) {
			// Days are counted whole: the CA's last, partial day still
			// counts, so "--days 365" right after creating a 365-day CA
			// is not refused for the seconds that passed in between;
			// the certificate then ends with the CA.
			left := int((issuer.NotAfter.Sub(now) + 24*time.Hour - 1) / (24 * time.Hour))
			if explicit && days > left {
				return time.Time{}, time.Time{}, fmt.Errorf("%d days from now is %s, after the CA certificate %q expires (%s); ask for at most %d days",
					days, fmtDate(notAfter), issuer.Subject.CommonName, fmtDate(issuer.NotAfter), left)
			}
			notAfter = issuer.NotAfter
		}
		if notBefore.Before(issuer.NotBefore) {
			notBefore = issuer.NotBefore
		}
	}
	return notBefore, notAfter, nil
}

// fmtDate writes a certificate time for messages: UTC, to the minute.
func fmtDate(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// checkInitDir refuses to replace a CA in dir without force.
func checkInitDir(dir string, force bool) error {
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	for _, f := range []string{certFile, keyFile, indexFile, chainFile, rootFile, crlFile} {
		if err := checkTarget(filepath.Join(dir, f), force); err != nil {
			var ee *ExistsError
			if errors.As(err, &ee) {
				return fmt.Errorf("%s already holds a CA: %w", dir, ee)
			}
			return err
		}
	}
	return nil
}

// makeDir creates dir (mode 0700: it will hold the CA key) if missing and
// returns the topmost directory it created, "" if none, so a failed Init
// can remove exactly what it made.
func makeDir(dir string) (string, error) {
	top := ""
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		top = d
		if filepath.Dir(d) == d {
			break
		}
	}
	if top == "" {
		return "", nil
	}
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return "", err
	}
	return top, nil
}

// Open loads the CA in dir, after finishing or undoing what an
// interrupted operation left there (see Recover; Recovered tells what was
// done). A directory without ca.crt gives an error wrapping ErrNoCA. Open
// checks that the key belongs to the certificate and that the chain above
// an intermediate is signed link by link.
func Open(dir string) (*CA, error) {
	if dir == "" {
		return nil, errors.New("no directory given for the CA")
	}
	dir = filepath.Clean(dir)
	notes, err := recoverIfNeeded(dir)
	if err != nil {
		return nil, err
	}
	certPath := filepath.Join(dir, certFile)
	data, err := os.ReadFile(certPath)
	if errors.Is(err, fs.ErrNotExist) {
		if _, derr := os.Stat(dir); errors.Is(derr, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w in %s: the directory does not exist", ErrNoCA, dir)
		}
		return nil, fmt.Errorf("%w in %s: %s does not exist", ErrNoCA, dir, certPath)
	}
	if err != nil {
		return nil, err
	}
	certs, err := parseCertsPEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", certPath, err)
	}
	if len(certs) != 1 {
		return nil, fmt.Errorf("%s holds %d certificates; expected one", certPath, len(certs))
	}
	cert := certs[0]
	if !cert.BasicConstraintsValid || !cert.IsCA {
		return nil, fmt.Errorf("%s is not a CA certificate", certPath)
	}
	keyPath := filepath.Join(dir, keyFile)
	keyData, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, err
	}
	key, err := parseKey(keyData)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", keyPath, err)
	}
	if !sameKey(key, cert.PublicKey) {
		return nil, fmt.Errorf("%s does not hold the key of the certificate in %s", keyPath, certPath)
	}
	ca := &CA{dir: dir, cert: cert, key: key, root: cert, notes: notes}
	if !bytes.Equal(cert.RawSubject, cert.RawIssuer) || cert.CheckSignatureFrom(cert) != nil {
		if err := ca.loadChain(); err != nil {
			return nil, err
		}
	}
	if _, err := readIndex(filepath.Join(dir, indexFile)); err != nil {
		return nil, err
	}
	return ca, nil
}

// loadChain reads chain.crt and root.crt of an intermediate and checks
// that each certificate is signed by the next.
func (ca *CA) loadChain() error {
	chainPath := filepath.Join(ca.dir, chainFile)
	rootPath := filepath.Join(ca.dir, rootFile)
	data, err := os.ReadFile(chainPath)
	if err != nil {
		return fmt.Errorf("%s is an intermediate CA but its chain is unreadable: %w", ca.dir, err)
	}
	chain, err := parseCertsPEM(data)
	if err != nil {
		return fmt.Errorf("%s: %v", chainPath, err)
	}
	if len(chain) == 0 || !chain[0].Equal(ca.cert) {
		return fmt.Errorf("%s does not start with the certificate in ca.crt", chainPath)
	}
	data, err = os.ReadFile(rootPath)
	if err != nil {
		return fmt.Errorf("%s is an intermediate CA but its root is unreadable: %w", ca.dir, err)
	}
	roots, err := parseCertsPEM(data)
	if err != nil || len(roots) != 1 {
		return fmt.Errorf("%s must hold exactly one certificate", rootPath)
	}
	all := append(append([]*x509.Certificate{}, chain...), roots[0])
	for i := 0; i+1 < len(all); i++ {
		if err := all[i].CheckSignatureFrom(all[i+1]); err != nil {
			return fmt.Errorf("%s: %q is not signed by %q: %v", ca.dir, all[i].Subject.CommonName, all[i+1].Subject.CommonName, err)
		}
	}
	ca.chain, ca.root = chain, roots[0]
	return nil
}

// parseCertsPEM reads every CERTIFICATE block in data.
func parseCertsPEM(data []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no PEM certificate found")
	}
	return out, nil
}

func certPEM(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

func certsPEM(cs []*x509.Certificate) []byte {
	var b []byte
	for _, c := range cs {
		b = append(b, certPEM(c)...)
	}
	return b
}

// Dir is the CA's directory, "" for a CA in memory.
func (ca *CA) Dir() string { return ca.dir }

// Certificate is the CA's own certificate, the issuer of what it signs.
func (ca *CA) Certificate() *x509.Certificate { return ca.cert }

// CertificatePEM is the CA's own certificate in PEM.
func (ca *CA) CertificatePEM() []byte { return certPEM(ca.cert) }

// Signer is the CA's private key. It is exposed for tests that need to
// forge or mutate certificates from a known issuer; issuing goes through
// Issue and SignCSR, which apply the CA's policy.
func (ca *CA) Signer() crypto.Signer { return ca.key }

// IsRoot reports whether the CA is a root (self-signed) rather than an
// intermediate.
func (ca *CA) IsRoot() bool { return len(ca.chain) == 0 }

// Root is the self-signed certificate at the top of the CA's chain: the
// one peers must trust. For a root CA it is Certificate.
func (ca *CA) Root() *x509.Certificate { return ca.root }

// RootPEM is Root in PEM, ready for a trust store or `openssl -CAfile`.
func (ca *CA) RootPEM() []byte { return certPEM(ca.root) }

// RootPool is a certificate pool holding only Root, for
// VerifyOptions.Roots or a TLS Config's RootCAs and ClientCAs.
func (ca *CA) RootPool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.root)
	return p
}

// Chain is this CA's certificate followed by the intermediates above it,
// excluding the root: what a server sends after its leaf. Empty for a
// root, whose leaves are sent alone.
func (ca *CA) Chain() []*x509.Certificate {
	return append([]*x509.Certificate(nil), ca.chain...)
}

// Constraints are the name constraints on this CA's certificate.
func (ca *CA) Constraints() Constraints { return constraintsOf(ca.cert) }

// List returns every certificate the CA has issued, in order of issue.
// Record.Status tells which are valid at a given time.
func (ca *CA) List() ([]Record, error) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	x, err := ca.loadIndex()
	if err != nil {
		return nil, err
	}
	return x.clone().Certificates, nil
}

// loadIndex returns the current index: from disk for a CA in a directory
// (another process may have changed it), from memory otherwise.
func (ca *CA) loadIndex() (*index, error) {
	if ca.dir == "" {
		return ca.mem, nil
	}
	return readIndex(filepath.Join(ca.dir, indexFile))
}

// Recovered returns, once, what this CA did to finish or undo operations
// that an earlier process left half done (see Recover): in Open, Init, or
// at the start of a change, if another process died in between.
func (ca *CA) Recovered() []string {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	n := ca.notes
	ca.notes = nil
	return n
}

// locked runs fn on the index of a CA in a directory, with the
// directory's lock held and whatever an earlier process left undone
// finished first. fn writes its changes itself: which step is durable
// when is what makes each operation safe to interrupt.
func (ca *CA) locked(fn func(x *index) error) error {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	unlock, err := lockDir(ca.dir)
	if err != nil {
		return err
	}
	defer unlock()
	notes, err := recoverLocked(ca.dir)
	ca.notes = append(ca.notes, notes...)
	if err != nil {
		return err
	}
	x, err := ca.loadIndex()
	if err != nil {
		return err
	}
	return fn(x)
}

// inMemory runs fn on a copy of a memory CA's index and keeps the copy
// only if fn succeeds.
func (ca *CA) inMemory(fn func(x *index) error) error {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	x := ca.mem.clone()
	if err := fn(x); err != nil {
		return err
	}
	ca.mem = x
	return nil
}

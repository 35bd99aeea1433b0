package pki

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// IssueOptions describe a leaf certificate to issue with a fresh key.
type IssueOptions struct {
	// Kind is KindServer or KindClient.
	Kind Kind
	// Names are, for a server, the host names (a leftmost "*." wildcard
	// allowed) and IP addresses it answers to; the first becomes the
	// common name as well. For a client, exactly one name: the common
	// name, and also an email SAN when it is an email address.
	Names []string
	// KeyType is the new key's type; "" means ECDSA P-256.
	KeyType KeyType
	// Days is the validity from Now; 0 gives DefaultLeafDays, cut short
	// to end with the CA. Asking for more than the CA has left is an
	// error.
	Days int
	// Now is the time of issue; it must be set.
	Now time.Time
	// Out, when set, is a path prefix: the chain goes to Out+".crt" and
	// the key to Out+".key" (mode 0600).
	Out string
	// Force allows replacing existing Out files.
	Force bool
}

// Issued is a certificate the CA just signed.
type Issued struct {
	// Certificate is the new leaf.
	Certificate *x509.Certificate
	// Chain is the leaf's DER followed by the intermediates up to but
	// excluding the root: what a TLS peer sends.
	Chain [][]byte
	// ChainPEM is Chain in PEM, as written to Out+".crt".
	ChainPEM []byte
	// Key is the leaf's private key; nil for SignCSR, whose key the
	// requester keeps.
	Key crypto.Signer
	// KeyPEM is Key in PKCS#8 PEM; nil for SignCSR.
	KeyPEM []byte
	// Record is the index entry made for the certificate.
	Record Record
	// CertFile and KeyFile are the files written, "" when none were.
	CertFile, KeyFile string
	// Ignored lists what a CSR asked for that the certificate does not
	// carry, so the requester is not surprised.
	Ignored []string
}

// Issue makes a key and a certificate for a server or client, signed by
// the CA, records it in the index and, with opts.Out, writes the chain and
// key. Server certificates carry DNS and IP SANs and EKU serverAuth;
// client certificates the name as common name and EKU clientAuth. On any
// error nothing is written and nothing recorded, unless the error says
// the change was committed: then the next operation on the CA completes
// it. A crash never leaves a certificate the index does not know (see
// sign and Recover).
func (ca *CA) Issue(opts IssueOptions) (*Issued, error) {
	if opts.Now.IsZero() {
		return nil, errors.New("no time given: IssueOptions.Now is zero")
	}
	kt, err := ParseKeyType(string(opts.KeyType))
	if err != nil {
		return nil, err
	}
	subj, err := subjectFor(opts.Kind, opts.Names)
	if err != nil {
		return nil, err
	}
	rsaKey := kt == RSA2048 || kt == RSA3072
	tmpl, err := ca.leafTemplate(subj, opts.Days, opts.Now, rsaKey)
	if err != nil {
		return nil, err
	}
	if err := ca.checkOut(opts.Out, true, opts.Force); err != nil {
		return nil, err
	}
	key, err := generateKey(kt)
	if err != nil {
		return nil, err
	}
	keyPEM, err := marshalKey(key)
	if err != nil {
		return nil, err
	}
	iss, err := ca.sign(signRequest{
		kind: opts.Kind, tmpl: tmpl, pub: key.Public(), keyPEM: keyPEM,
		now: opts.Now, out: opts.Out, force: opts.Force,
	})
	if err != nil {
		return nil, err
	}
	iss.Key = key
	return iss, nil
}

// leafSubject is who a leaf is for, already checked.
type leafSubject struct {
	kind   Kind
	server serverNames
	client clientNames
	// extra holds DNS and IP SANs a CSR asked for on a client
	// certificate.
	extra serverNames
}

// subjectFor checks the names for a certificate of the given kind.
func subjectFor(kind Kind, names []string) (leafSubject, error) {
	switch kind {
	case KindServer:
		sn, err := parseServerNames(names)
		return leafSubject{kind: kind, server: sn}, err
	case KindClient:
		if len(names) != 1 {
			return leafSubject{}, fmt.Errorf("a client certificate is issued to exactly one name, not %d", len(names))
		}
		cn, err := parseClientName(names[0])
		return leafSubject{kind: kind, client: cn}, err
	case "":
		return leafSubject{}, errors.New("no kind given: issue a server or a client certificate")
	}
	return leafSubject{}, fmt.Errorf("cannot issue a leaf certificate of kind %q; choose server or client", kind)
}

// leafTemplate turns a checked subject into a certificate template,
// applying the CA's policy: validity inside the CA's, names inside every
// name constraint above, key usage by kind and key.
func (ca *CA) leafTemplate(s leafSubject, days int, now time.Time, rsaKey bool) (*x509.Certificate, error) {
	notBefore, notAfter, err := validity(now, days, DefaultLeafDays, ca.cert)
	if err != nil {
		return nil, err
	}
	t := &x509.Certificate{
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		BasicConstraintsValid: true,
		IsCA:                  false,
		// digitalSignature covers TLS 1.3 CertificateVerify and the
		// TLS 1.2 ECDHE signatures; RFC 5280 §4.2.1.3.
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	var emails []string
	switch s.kind {
	case KindServer:
		t.DNSNames = s.server.dns
		t.IPAddresses = s.server.ips
		t.Subject = pkix.Name{CommonName: commonNameFrom(s.server)}
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		if rsaKey {
			// The seed's TLS 1.2 RSA key transport encrypts the
			// pre-master secret to the server's key, which needs
			// keyEncipherment (RFC 5246 §7.4.2, RFC 5280 §4.2.1.3).
			t.KeyUsage |= x509.KeyUsageKeyEncipherment
		}
	case KindClient:
		t.Subject = pkix.Name{CommonName: s.client.cn}
		if s.client.email != "" {
			emails = []string{s.client.email}
			t.EmailAddresses = emails
		}
		t.DNSNames = s.extra.dns
		t.IPAddresses = s.extra.ips
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	if err := ca.checkConstraints(t.DNSNames, t.IPAddresses, emails); err != nil {
		return nil, err
	}
	return t, nil
}

// commonNameFrom picks a server certificate's common name: the first name
// that fits the 64 characters a common name may hold. The SANs are what
// clients check (RFC 6125 §6.4.4); the common name is for people and old
// software, so when no name fits it is left out.
func commonNameFrom(n serverNames) string {
	for _, name := range n.all() {
		if len(name) <= maxCommonName {
			return name
		}
	}
	return ""
}

// checkConstraints refuses names that a name constraint of this CA or of
// any CA above it forbids, naming the CA whose constraint it is.
func (ca *CA) checkConstraints(dns []string, ips []net.IP, emails []string) error {
	certs := append([]*x509.Certificate{ca.cert}, ca.chain...)
	certs = append(certs, ca.root)
	for _, c := range certs {
		cons := constraintsOf(c)
		if cons.empty() {
			continue
		}
		if err := cons.checkNames(fmt.Sprintf("the CA %q", c.Subject.CommonName), dns, ips, emails); err != nil {
			return err
		}
	}
	return nil
}

// checkOut refuses an Out prefix whose files exist (unless force) or whose
// directory is missing, before any key is made. It also refuses, even
// with force, a prefix that names the CA's own files: "--out DIR/ca
// --force" would otherwise replace the CA's key with a leaf's.
func (ca *CA) checkOut(out string, withKey, force bool) error {
	if out == "" {
		return nil
	}
	tx := &fileTx{}
	tx.write(out+".crt", nil, publicMode, force)
	if withKey {
		tx.write(out+".key", nil, keyMode, force)
	}
	if ca.dir != "" {
		for _, w := range tx.writes {
			for _, own := range []string{certFile, keyFile, chainFile, rootFile} {
				if sameFile(w.path, filepath.Join(ca.dir, own)) {
					return fmt.Errorf("%s is the CA's own %s; choose another --out prefix", w.path, own)
				}
			}
		}
	}
	return tx.check()
}

// sameFile reports whether two paths name one file: equal once absolute,
// or, when both exist, the same file by identity (links, bind mounts).
func sameFile(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	if err1 == nil && err2 == nil && aa == bb {
		return true
	}
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// signRequest is a certificate ready to be signed, and what to write with
// it.
type signRequest struct {
	kind   Kind
	tmpl   *x509.Certificate
	pub    crypto.PublicKey
	keyPEM []byte // the subject's key to write to out+".key"; nil for none
	now    time.Time
	out    string
	force  bool
	// deliver, for an intermediate CA, writes its directory once the
	// certificate exists; dir is that directory, absolute, "" in memory.
	deliver func(der []byte) error
	dir     string
}

// sign is the one place the CA's key signs a certificate: it picks a
// serial unused in the index, signs, checks that crypto/x509 accepts the
// result under this CA for its purpose, records it and writes the files.
//
// In a directory the order makes every step safe to interrupt:
//  1. the serial is recorded in the index as pending, durably, before
//     the key signs anything with it, so no certificate can exist that
//     the index does not know;
//  2. the certificate is signed in memory;
//  3. its files and the index marking it delivered are written as one
//     journaled change (an intermediate's directory under its own lock,
//     then the parent's index).
//
// A crash before 3 leaves a pending serial, which the next operation
// revokes (Recover); a crash during 3 is completed from the journal. An
// error before 3 drops the pending serial again: the certificate then
// existed only in this process's memory.
func (ca *CA) sign(r signRequest) (*Issued, error) {
	tmpl := *r.tmpl
	if tmpl.SubjectKeyId == nil {
		ski, err := subjectKeyID(r.pub)
		if err != nil {
			return nil, err
		}
		tmpl.SubjectKeyId = ski
	}
	var iss *Issued
	if ca.dir == "" {
		err := ca.inMemory(func(x *index) error {
			cert, err := ca.signNew(x, &tmpl, r)
			if err != nil {
				return err
			}
			var tx *fileTx
			iss, tx = ca.issued(cert, r)
			x.Certificates = append(x.Certificates, iss.Record)
			if r.deliver != nil {
				return r.deliver(cert.Raw)
			}
			return tx.commit()
		})
		if err != nil {
			return nil, err
		}
		return iss, nil
	}
	err := ca.locked(func(x *index) error {
		serial, err := ca.freshSerial(x)
		if err != nil {
			return err
		}
		tmpl.SerialNumber = serial
		rec := recordOf(&tmpl, r.kind)
		rec.Pending = &Pending{Since: r.now.UTC().Truncate(time.Second), Dir: r.dir}
		x.Certificates = append(x.Certificates, rec)
		at := len(x.Certificates) - 1
		if err := writeIndex(ca.dir, x, "reserve"); err != nil {
			return err
		}
		cert, err := ca.signNew(x, &tmpl, r)
		if err != nil {
			return ca.unreserve(x, at, err)
		}
		var tx *fileTx
		iss, tx = ca.issued(cert, r)
		x.Certificates[at] = iss.Record
		if r.deliver != nil {
			if err := r.deliver(cert.Raw); err != nil {
				var uf *unfinishedError
				if errors.As(err, &uf) {
					return err
				}
				return ca.unreserve(x, at, err)
			}
			if err := writeIndex(ca.dir, x, "delivered"); err != nil {
				return &unfinishedError{dir: ca.dir, err: err}
			}
			return nil
		}
		data, err := x.marshal()
		if err != nil {
			return ca.unreserve(x, at, err)
		}
		tx.write(filepath.Join(ca.dir, indexFile), data, publicMode, true)
		names := strings.Join(iss.Record.Names, ", ")
		if names == "" {
			names = iss.Record.Subject
		}
		err = tx.commitJournaled(ca.dir, fmt.Sprintf("issuing %s %s for %s", r.kind.certName(), iss.Record.Serial, names))
		var uf *unfinishedError
		if err != nil && !errors.As(err, &uf) {
			return ca.unreserve(x, at, err)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return iss, nil
}

// freshSerial picks a serial that neither the index nor the CA's own
// certificate has.
func (ca *CA) freshSerial(x *index) (*big.Int, error) {
	serial, err := newSerial()
	for err == nil && (x.find(serial) >= 0 || serial.Cmp(ca.cert.SerialNumber) == 0) {
		serial, err = newSerial()
	}
	return serial, err
}

// signNew signs tmpl, giving it a fresh serial unless it has one, and
// checks the result.
func (ca *CA) signNew(x *index, tmpl *x509.Certificate, r signRequest) (*x509.Certificate, error) {
	if tmpl.SerialNumber == nil {
		serial, err := ca.freshSerial(x)
		if err != nil {
			return nil, err
		}
		tmpl.SerialNumber = serial
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, r.pub, ca.key)
	if err != nil {
		return nil, fmt.Errorf("signing the certificate: %w", err)
	}
	crashPoint("signed")
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parsing the certificate just signed: %w", err)
	}
	if err := ca.selfCheck(cert, r.kind, r.now); err != nil {
		return nil, err
	}
	return cert, nil
}

// issued assembles what Issue returns and the files it writes.
func (ca *CA) issued(cert *x509.Certificate, r signRequest) (*Issued, *fileTx) {
	chain := [][]byte{cert.Raw}
	for _, c := range ca.chain {
		chain = append(chain, c.Raw)
	}
	var chainPEM []byte
	for _, d := range chain {
		chainPEM = append(chainPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d})...)
	}
	iss := &Issued{Certificate: cert, Chain: chain, ChainPEM: chainPEM, KeyPEM: r.keyPEM, Record: recordOf(cert, r.kind)}
	tx := &fileTx{}
	if r.out != "" {
		// The key first: a reader who sees the certificate can find its
		// key (the journal makes the pair whole after a crash anyway).
		if r.keyPEM != nil {
			iss.KeyFile = r.out + ".key"
			tx.write(iss.KeyFile, r.keyPEM, keyMode, r.force)
		}
		iss.CertFile = r.out + ".crt"
		tx.write(iss.CertFile, chainPEM, publicMode, r.force)
	}
	return iss, tx
}

// unreserve drops the pending record at position at after an error that
// came before anything was delivered, and returns that error.
func (ca *CA) unreserve(x *index, at int, cause error) error {
	serial := x.Certificates[at].Serial
	x.Certificates = slices.Delete(x.Certificates, at, at+1)
	if err := writeIndex(ca.dir, x, "unreserve"); err != nil {
		return fmt.Errorf("%w (and serial %s stays recorded as pending: %v; the next 'lucid ca' command revokes it)", cause, serial, err)
	}
	return cause
}

// selfCheck verifies a certificate just signed with crypto/x509's path
// building, against this CA's root, for the certificate's purpose. It
// catches any gap between the CA's own checks and what verifiers enforce
// (name constraints, path lengths, key usages) before the certificate
// leaves the CA.
func (ca *CA) selfCheck(cert *x509.Certificate, kind Kind, now time.Time) error {
	inter := x509.NewCertPool()
	for _, c := range ca.chain {
		inter.AddCert(c)
	}
	usage := x509.ExtKeyUsageAny
	switch kind {
	case KindServer:
		usage = x509.ExtKeyUsageServerAuth
	case KindClient:
		usage = x509.ExtKeyUsageClientAuth
	}
	_, err := cert.Verify(x509.VerifyOptions{
		Roots:         ca.RootPool(),
		Intermediates: inter,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{usage},
	})
	if err != nil {
		return fmt.Errorf("the certificate just signed does not verify under this CA, so it was not issued: %w", err)
	}
	return nil
}

// recordOf makes the index entry for a certificate.
func recordOf(c *x509.Certificate, kind Kind) Record {
	var names []string
	names = append(names, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	names = append(names, c.EmailAddresses...)
	return Record{
		Serial:    FormatSerial(c.SerialNumber),
		Kind:      kind,
		Subject:   c.Subject.String(),
		Names:     names,
		NotBefore: c.NotBefore.UTC(),
		NotAfter:  c.NotAfter.UTC(),
	}
}

// isRSA reports whether pub is an RSA key.
func isRSA(pub crypto.PublicKey) bool {
	_, ok := pub.(*rsa.PublicKey)
	return ok
}

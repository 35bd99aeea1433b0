// Package testpki makes a throwaway certificate authority and leaf
// certificates with crypto/x509, for tests only. Nothing here is fit to
// protect real traffic: keys may be shared between certificates (see
// LeafOptions.FreshKey) and the CA key lives in memory.
package testpki

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
	"strings"
	"time"
)

// KeyType names a key algorithm and size: "ecdsa-p256", "ecdsa-p384",
// "rsa-2048" or "ed25519". The empty KeyType means ecdsa-p256.
type KeyType string

// The key types a test can ask for.
const (
	ECDSAP256 KeyType = "ecdsa-p256"
	ECDSAP384 KeyType = "ecdsa-p384"
	RSA2048   KeyType = "rsa-2048"
	Ed25519   KeyType = "ed25519"
)

// KeyTypes lists every KeyType, so a test can run once per key type.
var KeyTypes = []KeyType{ECDSAP256, ECDSAP384, RSA2048, Ed25519}

// serial returns a random positive 127-bit serial number; RFC 5280 §4.1.2.2
// requires serials to be positive and unique per CA, and at most 20 octets.
func serial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	return n.Add(n, big.NewInt(1)), nil
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// CA is a self-signed test root. Pool holds only this root, ready for
// VerifyOptions.Roots or tls-style RootCAs/ClientCAs.
type CA struct {
	Cert    *x509.Certificate
	Key     crypto.Signer
	CertPEM []byte
	Pool    *x509.CertPool
}

// NewCA makes a self-signed root named name (used as its common name) with
// a key of type kt. It is valid from a week ago for ten years, so leaves
// with shifted validity windows still chain to it.
func NewCA(name string, kt KeyType) (*CA, error) {
	if name == "" {
		return nil, errors.New("testpki: a CA needs a name")
	}
	key, err := caKey(name, kt)
	if err != nil {
		return nil, err
	}
	sn, err := serial()
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{CommonName: name, Organization: []string{"Lucid test PKI"}},
		NotBefore:             now.Add(-7 * 24 * time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		// RFC 5280 §4.2.1.3: a CA that signs certificates needs keyCertSign.
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("testpki: create CA %q: %w", name, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &CA{Cert: cert, Key: key, CertPEM: pemBlock("CERTIFICATE", der), Pool: pool}, nil
}

// Leaf is an end-entity certificate issued by a CA, with its key in both
// Go and PEM form. Chain is what a TLS peer sends: DER, leaf first (the root
// is left out, as RFC 8446 §4.4.2 allows).
type Leaf struct {
	Cert    *x509.Certificate
	Key     crypto.Signer
	CertPEM []byte
	KeyPEM  []byte
	Chain   [][]byte

	issuer *CA
}

// LeafOptions says what leaf to issue.
type LeafOptions struct {
	// Names are DNS names or IP literals; IPs become IP SANs, the rest DNS
	// SANs. The first name is also the common name, for humans only.
	Names []string
	// KeyType of the leaf key; empty means ecdsa-p256.
	KeyType KeyType
	// NotBefore and NotAfter bound validity; zero means now-1h and now+24h.
	NotBefore, NotAfter time.Time
	// Client gives the leaf EKU clientAuth instead of serverAuth.
	Client bool
	// FreshKey forces a newly generated key. Only RSA keys are otherwise
	// shared between leaves; set it when a test needs two RSA leaves whose
	// keys differ (for example a signature made with the wrong key).
	FreshKey bool
}

// Issue makes a leaf signed by ca.
func (ca *CA) Issue(o LeafOptions) (*Leaf, error) {
	if ca == nil || ca.Cert == nil || ca.Key == nil {
		return nil, errors.New("testpki: Issue on an incomplete CA")
	}
	key, err := leafKey(o.KeyType, o.FreshKey)
	if err != nil {
		return nil, err
	}
	sn, err := serial()
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		NotBefore:             o.NotBefore,
		NotAfter:              o.NotAfter,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = now.Add(-time.Hour)
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = now.Add(24 * time.Hour)
	}
	if o.Client {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	if _, ok := key.(*rsa.PrivateKey); ok {
		// TLS 1.2 RSA key exchange encrypts to the key (RFC 5280 §4.2.1.3).
		tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
	}
	for _, n := range o.Names {
		if ip := net.ParseIP(strings.Trim(n, "[]")); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	if len(o.Names) > 0 {
		tmpl.Subject.CommonName = o.Names[0]
	} else {
		tmpl.Subject.CommonName = "lucid test leaf"
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		return nil, fmt.Errorf("testpki: issue leaf %v: %w", o.Names, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	p8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return &Leaf{
		Cert:    cert,
		Key:     key,
		CertPEM: pemBlock("CERTIFICATE", der),
		KeyPEM:  pemBlock("PRIVATE KEY", p8),
		Chain:   [][]byte{der},
		issuer:  ca,
	}, nil
}

// WriteFiles writes the leaf certificate (PEM), its key (PKCS#8 PEM) and the
// issuing CA's certificate (PEM) into dir as <prefix>-cert.pem,
// <prefix>-key.pem and <prefix>-ca.pem, and returns the first two paths, for
// tools such as openssl s_server -cert/-key/-CAfile.
func (l *Leaf) WriteFiles(dir, prefix string) (certFile, keyFile string, err error) {
	if l == nil {
		return "", "", errors.New("testpki: WriteFiles on a nil Leaf")
	}
	certFile = filepath.Join(dir, prefix+"-cert.pem")
	keyFile = filepath.Join(dir, prefix+"-key.pem")
	if err := os.WriteFile(certFile, l.CertPEM, 0o644); err != nil {
		return "", "", err
	}
	// A private key file readable by others makes some tools refuse it.
	if err := os.WriteFile(keyFile, l.KeyPEM, 0o600); err != nil {
		return "", "", err
	}
	if l.issuer != nil {
		if err := os.WriteFile(filepath.Join(dir, prefix+"-ca.pem"), l.issuer.CertPEM, 0o644); err != nil {
			return "", "", err
		}
	}
	return certFile, keyFile, nil
}

// WriteFile writes the CA certificate (PEM) into dir, named after the CA
// (characters other than letters, digits, '-' and '_' become '_') with the
// suffix "-ca.pem", and returns its path.
func (ca *CA) WriteFile(dir string) (string, error) {
	if ca == nil || ca.Cert == nil {
		return "", errors.New("testpki: WriteFile on an incomplete CA")
	}
	safe := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, ca.Cert.Subject.CommonName)
	path := filepath.Join(dir, safe+"-ca.pem")
	if err := os.WriteFile(path, ca.CertPEM, 0o644); err != nil {
		return "", err
	}
	return path, nil
}

package main

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"os"
)

// maxCRLFile bounds a --crl file: a CRL of a million entries is about
// 40 MB, far beyond any CA this tool talks to.
const maxCRLFile = 64 << 20

// readCRLFiles reads certificate revocation lists for --crl: each file
// holds one DER CRL or any number of PEM "X509 CRL" blocks. The lists are
// only parsed here; whether one counts for a chain (its issuer signed it)
// is decided when the chain is verified.
func readCRLFiles(paths []string) ([]*x509.RevocationList, error) {
	var lists []*x509.RevocationList
	for _, p := range paths {
		data, err := readCapped(p, maxCRLFile)
		if err != nil {
			return nil, fmt.Errorf("--crl %s: %w", p, err)
		}
		if !bytes.Contains(data, []byte("-----BEGIN")) {
			rl, err := x509.ParseRevocationList(data)
			if err != nil {
				return nil, fmt.Errorf("--crl %s is neither PEM nor a DER CRL: %v", p, err)
			}
			lists = append(lists, rl)
			continue
		}
		n := 0
		for rest := data; ; {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			if b.Type != "X509 CRL" {
				continue
			}
			rl, err := x509.ParseRevocationList(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("--crl %s: CRL %d: %v", p, n+1, err)
			}
			lists = append(lists, rl)
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("--crl %s holds no PEM \"X509 CRL\" block", p)
		}
	}
	return lists, nil
}

// readCapped reads a whole file, refusing one larger than limit.
func readCapped(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d MB", limit>>20)
	}
	return data, nil
}

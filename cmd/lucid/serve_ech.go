package main

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"slices"

	"lucid/tls"
)

// serveECHKeys loads --ech-key files, the current key first, and says on
// stdout what the server does with each and what to publish. The current
// key alone is sent as the retry config: a client that fails to use an
// old config should move to the new one, not to another old one. A public
// name no certificate covers is a warning on stderr: ECH still works for
// clients with the current config, but one with a stale config cannot
// verify the rejection and gives up.
func serveECHKeys(files []string, certs []tls.Certificate, stdout, stderr io.Writer) ([]tls.EncryptedClientHelloKey, error) {
	var keys []tls.EncryptedClientHelloKey
	var names []string
	for i, f := range files {
		k, c, err := loadECHKeyFile(f)
		if err != nil {
			return nil, err
		}
		for j, prev := range keys {
			if bytes.Equal(prev.Config, k.Config) {
				return nil, serveUsageError{fmt.Sprintf("--ech-key %s is the same key as --ech-key %s", f, files[j])}
			}
		}
		k.SendAsRetry = i == 0
		keys = append(keys, k)
		role := "current: published, and sent as the retry config"
		if i > 0 {
			role = "older: still decrypted, for clients with its config; not sent"
		}
		fmt.Fprintf(stdout, "ECH key %s: config id %d, public name %s (%s).\n", f, c.ConfigID, c.PublicName, role)
		if !slices.Contains(names, c.PublicName) {
			names = append(names, c.PublicName)
		}
	}
	for _, n := range names {
		if !certificatesCover(certs, n) {
			fmt.Fprintf(stderr, "lucid serve: WARNING: no certificate is for the ECH public name %s: a client with a stale config cannot check this server's rejection, and fails instead of retrying.\n", n)
		}
	}
	list, err := tls.MarshalECHConfigList(keys[0].Config)
	if err != nil {
		return nil, err
	}
	b64 := base64.StdEncoding.EncodeToString(list)
	fmt.Fprintf(stdout, "Encrypted Client Hello is on. The ECHConfigList to publish (the ech= of the site's DNS HTTPS record):\n  %s\n", b64)
	return keys, nil
}

// certificatesCover reports whether one of the chains is for host.
func certificatesCover(certs []tls.Certificate, host string) bool {
	for _, c := range certs {
		if len(c.Certificate) == 0 {
			continue
		}
		leaf, err := x509.ParseCertificate(c.Certificate[0])
		if err == nil && leaf.VerifyHostname(host) == nil {
			return true
		}
	}
	return false
}

package main

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"lucid/internal/wire"
	"lucid/tls"
)

// The ECH key file is the PEM format of draft-farrell-tls-pemesni, which
// OpenSSL's ECH support, nginx and HAProxy read: a PKCS #8 "PRIVATE KEY"
// block, then an "ECHCONFIG" block whose body is an ECHConfigList with the
// key's config (in base64, as every PEM body). Using that format rather than one of Lucid's own
// lets a key move between Lucid and those servers.
const (
	echPEMKeyType    = "PRIVATE KEY"
	echPEMConfigType = "ECHCONFIG"
)

// echKeyFileName and echConfigFileName are what `lucid ech keygen` writes
// in --out.
const (
	echKeyFileName    = "ech.pem"
	echConfigFileName = "ech.configlist"
)

// maxECHFile caps what is read of a key or config file: an ECHConfigList
// is at most 64 KiB, its base64 and a key a little more; readCapped
// words its refusal in megabytes.
const maxECHFile = 1 << 20

const echUsage = `Usage: lucid ech keygen --public-name NAME --out DIR [--config-id N] [--force]

Encrypted Client Hello (RFC 9849) hides the name of the site a client asks
for: the client sends an outer hello that names only the public name, and
the real hello encrypted, inside it, to a key the server holds.

keygen makes a new X25519 ECH key and writes into DIR:
  ech.pem         the private key and its config (mode 0600), in the PEM
                  format OpenSSL, nginx and HAProxy use for ECH keys
                  (draft-farrell-tls-pemesni): a PKCS #8 PRIVATE KEY block
                  and an ECHCONFIG block; lucid serve --ech-key reads it
  ech.configlist  the ECHConfigList clients encrypt to, in binary; lucid
                  get --ech-config reads it
and prints the ECHConfigList in base64, the form a DNS HTTPS record's ech=
parameter takes.

Flags:
  --public-name NAME  the name the outer hello shows to the path: a host
                      name whose certificate the server also holds (it
                      proves it when it cannot decrypt a hello)
  --out DIR           the directory to write the files in (created 0700)
  --config-id N       the config id, 0 to 255 (default: random); give each
                      key a server holds at once a different one
  --force             overwrite existing files in DIR
`

// echCommand runs `lucid ech SUBCOMMAND`.
func echCommand(args []string, stdout, stderr io.Writer) int {
	return runSubcommand("ech", echUsage, map[string]subcommandFunc{"keygen": echKeygen}, args, stdout, stderr)
}

func echKeygen(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lucid ech keygen", flag.ContinueOnError)
	var publicName, out string
	var force bool
	configID := -1
	fs.StringVar(&publicName, "public-name", "", "")
	fs.StringVar(&out, "out", "", "")
	fs.IntVar(&configID, "config-id", configID, "")
	fs.BoolVar(&force, "force", false, "")
	if status, done := parseFlagSet(fs, "ech", args, stdout, stderr, func(w io.Writer) { fmt.Fprint(w, echUsage) }); done {
		return status
	}
	switch {
	case fs.NArg() > 0:
		return usageFail(stderr, "ech", "unexpected argument %q", fs.Arg(0))
	case publicName == "":
		return usageFail(stderr, "ech", "keygen needs --public-name NAME")
	case out == "":
		return usageFail(stderr, "ech", "keygen needs --out DIR")
	case configID > 255 || configID < -1:
		return usageFail(stderr, "ech", "--config-id is 0 to 255, not %d", configID)
	}
	if configID < 0 {
		var b [1]byte
		if _, err := rand.Read(b[:]); err != nil {
			fmt.Fprintf(stderr, "lucid ech: %v\n", err)
			return exitOther
		}
		configID = int(b[0])
	}
	k, err := tls.GenerateEncryptedClientHelloKey(publicName, uint8(configID))
	if err != nil {
		return usageFail(stderr, "ech", "%s", strings.TrimPrefix(err.Error(), "tls: "))
	}
	list, keyPEM, err := encodeECHKey(k)
	if err != nil {
		fmt.Fprintf(stderr, "lucid ech: %v\n", err)
		return exitOther
	}
	keyFile, listFile := filepath.Join(out, echKeyFileName), filepath.Join(out, echConfigFileName)
	if err := os.MkdirAll(out, 0o700); err != nil {
		fmt.Fprintf(stderr, "lucid ech: %v\n", err)
		return exitOther
	}
	if !force {
		for _, f := range []string{keyFile, listFile} {
			if _, err := os.Lstat(f); err == nil {
				fmt.Fprintf(stderr, "lucid ech: %s exists; a server may still need that key (--force overwrites it)\n", f)
				return exitOther
			}
		}
	}
	if err := writeFileMode(keyFile, keyPEM, 0o600); err != nil {
		fmt.Fprintf(stderr, "lucid ech: %v\n", err)
		return exitOther
	}
	if err := writeFileMode(listFile, list, 0o644); err != nil {
		fmt.Fprintf(stderr, "lucid ech: %v\n", err)
		return exitOther
	}
	b64 := base64.StdEncoding.EncodeToString(list)
	fmt.Fprintf(stdout, "Made an ECH key (X25519, config id %d) for the public name %s.\n", configID, publicName)
	fmt.Fprintf(stdout, "  private key and config: %s (mode 0600; for lucid serve --ech-key)\n", keyFile)
	fmt.Fprintf(stdout, "  ECHConfigList:          %s (for lucid get --ech-config)\n", listFile)
	fmt.Fprintf(stdout, "ECHConfigList (base64):\n%s\n", b64)
	fmt.Fprintf(stdout, "Publish it as the ech parameter of the site's DNS HTTPS record, for example:\n"+
		"  www.example.com. 300 IN HTTPS 1 . alpn=h2 ech=%s\n", b64)
	fmt.Fprintf(stdout, "The server must also hold a certificate for %s: a client whose config is stale checks it before it takes the server's new one.\n", publicName)
	if !strings.Contains(strings.Trim(publicName, "."), ".") {
		fmt.Fprintf(stderr, "lucid ech: WARNING: the public name %s has a single label: crypto/tls and browsers skip such configs (Lucid's client takes it).\n", publicName)
	}
	return exitOK
}

// encodeECHKey returns k's ECHConfigList and its key file.
func encodeECHKey(k tls.EncryptedClientHelloKey) (list, keyPEM []byte, err error) {
	list, err = tls.MarshalECHConfigList(k.Config)
	if err != nil {
		return nil, nil, err
	}
	priv, err := ecdh.X25519().NewPrivateKey(k.PrivateKey)
	if err != nil {
		return nil, nil, fmt.Errorf("the generated key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, nil, err
	}
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: echPEMKeyType, Bytes: der})
	keyPEM = append(keyPEM, pem.EncodeToMemory(&pem.Block{Type: echPEMConfigType, Bytes: list})...)
	return list, keyPEM, nil
}

// writeFileMode writes data to a new or truncated file with mode perm,
// which it sets even on an existing file, since os.WriteFile keeps the
// old mode and a key must not stay readable by others.
func writeFileMode(name string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// loadECHKeyFile reads a key file as `lucid ech keygen` writes it: the
// private key, and the config among the ECHCONFIG block's list whose public
// key is the private key's.
func loadECHKeyFile(name string) (tls.EncryptedClientHelloKey, wire.ECHConfig, error) {
	fail := func(format string, args ...any) (tls.EncryptedClientHelloKey, wire.ECHConfig, error) {
		return tls.EncryptedClientHelloKey{}, wire.ECHConfig{}, fmt.Errorf("--ech-key %s: "+format, append([]any{name}, args...)...)
	}
	data, err := readCapped(name, maxECHFile)
	if err != nil {
		return fail("%v", err)
	}
	k, c, err := parseECHKeyFile(data)
	if err != nil {
		return fail("%v", err)
	}
	return k, c, nil
}

// parseECHKeyFile reads the PEM of an ECH key file.
func parseECHKeyFile(data []byte) (tls.EncryptedClientHelloKey, wire.ECHConfig, error) {
	fail := func(format string, args ...any) (tls.EncryptedClientHelloKey, wire.ECHConfig, error) {
		return tls.EncryptedClientHelloKey{}, wire.ECHConfig{}, fmt.Errorf(format, args...)
	}
	var keyDER, list []byte
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch b.Type {
		case echPEMKeyType:
			keyDER = b.Bytes
		case echPEMConfigType:
			list = b.Bytes
		}
	}
	if keyDER == nil || list == nil {
		return fail("not an ECH key file: it needs a PEM %s block and an %s block (lucid ech keygen writes one)", echPEMKeyType, echPEMConfigType)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(keyDER)
	if err != nil {
		return fail("the private key: %v", err)
	}
	var priv *ecdh.PrivateKey
	switch k := parsed.(type) {
	case *ecdh.PrivateKey:
		priv = k
	case *ecdsa.PrivateKey:
		if priv, err = k.ECDH(); err != nil {
			return fail("the private key: %v", err)
		}
	default:
		return fail("the private key is %T, not an X25519 or NIST curve key an ECH config can name", parsed)
	}
	configs, err := wire.ParseECHConfigList(list)
	if err != nil {
		return fail("the %s block: %v", echPEMConfigType, err)
	}
	pub := priv.PublicKey().Bytes()
	for _, c := range configs {
		if c.Known() && string(c.PublicKey) == string(pub) {
			return tls.EncryptedClientHelloKey{Config: c.Raw, PrivateKey: priv.Bytes()}, c, nil
		}
	}
	return fail("no config in the %s block is for this private key", echPEMConfigType)
}

// readECHConfigArg reads --ech-config: a file holding an ECHConfigList (in
// binary, in base64, or as the ECHCONFIG block of a PEM file), or the
// base64 itself, as a DNS HTTPS record's ech= parameter has it. It returns
// the list and the config a client will use from it.
func readECHConfigArg(arg string) ([]byte, wire.ECHConfig, error) {
	var list []byte
	data, ferr := readCapped(arg, maxECHFile)
	if ferr != nil {
		// Not a file, or a name no file system takes (base64 is long and
		// has slashes): then it is the base64 itself.
		d, err := decodeBase64(arg)
		if err != nil {
			if errors.Is(ferr, os.ErrNotExist) {
				return nil, wire.ECHConfig{}, fmt.Errorf("--ech-config %q is neither a file nor base64: %v", shortArg(arg), err)
			}
			return nil, wire.ECHConfig{}, fmt.Errorf("--ech-config: %v", ferr)
		}
		list = d
	} else if list, ferr = echConfigFromFile(data); ferr != nil {
		return nil, wire.ECHConfig{}, fmt.Errorf("--ech-config %s: %v", arg, ferr)
	}
	c, err := usableECHConfig(list)
	if err != nil {
		return nil, wire.ECHConfig{}, fmt.Errorf("--ech-config %s: %v", shortArg(arg), err)
	}
	return list, c, nil
}

// echConfigFromFile finds the ECHConfigList in a file's contents: the
// ECHCONFIG block of a PEM file, or the whole file in binary or base64.
func echConfigFromFile(data []byte) ([]byte, error) {
	list := data
	for rest := data; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		if b.Type == echPEMConfigType {
			list = b.Bytes
		}
	}
	_, err := wire.ParseECHConfigList(list)
	if err == nil {
		return list, nil
	}
	d, berr := decodeBase64(string(list))
	if berr != nil {
		return nil, fmt.Errorf("it holds neither an ECHConfigList nor its base64: %v", err)
	}
	return d, nil
}

// usableECHConfig parses an ECHConfigList and returns its first config of
// a version Lucid reads, which is the one a client uses unless its KEM or
// suites are unknown (then the handshake says so).
func usableECHConfig(list []byte) (wire.ECHConfig, error) {
	configs, err := wire.ParseECHConfigList(list)
	if err != nil {
		return wire.ECHConfig{}, err
	}
	for _, c := range configs {
		if c.Known() && !c.HasMandatoryExtension() {
			return c, nil
		}
	}
	return wire.ECHConfig{}, fmt.Errorf("the ECHConfigList holds %d config(s), none of a version Lucid reads (0x%04x)", len(configs), wire.ECHConfigVersion)
}

// decodeBase64 reads standard base64, padded or not, ignoring white space
// (a DNS zone file or a PEM body wraps it).
func decodeBase64(s string) ([]byte, error) {
	s = strings.Join(strings.Fields(s), "")
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}

// shortArg shortens a long command-line value for a message.
func shortArg(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

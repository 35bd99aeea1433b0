package redisstore

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
)

// The key-encryption key (KEK) protects the ticket keys at rest in Redis.
// It is the one secret every server of the fleet must be given out of band
// (a file deployed with the servers, or an environment variable), and it
// never goes to Redis.

// maxKEKFile bounds what LoadKEK reads: a KEK file is at most 64 hex
// digits and a newline, so anything much longer is the wrong file.
const maxKEKFile = 256

// LoadKEK reads a key-encryption key from a file: exactly 32 raw bytes,
// or 64 hexadecimal digits, or the standard base64 of 32 bytes (padded or
// not), with surrounding white space ignored in the text forms.
func LoadKEK(path string) ([32]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return [32]byte{}, fmt.Errorf("redisstore: reading the key-encryption key: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKEKFile+1))
	if err != nil {
		return [32]byte{}, fmt.Errorf("redisstore: reading the key-encryption key from %s: %w", path, err)
	}
	if len(data) > maxKEKFile {
		return [32]byte{}, fmt.Errorf("redisstore: the key-encryption key file %s is longer than %d bytes; a KEK is 32 raw bytes, 64 hex digits or 44 base64 characters", path, maxKEKFile)
	}
	kek, err := ParseKEK(data)
	if err != nil {
		return kek, fmt.Errorf("%w (file %s)", err, path)
	}
	return kek, nil
}

// KEKFromEnv reads a key-encryption key from the environment variable
// name, as 64 hexadecimal digits or the base64 of 32 bytes.
func KEKFromEnv(name string) ([32]byte, error) {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return [32]byte{}, fmt.Errorf("redisstore: the environment variable %s holding the key-encryption key is not set", name)
	}
	kek, err := ParseKEK([]byte(v))
	if err != nil {
		return kek, fmt.Errorf("%w (environment variable %s)", err, name)
	}
	return kek, nil
}

// ParseKEK decodes a key-encryption key: exactly 32 raw bytes, or 64
// hexadecimal digits, or the standard base64 of 32 bytes, padded or not.
// A key of all zero bytes is refused, since it is what an unset key
// looks like.
func ParseKEK(data []byte) ([32]byte, error) {
	var kek [32]byte
	switch text := bytes.TrimSpace(data); {
	case len(data) == 32:
		// 32 bytes cannot be hex (64) or base64 (43 or 44) of a
		// 32-byte key, so raw is the only reading.
		copy(kek[:], data)
	case len(text) == 64:
		if _, err := hex.Decode(kek[:], text); err != nil {
			return [32]byte{}, fmt.Errorf("redisstore: the key-encryption key is 64 characters but not hexadecimal: %w", err)
		}
	case len(text) == 43 || len(text) == 44:
		enc := base64.StdEncoding
		if len(text) == 43 {
			enc = base64.RawStdEncoding
		}
		var buf [33]byte
		n, err := enc.Decode(buf[:], text)
		if err != nil || n != 32 {
			return [32]byte{}, errors.New("redisstore: the key-encryption key is not the base64 of 32 bytes")
		}
		copy(kek[:], buf[:32])
		clear(buf[:])
	default:
		return [32]byte{}, fmt.Errorf("redisstore: the key-encryption key must be 32 raw bytes, 64 hex digits or the base64 of 32 bytes; got %d bytes", len(text))
	}
	if kek == ([32]byte{}) {
		return kek, errors.New("redisstore: the key-encryption key is all zeros")
	}
	return kek, nil
}

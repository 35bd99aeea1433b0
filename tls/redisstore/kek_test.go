package redisstore

import (
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadKEK(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name, content string
	}{
		{"raw", string(testKEK[:])},
		{"hex", hex.EncodeToString(testKEK[:]) + "\n"},
		{"HEX", strings.ToUpper(hex.EncodeToString(testKEK[:]))},
		{"base64", base64.StdEncoding.EncodeToString(testKEK[:]) + "\n"},
		{"base64 raw", "  " + base64.RawStdEncoding.EncodeToString(testKEK[:])},
	} {
		got, err := LoadKEK(write(tc.name, tc.content))
		if err != nil || got != testKEK {
			t.Errorf("%s: LoadKEK = %x, %v; want the test KEK", tc.name, got, err)
		}
	}
	for _, tc := range []struct {
		name, content, want string
	}{
		{"short", "abcd", "got 4 bytes"},
		{"not hex", strings.Repeat("zz", 32), "not hexadecimal"},
		{"not base64", strings.Repeat("*", 44), "base64"},
		{"zeros", strings.Repeat("00", 32), "all zeros"},
		{"long", strings.Repeat("a", 1000), "longer than"},
	} {
		p := write(tc.name, tc.content)
		if _, err := LoadKEK(p); err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: LoadKEK = %v; want an error naming the file and mentioning %q", tc.name, err, tc.want)
		}
	}
	if _, err := LoadKEK(filepath.Join(dir, "missing")); err == nil {
		t.Error("LoadKEK of a missing file succeeded")
	}
}

func TestKEKFromEnv(t *testing.T) {
	t.Setenv("LUCID_TEST_KEK", hex.EncodeToString(testKEK[:]))
	if got, err := KEKFromEnv("LUCID_TEST_KEK"); err != nil || got != testKEK {
		t.Fatalf("KEKFromEnv = %x, %v", got, err)
	}
	t.Setenv("LUCID_TEST_KEK", "nope")
	if _, err := KEKFromEnv("LUCID_TEST_KEK"); err == nil || !strings.Contains(err.Error(), "LUCID_TEST_KEK") {
		t.Fatalf("KEKFromEnv of a bad value = %v; want an error naming the variable", err)
	}
	if _, err := KEKFromEnv("LUCID_TEST_KEK_UNSET"); err == nil || !strings.Contains(err.Error(), "not set") {
		t.Fatalf("KEKFromEnv of an unset variable = %v; want \"not set\"", err)
	}
}

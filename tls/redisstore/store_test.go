package redisstore

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"lucid/internal/testbuffer"
	"lucid/internal/testredis"
	"lucid/internal/testwait"
)

// testKEK and otherKEK are two key-encryption keys for the tests.
var (
	testKEK  = [32]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}
	otherKEK = [32]byte{0xff, 1: 0xee, 31: 0x01}
)

// testRefresh is the refresh interval of the tests' stores: short, so that
// the waits on another store's refresh are short too.
const testRefresh = 50 * time.Millisecond

// newTestStore returns a store on srv with the test defaults changed by
// edit, and the buffer it logs into. It is closed when the test ends.
func newTestStore(t *testing.T, srv *testredis.Server, edit func(*Options)) (*Store, *testbuffer.Buffer) {
	t.Helper()
	logs := &testbuffer.Buffer{}
	opts := Options{
		URL:             srv.URL(),
		KEK:             testKEK,
		RotationPeriod:  time.Hour,
		RefreshInterval: testRefresh,
		Logger:          slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
	if edit != nil {
		edit(&opts)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, logs
}

// callCtx is the context of one store call, as a TLS server gives it.
func callCtx(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithTimeout(t.Context(), 250*time.Millisecond)
}

// mustKeys returns s's ticket keys and fails the test on error.
func mustKeys(t *testing.T, s *Store) [][32]byte {
	t.Helper()
	ctx, cancel := callCtx(t)
	defer cancel()
	keys, err := s.TicketKeys(ctx)
	if err != nil {
		t.Fatalf("TicketKeys: %v", err)
	}
	return keys
}

// waitFor waits until cond holds, failing t with what otherwise.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if !testwait.Until(testwait.Context(t), cond) {
		t.Fatalf("gave up waiting for %s", what)
	}
}

func TestNewOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"no URL", Options{KEK: testKEK}, "no Redis URL"},
		{"bad URL", Options{URL: "http://x", KEK: testKEK}, "scheme"},
		{"no KEK", Options{URL: "redis://127.0.0.1:1/0"}, "no key-encryption key"},
		{"rotation too short", Options{URL: "redis://127.0.0.1:1/0", KEK: testKEK, RotationPeriod: time.Second, RefreshInterval: time.Second}, "twice the refresh"},
		{"negative", Options{URL: "redis://127.0.0.1:1/0", KEK: testKEK, KeepPeriod: -1}, "negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.opts)
			if err == nil {
				s.Close()
				t.Fatal("New accepted the options")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v; want an error mentioning %q", err, tc.want)
			}
		})
	}
}

// TestClientTimeouts checks that the client library is set to fail a call
// on its own within tls.SessionStoreTimeout and never to retry it.
func TestClientTimeouts(t *testing.T) {
	s, err := New(Options{URL: "redis://127.0.0.1:1/0?dial_timeout=10s&read_timeout=10s", KEK: testKEK})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	o := s.client.Options()
	if !o.ContextTimeoutEnabled {
		t.Error("ContextTimeoutEnabled is off: calls would not end with their context")
	}
	for name, d := range map[string]time.Duration{"dial": o.DialTimeout, "read": o.ReadTimeout, "write": o.WriteTimeout, "pool": o.PoolTimeout} {
		if d <= 0 || d >= 250*time.Millisecond {
			t.Errorf("%s timeout %v; want within (0, tls.SessionStoreTimeout)", name, d)
		}
	}
	if o.MaxRetries != 0 || o.DialerRetries != 1 {
		t.Errorf("MaxRetries %d, DialerRetries %d; want no retries", o.MaxRetries, o.DialerRetries)
	}
}

// TestCheckEviction checks that a Redis allowed to evict keys is reported,
// and one that is not is accepted.
func TestCheckEviction(t *testing.T) {
	srv := testredis.Start(t)
	s, _ := newTestStore(t, srv, nil)
	ctx, cancel := callCtx(t)
	defer cancel()
	if unknown, err := s.CheckEviction(ctx); err != nil || unknown != "" {
		t.Fatalf("CheckEviction with Redis's default policy = %q, %v; want nothing to report", unknown, err)
	}
	if _, err := srv.Do("CONFIG", "SET", "maxmemory-policy", "volatile-lru"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckEviction(ctx); err == nil || !strings.Contains(err.Error(), "volatile-lru") {
		t.Fatalf("CheckEviction with volatile-lru = %v; want the policy reported", err)
	}
}

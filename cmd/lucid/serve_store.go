package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"

	"lucid/tls"
	"lucid/tls/redisstore"
)

// sessionStoreKeyEnv holds the session store's key-encryption key when
// --session-store-key does not name a file: 64 hex digits or base64.
const sessionStoreKeyEnv = "LUCID_SESSION_STORE_KEY"

// openSessionStore connects `lucid serve` to its fleet's session store, as
// --session-store asks. It does not wait for Redis: a server whose Redis is
// down starts all the same and serves full handshakes until it returns.
func openSessionStore(o serveOptions, stderr io.Writer) (*redisstore.Store, error) {
	var kek [32]byte
	var err error
	switch {
	case o.SessionStoreKeyFile != "":
		kek, err = redisstore.LoadKEK(o.SessionStoreKeyFile)
	case os.Getenv(sessionStoreKeyEnv) != "":
		kek, err = redisstore.KEKFromEnv(sessionStoreKeyEnv)
	default:
		return nil, serveUsageError{fmt.Sprintf("--session-store needs the fleet's key-encryption key, which seals the ticket keys in Redis: "+
			"--session-store-key FILE or $%s (32 random bytes, 64 hex digits or base64; make one with: openssl rand -hex 32 > kek)", sessionStoreKeyEnv)}
	}
	if err != nil {
		return nil, fmt.Errorf("the session store's key-encryption key: %w", err)
	}
	store, err := redisstore.New(redisstore.Options{
		URL: o.SessionStore, KEK: kek, RotationPeriod: o.TicketRotation, RefreshInterval: o.storeRefresh,
		Logger: slog.New(slog.NewTextHandler(stderr, nil)).With("component", "session-store"),
	})
	if err != nil {
		return nil, serveUsageError{fmt.Sprintf("--session-store %s: %v", redactURL(o.SessionStore), err)}
	}
	// A Redis that may evict keys could drop a replay-guard entry early.
	// Checked once, without waiting long: a Redis that is down now is
	// not a reason to stop serving.
	ctx, cancel := context.WithTimeout(context.Background(), tls.SessionStoreTimeout)
	defer cancel()
	if _, err := store.CheckEviction(ctx); err != nil {
		fmt.Fprintf(stderr, "lucid serve: warning: %v\n", err)
	}
	return store, nil
}

// serverID is the name this server gives the sessions it issues: the
// operator's --server-id, else, in a fleet, the host name and the port it
// listens on, which tells apart several servers on one machine. A server
// alone names none by default: the inspection page would show its host
// name to every visitor who resumes.
func serverID(o serveOptions, addr net.Addr) string {
	if o.ServerID != "" {
		return o.ServerID
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "lucid"
	}
	_, port, _ := net.SplitHostPort(addr.String())
	id := host + ":" + port
	if len(id) > tls.MaxServerIDLen {
		id = id[len(id)-tls.MaxServerIDLen:]
	}
	return id
}

// redactURL is u without its password, for printing.
func redactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "the session store"
	}
	return p.Redacted()
}
